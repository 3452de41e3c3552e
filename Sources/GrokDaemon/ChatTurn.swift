import Foundation
import GrokEngine
import GrokJSON
import GrokPlugins
import GrokProtocol
import GrokRPC

/// The generation part of one chat turn: the model answers, and while it calls tools (at
/// most `ChatTools.maximumRounds` times) each call is written under the call grammar, run
/// through its plugin, and its result fed back before the model goes on.
struct ChatTurn {
    let engine: EngineMethods
    let scheduler: Scheduler
    let plugins: PluginManager
    let context: RequestContext
    let owner: Int
    let options: SamplingOptions
    /// The answer's format (`options.format`), when one is asked for.
    let format: JSONGrammar?
    let tools: ChatTools?
    let stream: Bool
    let encode: (String) -> [Int32]
    /// The user's earlier text, for greedy decoding to draft from.
    var history: [Int32] = []

    /// What the turn produced.
    struct Outcome {
        var answer: GenerationResult
        var calls: [Chat.ToolCall] = []
        var completionTokens = 0
        var prefillMs = 0.0
        var decodeMs = 0.0
        var ttftMs: Double?
        var draftedTokens = 0
        var acceptedDraftTokens = 0

        mutating func add(_ result: GenerationResult) {
            completionTokens += result.ids.count
            prefillMs += result.prefillMs
            decodeMs += result.decodeMs
            draftedTokens += result.draftedTokens
            acceptedDraftTokens += result.acceptedDraftTokens
            if ttftMs == nil { ttftMs = result.queuedMs + result.prefillMs }
        }
    }

    func run(_ prompt: inout ChatPrompt) async throws -> Outcome {
        var calls: [Chat.ToolCall] = []
        var totals: Outcome?
        func record(_ result: GenerationResult) {
            if totals == nil { totals = Outcome(answer: result) }
            totals!.add(result)
            totals!.answer = result
        }
        while true {
            // A call cut off by maxTokens, or one made twice, means the model is not managing:
            // no more calls.
            let offering = tools != nil && calls.count < ChatTools.maximumRounds && !calls.contains { $0.cutOff } && !Self.repeats(calls)
            let opening: String
            var bare: String?
            if offering, let tools, tools.required, calls.isEmpty {
                opening = ""  // the answer starts with the call
            } else {
                var free = options
                // With tools, a call opened ends the free text: to be written under the grammar
                // when calls are offered, or as the end of the answer when no more are. A result
                // is the daemon's to give: a model that starts writing one has finished.
                if let tools { free.stop += [tools.format.opening, tools.format.resultOpening].filter { !$0.isEmpty } }
                let result = try await generate(prompt, free, grammar: format, stream: stream)
                record(result)
                guard offering, let tools, result.finishReason == .stop else { break }
                if let opened = result.stoppedBy, opened == tools.format.opening {
                    opening = result.text
                } else if let call = tools.format.bareCall(in: result.text, names: tools.tools.map(\.name)) {
                    // A format without a marker (Llama 3): the answer was the call.
                    (opening, bare) = ("", call)
                } else {
                    break
                }
            }
            let written: (text: String, finish: GenerationResult.FinishReason)
            if let bare {
                written = (bare, .stop)
            } else {
                // The model opened a call: it writes the rest under the call grammar.
                var calling = prompt
                calling.answerPrefix = opening + tools!.format.opening + tools!.format.lead
                // Calls are written greedily: the grammar keeps them valid, the most likely tokens
                // keep them sensible.
                var greedy = options
                greedy.temperature = 0
                let result = try await generate(calling, greedy, grammar: tools!.grammar, stream: false)
                record(result)
                if result.finishReason == .cancelled { break }
                written = (result.text, result.finishReason)
            }
            let call = await perform(ChatTools.parse(written.text, finish: written.finish, argumentsKey: tools!.format.argumentsKey))
            calls.append(call)
            prompt.rounds.append(ChatPrompt.Round(opening: opening, written: written.text, call: call))
        }
        var outcome = totals!
        outcome.calls = calls
        // A model that has nothing to say after its calls (a small one starts writing a result
        // block of its own instead, which is stopped) answers with the last result.
        if outcome.answer.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, outcome.answer.finishReason == .stop,
            let last = calls.last, let result = last.result {
            let text = result.content.compactMap { $0["text"]?.stringValue }.joined(separator: "\n")
            outcome.answer.text = result.isError ? "\(last.name ?? "the tool") failed: \(text)" : text
            if stream { try? await context.progress(.delta, Generate.Delta(text: outcome.answer.text, ids: [])) }
        }
        return outcome
    }

    /// Whether the last call repeats an earlier one (same tool, same arguments).
    static func repeats(_ calls: [Chat.ToolCall]) -> Bool {
        guard let last = calls.last, last.name != nil else { return false }
        return calls.dropLast().contains { $0.name == last.name && $0.arguments == last.arguments }
    }

    private func generate(_ prompt: ChatPrompt, _ options: SamplingOptions, grammar: JSONGrammar?, stream: Bool) async throws -> GenerationResult {
        // Turns were fitted before; a later round's prompt (longer by calls and results) is
        // still refused with the counts if it outgrows the context.
        try await engine.run(
            encode(try prompt.render(keptTurns: prompt.keptTurns)), on: scheduler, options: options, owner: owner, cachePrompt: true, grammar: grammar,
            lookupHistory: history, stream: stream, context: context)
    }

    /// Runs a parsed call through its plugin; streams `toolCall` before and `toolResult` after.
    private func perform(_ parsed: Chat.ToolCall) async -> Chat.ToolCall {
        var call = parsed
        if stream { try? await context.progress(.toolCall, call) }
        if call.error == nil, let name = call.name {
            do {
                call.result = try await plugins.call(name, arguments: call.arguments ?? .object([:]), timeout: nil)
            } catch {
                call.error = error.message
            }
        }
        if stream { try? await context.progress(.toolResult, call) }
        return call
    }
}
