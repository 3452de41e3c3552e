import Foundation

/// A request in a scheduler slot: its cache, sampler and output so far.
final class RunningSequence {
    let request: GenerationRequest
    let cache: KVCache
    let queuedMs: Double
    let admitted = ContinuousClock.now
    private(set) var prefilled = 0
    private var sampler: Sampler
    /// The request's grammar, followed as tokens are chosen.
    private var matcher: JSONMatcher?
    private var output: GenerationOutput
    private var ids: [Int32] = []
    private var logprobs: [[(id: Int32, logprob: Float)]] = []
    private var prefillEnd: ContinuousClock.Instant?
    /// The token to feed in the next decode step.
    private(set) var next: Int32 = 0

    /// Prompt tokens already in `cache` (from the prompt cache).
    let reused: Int
    /// Bytes of the engine's KV budget held for this sequence (the most its cache can need).
    var reservedBytes = 0

    init(_ request: GenerationRequest, cache: KVCache, reused: Int = 0, queuedMs: Double) {
        self.request = request
        self.cache = cache
        self.reused = reused
        self.queuedMs = queuedMs
        prefilled = reused
        sampler = Sampler(options: request.options)
        for token in request.prompt.suffix(request.options.penaltyWindow) { sampler.accept(token) }
        output = GenerationOutput(stops: request.options.stop)
        matcher = request.grammar.map(JSONMatcher.init)
    }

    var isPrefilling: Bool { prefilled < request.prompt.count }

    /// The prompt's segments: whole chunks of `chunk` tokens, then a final segment of the rest.
    /// A final rest under 8 tokens joins the chunk before it, so that every row is multiplied
    /// as llama.cpp multiplies a one-batch prompt (tiled from 8 rows, 4-row groups from the start).
    static func segments(promptLength n: Int, chunk: Int) -> [Int] {
        guard n > chunk else { return [n] }
        var whole = n / chunk
        var rest = n % chunk
        if rest == 0 {
            whole -= 1
            rest = chunk
        } else if rest < 8 {
            whole -= 1
            rest += chunk
        }
        return Array(repeating: chunk, count: whole) + [rest]
    }

    private var segments: [Int] = []
    private var segmentIndex = 0

    /// The next part of the prompt to prefill: whole segments up to `budget` tokens (at least
    /// one), or the final segment on its own. Which segments run together never changes a row's
    /// numbers (whole chunks are multiples of 4 rows and at least 8), so output is the same
    /// whatever else runs.
    func nextPrefill(chunk: Int, budget: Int) -> (tokens: [Int32], final: Bool) {
        planSegments(chunk: chunk)
        let last = segments.count - 1
        if segmentIndex == last {
            return (Array(request.prompt[prefilled...]), true)
        }
        var count = segments[segmentIndex]
        var index = segmentIndex + 1
        while index < last, count + segments[index] <= budget {
            count += segments[index]
            index += 1
        }
        return (Array(request.prompt[prefilled..<(prefilled + count)]), false)
    }

    /// Tokens of the next segment to prefill.
    func nextSegment(chunk: Int) -> Int {
        planSegments(chunk: chunk)
        return segments[segmentIndex]
    }

    private func planSegments(chunk: Int) {
        if segments.isEmpty { segments = Self.segments(promptLength: request.prompt.count - reused, chunk: chunk) }
    }

    func prefilledChunk(_ count: Int) {
        prefilled += count
        var covered = reused
        segmentIndex = 0
        for size in segments {
            guard covered + size <= prefilled else { break }
            covered += size
            segmentIndex += 1
        }
        if !isPrefilling { prefillEnd = .now }
    }

    /// Takes the logits after the sequence's last token: samples, emits text; returns the
    /// result when the sequence is finished.
    /// `tokenBytes` gives every token's bytes (asked only under a grammar).
    func accept(
        _ logits: UnsafeBufferPointer<Float>, tokenizer: Tokenizer, contextLength: Int, tokenBytes: () -> [[UInt8]]
    ) -> GenerationResult? {
        let options = request.options
        let token: Int32
        if matcher != nil {
            guard let chosen = sampleAllowed(logits, tokenizer.vocabulary, tokenBytes()) else { return finish(.stop) }
            token = chosen
        } else {
            token = sampler.sample(logits)
        }
        if options.logprobs > 0 { logprobs.append(Sampler.topLogprobs(Array(logits), options.logprobs)) }
        if tokenizer.vocabulary.endOfGeneration.contains(token) { return finish(.stop) }
        ids.append(token)
        sampler.accept(token)
        let (piece, stopped) = output.append(tokenizer.bytes(of: token))
        if !piece.isEmpty { request.onText(piece, [token]) }
        if stopped || matcher?.isFinished == true { return finish(.stop) }
        if ids.count >= options.maxTokens || cache.count >= contextLength { return finish(.length) }
        next = token
        return nil
    }

    /// The best token (by the sampler's rules) that keeps the output valid for the grammar, fed
    /// to the matcher; nil when none can. Ending is allowed once the value is whole; special
    /// tokens other than the ends never are.
    private func sampleAllowed(_ logits: UnsafeBufferPointer<Float>, _ vocabulary: Vocabulary, _ bytes: [[UInt8]]) -> Int32? {
        guard var matcher else { return nil }
        let current = matcher
        let chosen = sampler.sample(logits) { id in
            if vocabulary.endOfGeneration.contains(id) { return current.canEnd }
            let kind = vocabulary.kinds[Int(id)]
            guard kind == .normal || kind == .byte, !bytes[Int(id)].isEmpty else { return false }
            var trial = current
            return trial.feed(bytes[Int(id)])
        }
        if let chosen, !vocabulary.endOfGeneration.contains(chosen) {
            matcher.feed(bytes[Int(chosen)])
            self.matcher = matcher
        }
        return chosen
    }

    /// The tokens the cache holds now, one per position (prompt, then generated tokens fed back).
    var cachedTokens: [Int32] { Array((request.prompt + ids).prefix(cache.count)) }

    func finish(_ reason: GenerationResult.FinishReason) -> GenerationResult {
        let tail = output.finish()
        if !tail.isEmpty { request.onText(tail, []) }
        let now = ContinuousClock.now
        let prefillEnd = prefillEnd ?? now
        return GenerationResult(
            text: output.text, ids: ids, finishReason: reason, promptTokens: request.prompt.count,
            prefillMs: (prefillEnd - admitted) / .milliseconds(1), decodeMs: (now - prefillEnd) / .milliseconds(1),
            logprobs: logprobs, queuedMs: queuedMs, cachedTokens: reused, stoppedBy: output.stoppedBy)
    }
}
