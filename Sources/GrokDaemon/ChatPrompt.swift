import GrokJSON
import GrokProtocol

/// The text a chat turn sends to the model, in Gemma's turn format (the default model's; it has
/// no template in its file): `<start_of_turn>user … <end_of_turn>` and `<start_of_turn>model …`.
/// The stable system text comes first, then the user's profile, then the numbered passages —
/// folded into the first user turn, as Gemma has no system role — then the recent turns and
/// the new message. Stable parts first keep the prompt cache's shared prefix long.
struct ChatPrompt {
    static let system = """
        You are grok, a helpful assistant running locally on the user's own machine. Answer clearly and \
        concisely. When passages are given, use them and cite them as [1], [2]; say so when they do not hold \
        the answer.
        """

    /// More system text: the tools on offer, the format of the answer.
    var instructions: [String] = []
    var profile: [(key: String, value: JSONValue)] = []
    var passages: [RetrievalSearch.Passage] = []
    /// Earlier turns, oldest first (role "user" or "assistant").
    var turns: [(role: String, content: String)] = []
    /// How many of the most recent turns go into the prompt (set by fitting it to the budget).
    var keptTurns = Int.max
    var message: String
    /// What the model has written of this turn so far (tool calls and their results), and
    /// the start of what it writes next.
    var continuation = ""

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
        if !passages.isEmpty {
            text += "\n\nPassages:"
            for (index, passage) in passages.enumerated() { text += "\n[\(index + 1)] (\(passage.citation)) \(passage.text)" }
        }
        return text
    }

    /// The whole prompt, with the last `keptTurns` earlier turns.
    func render(keptTurns: Int) -> String {
        // Whole exchanges only: never start with an answer whose question was dropped.
        let kept = turns.suffix(keptTurns).drop { $0.role != "user" }
        var out = ""
        var first = true
        func userTurn(_ content: String) -> String {
            defer { first = false }
            let body = first ? preamble + "\n\n" + content : content
            return "<start_of_turn>user\n\(body)<end_of_turn>\n"
        }
        for turn in kept {
            out += turn.role == "user" ? userTurn(turn.content) : "<start_of_turn>model\n\(turn.content)<end_of_turn>\n"
        }
        out += userTurn(message)
        return out + "<start_of_turn>model\n" + continuation
    }

    /// A tool's result after the model's call, and the model's turn again.
    static func afterCall(_ call: String, result: String) -> String {
        "\(call)<end_of_turn>\n<start_of_turn>user\n\(result)<end_of_turn>\n<start_of_turn>model\n"
    }
}
