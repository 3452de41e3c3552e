import Foundation
import GrokEngine
import GrokJSON
import GrokPlugins
import GrokProtocol
import GrokRPC
import GrokStore

/// `chat`: one turn of a conversation, built from everything grok knows — the session's recent
/// turns, the user's preferences, passages from the retrievers — generated on the shared engine
/// with the session's prompt cache, and stored (both turns, one transaction) before it answers.
struct ChatMethods: Sendable {
    let engine: EngineMethods
    let store: Result<Store, StoreError>
    let plugins: PluginManager
    /// Prompt tokens a chat turn may use at most (context beyond this costs prefill time for
    /// little gain with small models); the model's own context length caps it too.
    var contextBudget = 8192

    func register(in table: inout MethodTable) {
        table.register(Chat.self) { params, context in try await chat(params, context) }
    }

    private func chat(_ params: Chat.Params, _ context: RequestContext) async throws -> Chat.Result {
        guard !params.message.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw RPCError.invalidParams("the message is empty", field: "message")
        }
        let retrieval = params.retrieval ?? "auto"
        guard retrieval == "auto" || retrieval == "off" else { throw RPCError.invalidParams("retrieval is auto or off", field: "retrieval") }
        let store: Store
        switch self.store {
        case .success(let opened): store = opened
        case .failure(let reason): throw RPCError.internalError("chat needs the memory store, which is unavailable: \(reason)")
        }
        let uid = context.peer.uid
        let profile = try store.preferences(owner: uid)
        let options = try EngineMethods.samplingOptions(try Self.options(params.options, defaults: profile.first { $0.key == "options" }?.value))
        let scheduler = try engine.host.scheduler()
        let (session, history) = try openSession(store, uid: uid, id: params.session, message: params.message)
        var prompt = ChatPrompt(message: params.message)
        prompt.profile = profile
        prompt.turns = history.filter { $0.role == "user" || $0.role == "assistant" }.map { ($0.role, $0.content) }
        if retrieval == "auto" {
            prompt.passages = await plugins.search(params.message, k: 3, timeout: .seconds(2)).passages
            if params.stream == true, !prompt.passages.isEmpty {
                try? await context.progress(.retrieval, RetrievalSearch.Result(passages: prompt.passages, failed: []))
            }
        }
        let tokenizer = scheduler.generator.tokenizer
        let limit = min(contextBudget, scheduler.generator.model.config.contextLength) - options.maxTokens
        let (tokens, kept) = try fit(prompt, limit: limit, maxTokens: options.maxTokens) {
            tokenizer.encode($0, addSpecial: true, parseSpecial: true)
        }
        // The session's turns share one prompt cache, whichever connection continues it.
        let result = try await engine.run(
            tokens, options: options, owner: session.id.hashValue, cachePrompt: true, stream: params.stream == true, context: context)
        let citations = prompt.passages.enumerated().map { index, passage in
            Chat.Citation(number: index + 1, citation: passage.citation, source: passage.source, retriever: passage.retriever)
        }
        var answer = NewMessage(role: "assistant", content: result.text, citations: citations.isEmpty ? nil : try JSONValueEncoder().encode(citations))
        answer.promptTokens = result.promptTokens
        answer.completionTokens = result.ids.count
        let stored: [Int64]?
        do {
            stored = try store.append(owner: uid, session: session.id, messages: [NewMessage(role: "user", content: params.message), answer])
        } catch {
            throw RPCError.internalError("the answer could not be stored: \(Store.explain(error).message)")
        }
        guard let ids = stored else { throw RPCError.notFound("session \(session.id)") }
        let tokensPerSecond = result.decodeMs > 0 ? Double(result.ids.count) / (result.decodeMs / 1000) : 0
        return Chat.Result(
            session: session.id, messageId: ids[1], text: result.text, citations: citations, finishReason: result.finishReason.rawValue,
            usage: Usage(promptTokens: result.promptTokens, cachedTokens: result.cachedTokens, completionTokens: result.ids.count,
                         droppedTurns: prompt.turns.count - kept),
            timings: Timings(queuedMs: result.queuedMs, prefillMs: result.prefillMs, decodeMs: result.decodeMs,
                             ttftMs: result.queuedMs + result.prefillMs, tokensPerSecond: tokensPerSecond))
    }

    /// The request's options over the user's default options (the `options` preference).
    static func options(_ given: Generate.Options?, defaults: JSONValue?) throws -> Generate.Options? {
        guard case .object(var merged)? = defaults else { return given }
        if let given, case .object(let fields) = try JSONValueEncoder().encode(given) { merged.merge(fields) { $1 } }
        return try JSONValueDecoder().decode(Generate.Options.self, from: .object(merged))
    }

    /// The caller's session and its messages, or a new session titled after the message.
    private func openSession(_ store: Store, uid: UInt32, id: String?, message: String) throws -> (SessionSummary, [SessionMessage]) {
        do {
            if let id {
                guard let found = try store.session(owner: uid, id: id) else { throw RPCError.notFound("session \(id)") }
                return found
            }
            let title = String(message.split(separator: "\n").first?.prefix(60) ?? "")
            return (try store.createSession(owner: uid, title: title, model: nil), [])
        } catch let error as RPCError {
            throw error
        } catch {
            throw RPCError.internalError("the memory store failed: \(Store.explain(error).message)")
        }
    }

    /// The prompt's tokens with as many recent turns as fit in `limit` (whole exchanges dropped
    /// oldest first), and how many turns were kept. Nothing is cut silently: what cannot fit even
    /// without history is the "context too long" error with the counts.
    private func fit(_ prompt: ChatPrompt, limit: Int, maxTokens: Int, encode: (String) -> [Int32]) throws -> ([Int32], Int) {
        var kept = prompt.turns.count
        while true {
            let tokens = encode(prompt.render(keptTurns: kept))
            if tokens.count <= limit { return (tokens, kept) }
            guard kept > 0 else { throw RPCError.contextTooLong(promptTokens: tokens.count + maxTokens, contextLength: limit + maxTokens) }
            kept = max(0, kept - 2)
        }
    }
}
