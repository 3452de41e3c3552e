import Foundation
import GrokEngine
import GrokJSON
import GrokProtocol
import GrokRPC
import Synchronization

/// `tokenize`, `detokenize`, `model.info` and `generate`, served by the model host; generations
/// run on its shared engine (the scheduler), together with everyone else's.
struct EngineMethods: Sendable {
    let models: ModelRegistry

    func register(in table: inout MethodTable) {
        table.register(Tokenize.self) { params, _ in
            try await models.withModel(params.model) { host in
                try await host.run { generator in
                    Tokenize.Result(ids: generator.tokenizer.encode(
                        params.text, addSpecial: params.addSpecial ?? true, parseSpecial: params.parseSpecial ?? false))
                }
            }
        }
        table.register(Detokenize.self) { params, _ in
            try await models.withModel(params.model) { host in
                try await host.run { generator in
                    let vocabularySize = generator.tokenizer.vocabulary.count
                    if let bad = params.ids.first(where: { $0 < 0 || Int($0) >= vocabularySize }) {
                        throw RPCError.invalidParams("token id \(bad) is not in the vocabulary (0..<\(vocabularySize))", field: "ids")
                    }
                    return Detokenize.Result(text: generator.tokenizer.decode(params.ids))
                }
            }
        }
        table.register(ModelInfo.self) { _, _ in try await models.withModel(nil) { host in try await host.run { info(of: $0) } } }
        table.register(Generate.self) { params, context in try await generate(params, context) }
    }

    private func info(of generator: TextGenerator) -> ModelInfo.Result {
        let file = generator.model.file
        let parameters = file.tensors.values.reduce(0) { $0 + $1.elementCount }
        let dominant = ModelMethods.quantization(of: file) ?? "unknown"
        return ModelInfo.Result(
            name: file["general.name"]?.stringValue ?? (file.path as NSString).lastPathComponent, path: file.path,
            architecture: file["general.architecture"]?.stringValue ?? "unknown",
            contextLength: generator.model.config.contextLength, vocabSize: generator.tokenizer.vocabulary.count,
            parameters: parameters, quantization: dominant, sampling: Self.chatSampling(of: generator))
    }

    /// What `chat` samples with on this model unless the caller says otherwise, and where from.
    static func chatSampling(of generator: TextGenerator) -> ModelInfo.Sampling {
        let (options, keys) = sampling(of: generator, conversation: true)
        return ModelInfo.Sampling(
            temperature: options.temperature, topK: options.topK, topP: options.topP, minP: options.minP,
            repeatPenalty: options.repeatPenalty, penaltyWindow: options.penaltyWindow, fromModelFile: keys)
    }

    /// Progress while waiting for a slot.
    struct Queued: Encodable { let position: Int }

    /// Events of one generation, from the engine thread to the request's task.
    enum Event: Sendable {
        case queued(Int)
        case delta(Generate.Delta)
    }

    private func generate(_ params: Generate.Params, _ context: RequestContext) async throws -> Generate.Result {
        _ = try Self.samplingOptions(params.options)  // a bad option is named before the model loads
        return try await models.withModel(params.model) { host in
            let scheduler = try await host.scheduler()
            let options = try Self.samplingOptions(params.options, defaults: Self.sampling(of: scheduler.generator, conversation: false).options)
            return try await generate(params, options, on: scheduler, context)
        }
    }

    /// The sampling a request on this model gets when it gives no options: what the model file
    /// recommends (`general.sampling.*`), over grok's conversation defaults for `chat` or the
    /// engine's general ones for `generate` (a continuation of text, not an answer); with the
    /// metadata keys the file had.
    static func sampling(of generator: TextGenerator, conversation: Bool) -> (options: SamplingOptions, keys: [String]) {
        ModelSampling.recommended(
            by: generator.model.file, over: conversation ? ModelSampling.conversation : SamplingOptions(),
            contextLength: generator.model.config.contextLength)
    }

    private func generate(
        _ params: Generate.Params, _ options: SamplingOptions, on scheduler: Scheduler, _ context: RequestContext
    ) async throws -> Generate.Result {
        let prompt = scheduler.generator.tokenizer.encode(params.prompt, addSpecial: true, parseSpecial: params.parseSpecial ?? true)
        let result = try await run(
            prompt, on: scheduler, options: options, owner: Int(truncatingIfNeeded: context.connectionID), cachePrompt: params.cachePrompt ?? true,
            grammar: try Self.grammar(params.options?.format), stream: params.stream == true, context: context)
        if result.finishReason == .cancelled { throw RPCError.cancelled }
        let tokensPerSecond = result.decodeMs > 0 ? Double(result.ids.count) / (result.decodeMs / 1000) : 0
        return Generate.Result(
            text: result.text, ids: result.ids, finishReason: result.finishReason.rawValue,
            usage: Usage(promptTokens: result.promptTokens, cachedTokens: result.cachedTokens, completionTokens: result.ids.count),
            timings: Timings(
                queuedMs: result.queuedMs, prefillMs: result.prefillMs, decodeMs: result.decodeMs,
                ttftMs: result.queuedMs + result.prefillMs, tokensPerSecond: tokensPerSecond,
                draftedTokens: result.draftedTokens > 0 ? result.draftedTokens : nil,
                acceptedDraftTokens: result.draftedTokens > 0 ? result.acceptedDraftTokens : nil),
            logprobs: options.logprobs > 0
                ? result.logprobs.map { $0.map { Generate.TokenLogprob(id: $0.id, logprob: $0.logprob) } } : nil)
    }

