import Foundation
import GrokEngine
import GrokJSON
import GrokLearning
import GrokPlugins
import GrokProtocol
import GrokRPC
import GrokStore
import GrokTemplate

/// `chat`: one turn of a conversation, built from everything grok knows — the session's recent
/// turns, the user's preferences, passages from the retrievers — generated on the shared engine
/// with the session's prompt cache, and stored (both turns, one transaction) before it answers.
struct ChatMethods: Sendable {
    let engine: EngineMethods
    let store: Result<Store, StoreError>
    let plugins: PluginManager
    let ranker: PassageRanker
    /// Prompt tokens a chat turn may use at most (context beyond this costs prefill time for
    /// little gain with small models); the model's own context length caps it too.
    var contextBudget = 8192

    func register(in table: inout MethodTable) {
        // The model is held from choosing it to answering: an unload waits for the turn.
        table.register(Chat.self) { params, context in
            try await engine.models.withModel(params.model) { try await chat(params, context, $0) }
        }
        table.register(ChatPromptPreview.self) { params, context in
            try await engine.models.withModel(params.model) { try await renderedPrompt(params, context, $0) }
        }
    }

    /// Everything a turn needs before the model runs.
    private struct Prepared {
        var store: Store
        var scheduler: Scheduler
        var session: SessionSummary?
        var prompt: ChatPrompt
        var options: SamplingOptions
        var format: JSONGrammar?
        var tools: ChatTools?
        var encode: @Sendable (String) -> [Int32]
        /// The passages in the prompt with the features they were ranked by.
        var ranked: [PassageRanker.Ranked]
        /// The answer preset chosen from the user's taste (nil when they said how they like answers).
        var preset: TastePreset?
    }

