import GrokJSON
import GrokProtocol
import GrokRPC
import GrokTemplate

/// The text a chat turn sends to the model. The stable system text comes first, then the
/// user's profile, then the numbered passages, then the recent turns and the new message:
/// stable parts first keep the prompt cache's shared prefix long.
///
/// It is written with the model file's chat template (`tokenizer.chat_template`) when it has
/// one, with the system text as a system message (or folded into the first user message when
/// the template refuses a system role; the default model, SmolLM2, has ChatML's); otherwise in
/// Gemma's turn format:
/// `<start_of_turn>user … <end_of_turn>` and `<start_of_turn>model …`, with the system text
/// folded into the first user turn, as Gemma has no system role.
struct ChatPrompt {
    static let system = """
        You are grok, a helpful assistant running locally on the user's own machine. Answer clearly and \
        concisely. When passages are given, use them and cite them as [1], [2]; say so when they do not hold \
        the answer.
        """

    /// How the turns are written.
    enum Format {
        /// The model file's chat template, with its BOS and EOS texts.
        case template(ChatTemplate, bos: String, eos: String)
        /// Gemma's turn format, built in.
        case gemma
    }

    var format = Format.gemma
    /// More system text: the tools on offer, the format of the answer.
    var instructions: [String] = []
    var profile: [(key: String, value: JSONValue)] = []
    var passages: [RetrievalSearch.Passage] = []
    /// Questions of this user with the answers they approved, similar to the message.
    var exemplars: [(question: String, answer: String)] = []
    /// Earlier turns, oldest first (role "user" or "assistant").
    var turns: [(role: String, content: String)] = []
    /// How many of the most recent turns go into the prompt (set by fitting it to the budget).
    var keptTurns = Int.max
    var message: String
    /// One tool call of this turn: the text before it, the call as the model wrote it, and
    /// the call with its result.
    struct Round {
        var opening: String
        var written: String
        var call: Chat.ToolCall
    }

    /// This turn's tool calls so far, with their results.
    var rounds: [Round] = []
    /// The tools on offer and their call format, for templates that list them (native formats).
    var tools: ChatTools?
    /// The start of what the model writes next (a call it opened).
    var answerPrefix = ""

    /// Earlier turns left out to fit the budget.
    var droppedTurns: Int { turns.count - min(keptTurns, turns.count) }

    /// The preamble: system text, profile, passages.
    var preamble: String {
        var text = Self.system
        for part in instructions { text += "\n\n" + part }
        let shown = profile.filter { ["name", "language", "style", "expertise", "instructions"].contains($0.key) }
        if !shown.isEmpty {
            text += "\n\nAbout the user:"
            for (key, value) in shown { text += "\n- \(key): \(value.stringValue ?? value.description)" }
        }
        if !exemplars.isEmpty { text += "\n\n" + Self.exemplarNote }
        if !passages.isEmpty {
            text += "\n\nPassages:"
            for (index, passage) in passages.enumerated() { text += "\n[\(index + 1)] (\(passage.citation)) \(passage.text)" }
        }
        return text
    }

    /// Says what the exchanges put first are.
    static let exemplarNote = "The first exchanges below are earlier answers this user approved, for similar questions."

    /// The exemplars as exchanges before the conversation: a model follows an example it has
    /// seen answered far more readily than one described in the system text (`grok-bench
    /// exemplars`: Gemma 3 270M restated 19 of 24 corrected facts this way, 1 from the
    /// system text).
    private var exemplarTurns: [(role: String, content: String)] {
        exemplars.flatMap { [("user", Self.clipped($0.question, 300)), ("assistant", Self.clipped($0.answer, 800))] }
    }

    /// `text` cut to `characters`, marked when cut.
    private static func clipped(_ text: String, _ characters: Int) -> String {
        text.count <= characters ? text : String(text.prefix(characters)) + " …"
    }

    /// The conversation after the preamble: kept turns (whole exchanges only: never an answer
    /// whose question was dropped), the message, then this turn's calls and results as fenced
    /// blocks (unless `native`, where the template writes them: see `nativeRounds`).
    private func messages(keptTurns: Int, native: Bool) -> [(role: String, content: String)] {
        var list = exemplarTurns + Array(turns.suffix(keptTurns).drop { $0.role != "user" })
        list.append(("user", message))
        guard !native else { return list }
        for round in rounds {
            list.append(("assistant", round.opening + ChatTools.callBlock(round.written)))
            list.append(("user", ChatTools.resultBlock(round.call)))
        }
        return list
    }

    /// This turn's calls and results as the template's `tool_calls` and `tool` messages.
    private var nativeRounds: [TemplateValue] {
        rounds.enumerated().flatMap { index, round in
            ToolCallFormat.templateMessages(opening: round.opening, call: round.call, result: ChatTools.resultText(round.call), index: index)
        }
    }

    /// The whole prompt, with the last `keptTurns` earlier turns.
    func render(keptTurns: Int) throws -> String {
        switch format {
        case .gemma:
            return Self.gemma(folding: preamble, into: messages(keptTurns: keptTurns, native: false)) + answerPrefix
        case .template(let template, let bos, let eos):
            let native = tools?.format.isNative == true
            let conversation = messages(keptTurns: keptTurns, native: native)
            let templateTools = native ? tools.map { ToolCallFormat.templateTools($0.tools) } : nil
            return try Self.render(
                template, bos: bos, eos: eos, system: preamble, conversation, after: native ? nativeRounds : [], tools: templateTools)
                + answerPrefix
        }
    }

    /// Gemma's turns, the system text opening the first user turn.
    private static func gemma(folding system: String, into conversation: [(role: String, content: String)]) -> String {
        var out = ""
        for (index, message) in conversation.enumerated() {
            let role = message.role == "user" ? "user" : "model"
            let body = index == 0 ? system + "\n\n" + message.content : message.content
            out += "<start_of_turn>\(role)\n\(body)<end_of_turn>\n"
        }
        return out + "<start_of_turn>model\n"
    }

    /// The template's rendering with a system message; if it refuses one, with the system text
    /// folded into the first user message. A template that fails either way is the error.
    /// `after` holds messages already in the template's shape (tool calls and results).
    private static func render(
        _ template: ChatTemplate, bos: String, eos: String, system: String, _ conversation: [(role: String, content: String)],
        after: [TemplateValue], tools: [TemplateValue]?
    ) throws -> String {
        func values(_ list: [(role: String, content: String)]) -> [TemplateValue] {
            list.map { .object([("role", .string($0.role)), ("content", .string($0.content))]) } + after
        }
        do {
            return try template.render(
                messages: values([("system", system)] + conversation), addGenerationPrompt: true, bosToken: bos, eosToken: eos,
                tools: tools)
        } catch {
            var folded = conversation
            folded[0].content = system + "\n\n" + folded[0].content
            do {
                return try template.render(messages: values(folded), addGenerationPrompt: true, bosToken: bos, eosToken: eos, tools: tools)
            } catch {
                throw RPCError.internalError("the model's chat template failed: \(error.description)")
            }
        }
    }
}
