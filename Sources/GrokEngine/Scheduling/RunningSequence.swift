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
    /// The prompt followed by `ids`, kept up to date so that drafting each step copies nothing.
    private var tokens: [Int32]
    private var logprobs: [[(id: Int32, logprob: Float)]] = []
    private var prefillEnd: ContinuousClock.Instant?
    /// The token to feed in the next decode step.
    private(set) var next: Int32 = 0

    /// Prompt tokens already in `cache` (from the prompt cache).
    let reused: Int
    /// Drafted tokens sent for verification, and how many of them the model confirmed.
    private(set) var drafted = 0
    private(set) var confirmed = 0
    /// How many tokens to draft next: grows while drafts are confirmed whole, shrinks when they
    /// are not. Steps to skip drafting after drafts kept failing (a rejected row is wasted work).
    private var draftSize = 4
    private var draftPause = 0
    private var draftMisses = 0
    /// Bytes of the engine's KV budget held for this sequence (the most its cache can need).
    var reservedBytes = 0

    init(_ request: GenerationRequest, cache: KVCache, reused: Int = 0, queuedMs: Double) {
        self.request = request
        self.cache = cache
        self.reused = reused
        self.queuedMs = queuedMs
        tokens = request.prompt
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
        tokens.append(token)
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

    /// Tokens to verify after `next` in the coming step: what followed the latest earlier
    /// occurrence of the last three (else two) tokens in the prompt and output (prompt lookup),
    /// at most `limit` and what maxTokens and the context leave. Only for greedy sequences
    /// without a grammar, whose next tokens do not depend on chance.
    func draft(limit: Int, contextLength: Int) -> [Int32] {
        guard limit > 0, request.options.temperature <= 0, matcher == nil, !ids.isEmpty else { return [] }
        if draftPause > 0 {
            draftPause -= 1
            return []
        }
        // Verified rows may not reach past maxTokens or the context (where a plain step would stop).
        let room = min(limit, draftSize, request.options.maxTokens - ids.count - 1, contextLength - cache.count - 2)
        guard room > 0 else { return [] }
        return Self.lookup(in: tokens, history: request.lookupHistory, limit: room)
    }

    /// Prompt lookup over `context` (prompt and output): the tokens after the most recent
    /// earlier match of its last n tokens (n = 3, then 2); failing that, after the most recent
    /// match of the last three in the user's `history`.
    static func lookup(in context: [Int32], history: [Int32] = [], limit: Int) -> [Int32] {
        for n in [3, 2] where context.count > n {
            if let found = latestMatch(of: context.suffix(n), in: context, before: context.count - n) {
                return Array(context[found..<min(context.count, found + limit)])
            }
        }
        if context.count >= 3, let found = latestMatch(of: context.suffix(3), in: history, before: history.count) {
            return Array(history[found..<min(history.count, found + limit)])
        }
        return []
    }

    /// Where the tokens after the latest occurrence of `tail` in `tokens` start (occurrences
    /// starting before `end`, with at least one token after them), or nil.
    private static func latestMatch(of tail: ArraySlice<Int32>, in tokens: [Int32], before end: Int) -> Int? {
        var start = min(end, tokens.count - tail.count - 1)
        while start >= 0 {
            if tokens[start..<(start + tail.count)].elementsEqual(tail) { return start + tail.count }
            start -= 1
        }
        return nil
    }

    /// Records a verified draft: `sent` tokens drafted, `kept` of them confirmed; the cache
    /// forgets the rows of the rest.
    func verified(sent: Int, kept: Int, cacheBefore: Int) {
        drafted += sent
        confirmed += kept
        cache.truncate(to: cacheBefore + 1 + kept)
        if kept == sent {
            draftSize = min(2 * draftSize, 64)
            draftMisses = 0
        } else if kept > 0 {
            draftSize = kept + 1
            draftMisses = 0
        } else {
            // Wrong from the first token: draft less, and after repeated misses not at all for
            // a while (longer each time), so text the lookup cannot predict costs almost nothing.
            draftSize = max(1, draftSize / 2)
            draftMisses += 1
            if draftMisses >= 2 { draftPause = min(64, 1 << draftMisses) }
        }
    }

    /// The tokens the cache holds now, one per position (prompt, then generated tokens fed back).
    var cachedTokens: [Int32] { Array(tokens.prefix(cache.count)) }

    func finish(_ reason: GenerationResult.FinishReason) -> GenerationResult {
        let tail = output.finish()
        if !tail.isEmpty { request.onText(tail, []) }
        let now = ContinuousClock.now
        let prefillEnd = prefillEnd ?? now
        return GenerationResult(
            text: output.text, ids: ids, finishReason: reason, promptTokens: request.prompt.count,
            prefillMs: (prefillEnd - admitted) / .milliseconds(1), decodeMs: (now - prefillEnd) / .milliseconds(1),
            logprobs: logprobs, queuedMs: queuedMs, cachedTokens: reused, stoppedBy: output.stoppedBy, draftedTokens: drafted,
            acceptedDraftTokens: confirmed)
    }
}
