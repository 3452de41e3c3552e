import Foundation

/// A request in a scheduler slot: its cache, sampler and output so far.
final class RunningSequence {
    let request: GenerationRequest
    let cache: KVCache
    let queuedMs: Double
    let admitted = ContinuousClock.now
    private(set) var prefilled = 0
    private var sampler: Sampler
    private var output: GenerationOutput
    private var ids: [Int32] = []
    private var logprobs: [[(id: Int32, logprob: Float)]] = []
    private var prefillEnd: ContinuousClock.Instant?
    /// The token to feed in the next decode step.
    private(set) var next: Int32 = 0

    init(_ request: GenerationRequest, cache: KVCache, queuedMs: Double) {
        self.request = request
        self.cache = cache
        self.queuedMs = queuedMs
        sampler = Sampler(options: request.options)
        for token in request.prompt.suffix(request.options.penaltyWindow) { sampler.accept(token) }
        output = GenerationOutput(stops: request.options.stop)
    }

    var isPrefilling: Bool { prefilled < request.prompt.count }

    /// The next prompt chunk (fixed boundaries: every `chunk` tokens from the start).
    func nextChunk(_ chunk: Int) -> [Int32] {
        Array(request.prompt[prefilled..<min(request.prompt.count, prefilled + chunk)])
    }

    func prefilledChunk(_ count: Int) {
        prefilled += count
        if !isPrefilling { prefillEnd = .now }
    }

    /// Takes the logits after the sequence's last token: samples, emits text; returns the
    /// result when the sequence is finished.
    func accept(_ logits: [Float], tokenizer: SentencePieceTokenizer, contextLength: Int) -> GenerationResult? {
        let options = request.options
        let token = sampler.sample(logits)
        if options.logprobs > 0 { logprobs.append(Sampler.topLogprobs(logits, options.logprobs)) }
        if tokenizer.vocabulary.endOfGeneration.contains(token) { return finish(.stop) }
        ids.append(token)
        sampler.accept(token)
        let (piece, stopped) = output.append(tokenizer.bytes(of: token))
        if !piece.isEmpty { request.onText(piece, [token]) }
        if stopped { return finish(.stop) }
        if ids.count >= options.maxTokens || cache.count >= contextLength { return finish(.length) }
        next = token
        return nil
    }

    func finish(_ reason: GenerationResult.FinishReason) -> GenerationResult {
        let tail = output.finish()
        if !tail.isEmpty { request.onText(tail, []) }
        let now = ContinuousClock.now
        let prefillEnd = prefillEnd ?? now
        return GenerationResult(
            text: output.text, ids: ids, finishReason: reason, promptTokens: request.prompt.count,
            prefillMs: (prefillEnd - admitted) / .milliseconds(1), decodeMs: (now - prefillEnd) / .milliseconds(1),
            logprobs: logprobs, queuedMs: queuedMs)
    }
}