    /// Checks the request and builds its prompt: the caller's session (created when
    /// `createSession` and none is given), profile, passages, tools and format, fitted to the
    /// budget.
    private func prepare(_ params: Chat.Params, _ context: RequestContext, _ host: ModelHost, createSession: Bool) async throws -> Prepared {
        guard !params.message.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw RPCError.invalidParams("the message is empty", field: "message")
        }
        let retrieval = try Self.retrieval(params.retrieval)
        let store = try openStore()
        let uid = context.peer.uid
        let profile = try store.preferences(owner: uid)
        let given = try Self.options(params.options, defaults: profile.first { $0.key == "options" }?.value)
        _ = try EngineMethods.samplingOptions(given)  // a bad option is named before any model work
        let preset = Self.preset(store, uid: uid, options: given, profile: profile)
        let format = try EngineMethods.grammar(given?.format)
        // Just after the daemon starts, its plugins may still be starting: their tools and
        // retrievers are worth a short wait.
        if params.tools != nil || retrieval != nil { await plugins.waitForStartup(timeout: .seconds(10)) }
        let scheduler = try await host.scheduler()
        // The caller's options over the model's recommended sampling for a conversation.
        var options = try EngineMethods.samplingOptions(given, defaults: EngineMethods.sampling(of: scheduler.generator, conversation: true).options)
        if let preset {
            // A detailed answer may use more tokens, but never more than a quarter of the context.
            let room = min(contextBudget, scheduler.generator.model.config.contextLength) / 4
            options.maxTokens = min(preset.maxTokens(from: options.maxTokens), max(options.maxTokens, room))
        }
        let turnFormat = Self.turnFormat(scheduler.generator)
        let tools = try ChatTools.offer(params, available: await plugins.tools(), format: Self.toolFormat(turnFormat, scheduler.generator))
        let (session, history) = try openSession(store, uid: uid, id: params.session, message: params.message, create: createSession)
        let tokenizer = scheduler.generator.tokenizer
        var prompt = ChatPrompt(message: params.message)
        prompt.format = turnFormat
        prompt.tools = tools
        if let instructions = tools?.instructions { prompt.instructions.append(instructions) }
        if let schema = given?.format { prompt.instructions.append(Self.formatInstructions(schema)) }
        if let instruction = preset?.instruction { prompt.instructions.append(instruction) }
        // A language the user's feedback asked for, unless their language preference says otherwise.
        if !profile.contains(where: { $0.key == "language" }), let language = try? store.learnedLanguage(owner: uid) {
            prompt.instructions.append("Answer in \(language).")
        }
        // A layout the user's feedback asked for, unless they described their style themselves
        // or the request asks for JSON; no markup choice beside tools, whose calls may be fenced.
        if given?.format == nil, !Self.describesOwnStyle(profile) {
            let layout = ((try? store.learnedFormat(owner: uid)) ?? []).filter { tools == nil || $0.aspect != .markup }
            prompt.instructions += layout.map(\.instruction)
        }
        prompt.profile = profile
        Self.addTurns(&prompt, history: history, store: store, uid: uid)
        var ranked: [PassageRanker.Ranked] = []
        if let retrieval {
            ranked = await ranker.search(
                params.message, k: retrieval.k, owner: uid, timeout: .seconds(2), only: retrieval.sources, recording: true).ranked
            prompt.passages = ranked.map(\.passage)
            if params.stream == true, !prompt.passages.isEmpty {
                try? await context.progress(.retrieval, RetrievalSearch.Result(passages: prompt.passages, failed: []))
            }
        }
        // A template writes the BOS itself; the built-in format leaves it to the tokenizer.
        let bos = tokenizer.vocabulary.bos.map { tokenizer.vocabulary.tokens[Int($0)] }
        let encode: @Sendable (String) -> [Int32] = { text in
            tokenizer.encode(text, addSpecial: !(bos.map { !$0.isEmpty && text.hasPrefix($0) } ?? false), parseSpecial: true)
        }
        let limit = min(contextBudget, scheduler.generator.model.config.contextLength) - options.maxTokens
        let fitted = try fitWithExemplars(&prompt, limit: limit, maxTokens: options.maxTokens, encode: encode)
        prompt.keptTurns = fitted.kept
        // The first round's prompt is the one just fitted: its tokens are reused, not encoded again.
        let fittedText = try prompt.render(keptTurns: fitted.kept)
        let reuse: @Sendable (String) -> [Int32] = { $0 == fittedText ? fitted.tokens : encode($0) }
        return Prepared(
            store: store, scheduler: scheduler, session: session, prompt: prompt, options: options, format: format, tools: tools,
            encode: reuse, ranked: ranked, preset: preset)
    }

    private func chat(_ params: Chat.Params, _ context: RequestContext, _ host: ModelHost) async throws -> Chat.Result {
        var prepared = try await prepare(params, context, host, createSession: true)
        guard let session = prepared.session else { throw RPCError.internalError("no session was opened") }
        // The session's turns share one prompt cache, whichever connection continues it.
        var turn = ChatTurn(
            engine: engine, scheduler: prepared.scheduler, plugins: plugins, context: context, owner: session.id.hashValue, options: prepared.options,
            format: prepared.format, tools: prepared.tools, stream: params.stream == true, encode: prepared.encode)
        if prepared.options.temperature <= 0 {
            turn.history = Self.lookupHistory(prepared.store, owner: context.peer.uid, session: session.id, tokenizer: prepared.scheduler.generator.tokenizer)
        }
        let outcome = try await turn.run(&prepared.prompt)
        let prompt = prepared.prompt
        let citations = Self.citations(prompt.passages)
        let messageID = try storeTurn(prepared.store, uid: context.peer.uid, session: session.id, message: params.message, outcome, citations)
        // What feedback on this answer will teach from: its passages and its preset. (Losing
        // this loses a lesson, not the answer, which is stored already.)
        try? prepared.store.recordAnswer(
            owner: context.peer.uid, message: messageID, passages: PassageRanker.uses(prepared.ranked, answer: outcome.answer.text),
            preset: prepared.preset)
        // A cancelled answer is kept (marked so), then the request ends as cancelled.
        if outcome.answer.finishReason == .cancelled { throw RPCError.cancelled }
        let answer = outcome.answer
        let tokensPerSecond = outcome.decodeMs > 0 ? Double(outcome.completionTokens) / (outcome.decodeMs / 1000) : 0
        return Chat.Result(
            session: session.id, messageId: messageID, text: answer.text, citations: citations,
            toolCalls: outcome.calls.isEmpty ? nil : outcome.calls, finishReason: answer.finishReason.rawValue,
            usage: Usage(promptTokens: answer.promptTokens, cachedTokens: answer.cachedTokens, completionTokens: outcome.completionTokens,
                         droppedTurns: prompt.droppedTurns),
            timings: Timings(queuedMs: answer.queuedMs, prefillMs: outcome.prefillMs, decodeMs: outcome.decodeMs,
                             ttftMs: outcome.ttftMs ?? 0, tokensPerSecond: tokensPerSecond,
                             draftedTokens: outcome.draftedTokens > 0 ? outcome.draftedTokens : nil,
                             acceptedDraftTokens: outcome.draftedTokens > 0 ? outcome.acceptedDraftTokens : nil))
    }

    /// `chat.prompt`: the prompt `chat` would send, without running the model or storing anything.
    private func renderedPrompt(_ params: Chat.Params, _ context: RequestContext, _ host: ModelHost) async throws -> ChatPromptPreview.Result {
        var quiet = params
        quiet.stream = false
        let prepared = try await prepare(quiet, context, host, createSession: false)
        let text = try prepared.prompt.render(keptTurns: prepared.prompt.keptTurns)
        return ChatPromptPreview.Result(
            prompt: text, promptTokens: prepared.encode(text).count, droppedTurns: prepared.prompt.droppedTurns,
            citations: Self.citations(prepared.prompt.passages))
    }

    /// `retrieval`: "auto" (3 passages from every retriever), "off" (nil), or `{k, sources}`.
    static func retrieval(_ given: JSONValue?) throws -> (k: Int, sources: Set<String>?)? {
        switch given {
        case nil, .string("auto")?: return (3, nil)
        case .string("off")?: return nil
        case .object(let fields)?:
            if let unknown = fields.keys.first(where: { $0 != "k" && $0 != "sources" }) {
                throw RPCError.invalidParams("retrieval has no field \(unknown)", field: "retrieval.\(unknown)")
            }
            let k = fields["k"].map { $0.intValue.map(Int.init) ?? -1 } ?? 3
            guard (1...20).contains(k) else { throw RPCError.invalidParams("retrieval.k is 1...20", field: "retrieval.k") }
            var sources: Set<String>?
            if let listed = fields["sources"] {
                guard let names = listed.arrayValue?.compactMap(\.stringValue), names.count == listed.arrayValue?.count else {
                    throw RPCError.invalidParams("retrieval.sources lists plugin names", field: "retrieval.sources")
                }
                sources = Set(names)
            }
            return (k, sources)
        default:
            throw RPCError.invalidParams("retrieval is \"auto\", \"off\" or {k, sources}", field: "retrieval")
        }
    }

    /// The answer preset the user's ratings choose, unless they said how they like answers: a
    /// `style` or `instructions` preference, or a token limit of their own (explicit wins).
    /// The session's turns and the caller's exemplars for the message. An exemplar from this
    /// very session (an answer corrected or rated up in it) takes its answer's place in the
    /// turns instead of being shown twice; the others open the conversation. None beside tools:
    /// a template may attach the tools to the first user turn, which would be an exemplar's.
    static func addTurns(_ prompt: inout ChatPrompt, history: [SessionMessage], store: Store, uid: UInt32) {
        let found = prompt.tools == nil ? (try? store.exemplars(owner: uid, similarTo: prompt.message, limit: 2)) ?? [] : []
        let approved = Dictionary(found.map { ($0.message, $0.answer) }) { first, _ in first }
        prompt.turns = history.filter { $0.role == "user" || $0.role == "assistant" }.map { ($0.role, approved[$0.id] ?? $0.content) }
        let inSession = Set(history.map(\.id))
        prompt.exemplars = found.filter { !inSession.contains($0.message) }.map { ($0.question, $0.answer) }
    }

    /// Whether the user described how they like answers (a `style` or `instructions`
    /// preference): that wins over the learned preset and layout.
    static func describesOwnStyle(_ profile: [(key: String, value: JSONValue)]) -> Bool {
        profile.contains { $0.key == "style" || $0.key == "instructions" }
    }

    static func preset(_ store: Store, uid: UInt32, options: Generate.Options?, profile: [(key: String, value: JSONValue)]) -> TastePreset? {
        let explicit = options?.maxTokens != nil || describesOwnStyle(profile)
        guard !explicit, let tally = try? store.tasteTally(owner: uid) else { return nil }
        return tally.choice
    }

    /// The model file's chat template when it has one that parses; Gemma's turns otherwise.
    static func turnFormat(_ generator: TextGenerator) -> ChatPrompt.Format {
        guard let source = generator.model.file["tokenizer.chat_template"]?.stringValue,
            let template = try? ChatTemplate(source) else { return .gemma }
        let vocabulary = generator.tokenizer.vocabulary
        let text = { (id: Int32?) in id.map { vocabulary.tokens[Int($0)] } ?? "" }
        return .template(template, bos: text(vocabulary.bos), eos: text(vocabulary.eos))
    }

    /// The caller's latest text from other sessions (about 16,000 characters, oldest first), as
    /// tokens for speculative decoding to draft from; only ever this uid's own messages.
    static func lookupHistory(_ store: Store, owner: UInt32, session: String, tokenizer: Tokenizer) -> [Int32] {
        guard let texts = try? store.recentText(owner: owner, excluding: session, characters: 16_000), !texts.isEmpty else { return [] }
        return tokenizer.encode(texts.reversed().joined(separator: "\n\n"), addSpecial: false)
    }

    /// The tool-call format of the model's template (fenced for the built-in Gemma format).
    static func toolFormat(_ turns: ChatPrompt.Format, _ generator: TextGenerator) -> ToolCallFormat {
        guard case .template = turns else { return .fenced }
        return ToolCallFormat.of(template: generator.model.file["tokenizer.chat_template"]?.stringValue)
    }

    private static func citations(_ passages: [RetrievalSearch.Passage]) -> [Chat.Citation] {
        passages.enumerated().map { index, passage in
            Chat.Citation(number: index + 1, citation: passage.citation, source: passage.source, retriever: passage.retriever)
        }
    }

    private func openStore() throws -> Store {
        switch store {
        case .success(let opened): return opened
        case .failure(let reason): throw RPCError.internalError("chat needs the memory store, which is unavailable: \(reason)")
        }
    }

    /// Stores the user's message and the answer (with its calls, citations and how it ended)
    /// in one transaction; the answer's id.
    private func storeTurn(
        _ store: Store, uid: UInt32, session: String, message: String, _ outcome: ChatTurn.Outcome, _ citations: [Chat.Citation]
    ) throws -> Int64 {
        let encoder = JSONValueEncoder()
        var answer = NewMessage(
            role: "assistant", content: outcome.answer.text,
            toolCalls: outcome.calls.isEmpty ? nil : try encoder.encode(outcome.calls),
            citations: citations.isEmpty ? nil : try encoder.encode(citations))
        answer.promptTokens = outcome.answer.promptTokens
        answer.completionTokens = outcome.completionTokens
        answer.finish = outcome.answer.finishReason.rawValue
        let stored: [Int64]?
        do {
            stored = try store.append(owner: uid, session: session, messages: [NewMessage(role: "user", content: message), answer])
        } catch {
            throw RPCError.internalError("the answer could not be stored: \(Store.explain(error).message)")
        }
        guard let ids = stored else { throw RPCError.notFound("session \(session)") }
        return ids[1]
    }

    /// What the system text says when the answer must follow a format.
    static func formatInstructions(_ format: JSONValue) -> String {
        guard format.objectValue != nil, let schema = try? JSONCodec.encodeToString(format) else {
            return "Answer with JSON only."
        }
        return "Answer with JSON only, following this JSON Schema: \(schema)"
    }

    /// The request's options over the user's default options (the `options` preference).
    static func options(_ given: Generate.Options?, defaults: JSONValue?) throws -> Generate.Options? {
        guard case .object(var merged)? = defaults else { return given }
        if let given, case .object(let fields) = try JSONValueEncoder().encode(given) { merged.merge(fields) { $1 } }
        return try JSONValueDecoder().decode(Generate.Options.self, from: .object(merged))
    }

    /// The caller's session and its messages, or a new session titled after the message (or
    /// none, when not to `create`).
    private func openSession(
        _ store: Store, uid: UInt32, id: String?, message: String, create: Bool
    ) throws -> (SessionSummary?, [SessionMessage]) {
        do {
            if let id {
                guard let found = try store.session(owner: uid, id: id) else { throw RPCError.notFound("session \(id)") }
                return found
            }
            guard create else { return (nil, []) }
            let title = String(message.split(separator: "\n").first?.prefix(60) ?? "")
            return (try store.createSession(owner: uid, title: title, model: nil), [])
        } catch let error as RPCError {
            throw error
        } catch {
            throw RPCError.internalError("the memory store failed: \(Store.explain(error).message)")
        }
    }

    /// How many recent turns fit in `limit` with the rest of the prompt (whole exchanges dropped
    /// oldest first), and the prompt's tokens with them. Nothing is cut silently: what cannot fit even
    /// without history is the "context too long" error with the counts.
    /// `fit`, then the exemplars if they fit beside the turns kept without them (turns of the
    /// conversation come first).
    private func fitWithExemplars(_ prompt: inout ChatPrompt, limit: Int, maxTokens: Int, encode: (String) -> [Int32]) throws
        -> (kept: Int, tokens: [Int32])
    {
        let exemplars = prompt.exemplars
        prompt.exemplars = []
        let plain = try fit(prompt, limit: limit, maxTokens: maxTokens, encode: encode)
        guard !exemplars.isEmpty else { return plain }
        prompt.exemplars = exemplars
        let tokens = encode(try prompt.render(keptTurns: plain.kept))
        if tokens.count <= limit { return (plain.kept, tokens) }
        prompt.exemplars = []
        return plain
    }

    private func fit(_ prompt: ChatPrompt, limit: Int, maxTokens: Int, encode: (String) -> [Int32]) throws -> (kept: Int, tokens: [Int32]) {
        var kept = prompt.turns.count
        while true {
            let tokens = encode(try prompt.render(keptTurns: kept))
            if tokens.count <= limit { return (kept, tokens) }
            guard kept > 0 else { throw RPCError.contextTooLong(promptTokens: tokens.count + maxTokens, contextLength: limit + maxTokens) }
            kept = max(0, kept - 2)
        }
    }
}
