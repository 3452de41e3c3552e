import Foundation

/// Picks tokens from logits: penalties, then greedy or temperature with top-k, top-p and
/// min-p, from a seeded generator so that the same seed gives the same output.
public struct Sampler {
    public let options: SamplingOptions
    private var random: SplitMix64
    private var recent: [Int32] = []

    public init(options: SamplingOptions) {
        self.options = options
        random = SplitMix64(seed: options.seed ?? UInt64.random(in: 0...UInt64.max))
    }

    /// Tells the sampler about a token already in the sequence (for the penalties).
    public mutating func accept(_ token: Int32) {
        recent.append(token)
        if recent.count > max(options.penaltyWindow, 0) { recent.removeFirst(recent.count - options.penaltyWindow) }
    }

    /// Chooses the next token.
    public mutating func sample(_ logits: [Float]) -> Int32 {
        logits.withUnsafeBufferPointer { sample($0) }
    }

    /// `sample` reading the logits in place.
    public mutating func sample(_ logits: UnsafeBufferPointer<Float>) -> Int32 {
        // Greedy without penalties needs no copy of the (vocabulary-sized) logits.
        if options.temperature <= 0 && !hasPenalties { return Int32(Self.argmax(logits)) }
        var logits = Array(logits)
        applyPenalties(&logits)
        guard options.temperature > 0 else { return Int32(Self.argmax(logits)) }
        return draw(from: Self.topK(logits, max(1, options.topK <= 0 ? logits.count : options.topK)))
    }

    /// Chooses the next token among those `allowed` says yes to (a grammar's), as `sample`
    /// would if the others were impossible; nil when no token is allowed. Only the candidates
    /// that could be chosen are asked, best first, so a grammar that agrees with the model
    /// costs a check or two per token.
    public mutating func sample(_ logits: UnsafeBufferPointer<Float>, allowed: (Int32) -> Bool) -> Int32? {
        var values = Array(logits)
        applyPenalties(&values)
        if options.temperature > 0 {
            let head = Self.topK(values, max(1, options.topK <= 0 ? values.count : options.topK)).filter { allowed($0.id) }
            if !head.isEmpty { return draw(from: head) }
        } else {
            let best = Int32(Self.argmax(values))
            if allowed(best) { return best }
        }
        // The best allowed token, looking further down the ranking each time.
        var looked = 0
        for width in [64, 2048, values.count] {
            let ranked = Self.topK(values, min(width, values.count))
            if let found = ranked[looked...].first(where: { allowed($0.id) }) { return found.id }
            looked = ranked.count
            if looked == values.count { break }
        }
        return nil
    }

    /// Draws from candidates (best first) with temperature, min-p and top-p.
    private mutating func draw(from head: [(id: Int32, logit: Float)]) -> Int32 {
        var candidates = head
        let temperature = Float(options.temperature)
        let maximum = candidates[0].logit
        var probabilities = candidates.map { exp(($0.logit - maximum) / temperature) }
        let total = probabilities.reduce(0, +)
        probabilities = probabilities.map { $0 / total }
        // min-p: drop tokens less likely than minP × the best one.
        let floor = Float(options.minP) * probabilities[0]
        var keep = probabilities.prefix { $0 >= floor }.count
        // top-p: the smallest head whose mass reaches topP.
        var mass: Float = 0
        for (index, p) in probabilities.prefix(keep).enumerated() {
            mass += p
            if mass >= Float(options.topP) {
                keep = index + 1
                break
            }
        }
        candidates = Array(candidates.prefix(max(1, keep)))
        let kept = probabilities.prefix(candidates.count)
        let draw = Float(random.nextUnit()) * kept.reduce(0, +)
        var running: Float = 0
        for (candidate, p) in zip(candidates, kept) {
            running += p
            if draw < running { return candidate.id }
        }
        return candidates.last!.id
    }

    private var hasPenalties: Bool {
        !recent.isEmpty && (options.repeatPenalty != 1 || options.frequencyPenalty != 0 || options.presencePenalty != 0)
    }

    private func applyPenalties(_ logits: inout [Float]) {
        guard hasPenalties else { return }
        var counts: [Int32: Int] = [:]
        for token in recent { counts[token, default: 0] += 1 }
        for (token, count) in counts where Int(token) < logits.count {
            var value = logits[Int(token)]
            if options.repeatPenalty != 1 {
                value = value > 0 ? value / Float(options.repeatPenalty) : value * Float(options.repeatPenalty)
            }
            value -= Float(options.frequencyPenalty) * Float(count) + Float(options.presencePenalty)
            logits[Int(token)] = value
        }
    }

    /// The index of the largest value (the first of equals; NaNs never win).
    static func argmax(_ values: [Float]) -> Int {
        values.withUnsafeBufferPointer { argmax($0) }
    }

    static func argmax(_ v: UnsafeBufferPointer<Float>) -> Int {
        guard let base = v.baseAddress else { return 0 }
        // The maximum sixteen lanes at a time, then the first index holding it.
        var lanes = SIMD16<Float>(repeating: -.infinity)
        let whole = v.count / 16 * 16
        var index = 0
        while index < whole {
            let chunk = UnsafeRawPointer(base + index).loadUnaligned(as: SIMD16<Float>.self)
            lanes = lanes.replacing(with: chunk, where: chunk .> lanes)
            index += 16
        }
        var maximum = lanes.max()
        for i in whole..<v.count where v[i] > maximum { maximum = v[i] }
        return v.firstIndex(of: maximum) ?? 0
    }

    /// The k largest logits, best first (ties: lower id first).
    static func topK(_ logits: [Float], _ k: Int) -> [(id: Int32, logit: Float)] {
        if k * 8 > logits.count {
            let all = logits.enumerated().map { (id: Int32($0.offset), logit: $0.element) }
            return Array(all.sorted { $0.logit > $1.logit || ($0.logit == $1.logit && $0.id < $1.id) }.prefix(k))
        }
        var heap: [(id: Int32, logit: Float)] = []
        heap.reserveCapacity(k + 1)
        for (index, logit) in logits.enumerated() {
            if heap.count < k {
                heap.append((Int32(index), logit))
                if heap.count == k { heap.sort { $0.logit > $1.logit } }
            } else if logit > heap[k - 1].logit {
                var position = k - 1
                while position > 0 && heap[position - 1].logit < logit { position -= 1 }
                heap.insert((Int32(index), logit), at: position)
                heap.removeLast()
            }
        }
        if heap.count < k { heap.sort { $0.logit > $1.logit } }
        return heap
    }

    /// Log-probabilities of the `n` most likely tokens (after nothing but softmax).
    public static func topLogprobs(_ logits: [Float], _ n: Int) -> [(id: Int32, logprob: Float)] {
        let maximum = logits.max() ?? 0
        let logSum = maximum + log(logits.reduce(Float(0)) { $0 + exp($1 - maximum) })
        return topK(logits, n).map { ($0.id, $0.logit - logSum) }
    }
}

/// A small, fast, seedable generator (SplitMix64), the same stream on every machine; the
/// tests and the tiny test models draw their data from it too.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    public mutating func nextUnit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