    /// One generation on the shared engine: queued and delta progress streamed when asked,
    /// cancelled with the request (the result then says `cancelled` and holds what was
    /// generated). `owner` shares a prompt cache (a connection, or a session); `grammar`
    /// constrains the output to a JSON value.
    func run(
        _ prompt: [Int32], on scheduler: Scheduler, options: SamplingOptions, owner: Int, cachePrompt: Bool, grammar: JSONGrammar? = nil,
        lookupHistory: [Int32] = [], stream streaming: Bool, context: RequestContext
    ) async throws -> GenerationResult {
        let cancelled = Atomic<Bool>(false)
        let (events, sink) = AsyncStream<Event>.makeStream()
        async let forwarded: Void = {
            for await event in events where streaming {
                switch event {
                case .queued(let position): try? await context.progress(.queued, Queued(position: position))
                case .delta(let delta): try? await context.progress(.delta, delta)
                }
            }
        }()
        let result: GenerationResult = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                var request = GenerationRequest(
                    prompt: prompt, options: options, owner: owner,
                    onQueued: { sink.yield(.queued($0)) },
                    onText: { text, ids in sink.yield(.delta(Generate.Delta(text: text, ids: ids))) },
                    onFinish: { result in
                        sink.finish()
                        continuation.resume(returning: result)
                    },
                    isCancelled: { cancelled.load(ordering: .relaxed) })
                request.cachePrompt = cachePrompt
                request.grammar = grammar
                request.lookupHistory = lookupHistory
                do throws(SchedulerRefusal) {
                    try scheduler.submit(request)
                } catch {
                    sink.finish()
                    continuation.resume(throwing: Self.rpcError(error))
                }
            }
        } onCancel: {
            cancelled.store(true, ordering: .relaxed)
        }
        await forwarded
        return result
    }

    /// `options.format` as a grammar: "json" for any JSON value, or a JSON Schema.
    static func grammar(_ format: JSONValue?) throws -> JSONGrammar? {
        guard let format else { return nil }
        if format == .string("json") { return .any }
        guard format.objectValue != nil else {
            throw RPCError.invalidParams("format is \"json\" or a JSON Schema object", field: "options.format")
        }
        do {
            return try JSONGrammar(schema: format)
        } catch {
            throw RPCError.invalidParams("format: \(error.description)", field: "options.format")
        }
    }

    /// The scheduler's refusals as JSON-RPC errors.
    static func rpcError(_ refusal: SchedulerRefusal) -> RPCError {
        switch refusal {
        case .overloaded(let queued, let retryAfterMs):
            return .overloaded("\(queued) generations are already waiting", retryAfterMs: retryAfterMs)
        case .contextTooLong(let tokens, let contextLength):
            return .contextTooLong(promptTokens: tokens, contextLength: contextLength)
        case .emptyPrompt:
            return .invalidParams("the prompt encodes to no tokens", field: "prompt")
        case .cacheBudgetExceeded(let needed, let budget):
            return .cacheBudgetExceeded(neededBytes: needed, budgetBytes: budget)
        case .stopped:
            return .modelUnavailable("the model was unloaded while the request waited; send it again")
        }
    }

    /// Wire options over `defaults` → sampling options, each value checked and named when wrong.
    static func samplingOptions(_ given: Generate.Options?, defaults: SamplingOptions = SamplingOptions()) throws -> SamplingOptions {
        var options = defaults
        guard let given else { return options }
        if let value = given.maxTokens {
            guard (1...32_768).contains(value) else { throw RPCError.invalidParams("maxTokens must be 1...32768", field: "options.maxTokens") }
            options.maxTokens = value
        }
        if let value = given.temperature {
            guard value >= 0, value <= 10 else { throw RPCError.invalidParams("temperature must be 0...10", field: "options.temperature") }
            options.temperature = value
        }
        if let value = given.topK { options.topK = value }
        if let value = given.topP {
            guard value > 0, value <= 1 else { throw RPCError.invalidParams("topP must be in (0, 1]", field: "options.topP") }
            options.topP = value
        }
        if let value = given.minP {
            guard value >= 0, value < 1 else { throw RPCError.invalidParams("minP must be in [0, 1)", field: "options.minP") }
            options.minP = value
        }
        if let value = given.repeatPenalty { options.repeatPenalty = value }
        if let value = given.presencePenalty { options.presencePenalty = value }
        if let value = given.frequencyPenalty { options.frequencyPenalty = value }
        options.seed = given.seed
        if let value = given.stop { options.stop = value }
        if let value = given.logprobs {
            guard (0...20).contains(value) else { throw RPCError.invalidParams("logprobs must be 0...20", field: "options.logprobs") }
            options.logprobs = value
        }
        return options
    }
}
