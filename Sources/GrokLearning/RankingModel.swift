import Foundation

/// A user's passage ranking, learned from feedback: online logistic regression over
/// `PassageFeatures`, started from (and pulled back toward) the retriever's own order.
///
/// A passage's score is the retriever's normalised score plus the learned adjustment. The
/// adjustment can never take more than `floor` off a passage, so a handful of ratings cannot
/// bury a source that the retriever finds relevant. It also counts only as far as it has
/// earned trust: each rated answer checks, before learning from it, whether the learned order
/// or the retriever's agrees with the labels where the two differ, and only a learned order
/// that wins clearly more often than it loses (as random feedback never does for long) is
/// applied.
public struct RankingModel: Sendable, Equatable, Codable {
    /// The untrained model: the retriever's order.
    public static let prior: [Double] = PassageFeatures.names.map { $0 == "retrieverScore" ? 1 : 0 }
    /// The most the learned adjustment takes off a passage (the best candidate scores 1).
    public static let floor = 0.5
    /// Examples at which the adjustment counts for half.
    static let halfConfidence = 10.0
    /// Pull toward the prior on every step (L2).
    static let regularisation = 0.01

    public var weights: [Double]
    public var bias: Double
    /// Labelled passages learned from.
    public var examples: Int
    /// Pairs of rated passages the learned order put the right way round where the retriever's
    /// did not, and the other way about.
    public var wins: Double
    public var losses: Double

    public init(weights: [Double] = RankingModel.prior, bias: Double = 0, examples: Int = 0, wins: Double = 0, losses: Double = 0) {
        self.weights = weights
        self.bias = bias
        self.examples = examples
        self.wins = wins
        self.losses = losses
    }

    /// How far the learned adjustment is applied (0...1): nothing until the learned order has
    /// beaten the retriever's by one standard deviation of chance, all of it from three.
    public var trust: Double {
        let contests = wins + losses
        guard contests > 0 else { return 0 }
        return min(1, max(0, ((wins - losses) / contests.squareRoot() - 1) / 2))
    }

    /// What learning adds to a passage's score, within [-floor, 1], as far as it is trusted.
    public func adjustment(_ passage: PassageFeatures) -> Double {
        let confidence = Double(examples) / (Double(examples) + Self.halfConfidence)
        return trust * confidence * learnedAdjustment(passage)
    }

    /// The model's own adjustment, before trust and confidence.
    func learnedAdjustment(_ passage: PassageFeatures) -> Double {
        var learned = 0.0
        for index in 0..<PassageFeatures.count { learned += (weights[index] - Self.prior[index]) * passage.values[index] }
        return min(1, max(-Self.floor, learned))
    }

    static func priorScore(_ passage: PassageFeatures) -> Double {
        var prior = 0.0
        for index in 0..<PassageFeatures.count { prior += Self.prior[index] * passage.values[index] }
        return prior
    }

    /// The passage's score: the retriever's normalised score plus the learned adjustment.
    public func score(_ passage: PassageFeatures) -> Double {
        Self.priorScore(passage) + adjustment(passage)
    }

    /// Before learning from a rated answer: where the learned order and the retriever's differ
    /// on a pair of its passages with different labels, which one had it right.
    mutating func judge(_ batch: [Example]) {
        for (first, a) in batch.enumerated() {
            for b in batch[(first + 1)...] where a.label != b.label {
                let (better, worse) = a.label > b.label ? (a.features, b.features) : (b.features, a.features)
                let learned = Self.priorScore(better) + learnedAdjustment(better) - Self.priorScore(worse) - learnedAdjustment(worse)
                let retriever = Self.priorScore(better) - Self.priorScore(worse)
                guard (learned > 0) != (retriever > 0) else { continue }
                if learned > 0 { wins += 1 } else { losses += 1 }
            }
        }
    }

    enum CodingKeys: String, CodingKey { case weights, bias, examples, wins, losses }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            weights: try container.decode([Double].self, forKey: .weights), bias: try container.decode(Double.self, forKey: .bias),
            examples: try container.decode(Int.self, forKey: .examples),
            wins: try container.decodeIfPresent(Double.self, forKey: .wins) ?? 0, losses: try container.decodeIfPresent(Double.self, forKey: .losses) ?? 0)
    }

    /// The candidates' indices, best first (ties keep the retriever's order).
    public func order(_ passages: [PassageFeatures]) -> [Int] {
        let scores = passages.map(score)
        return passages.indices.sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 }
    }

    /// One passage with what feedback said about it: a label above 0 helped, below 0 did not;
    /// its size is how sure the signal is.
    public struct Example: Sendable, Equatable {
        public var features: PassageFeatures
        public var label: Double
        public init(features: PassageFeatures, label: Double) {
            self.features = features
            self.label = label
        }
    }

    /// One rated answer's passages: first judged (learned order against the retriever's), then
    /// one stochastic gradient step of the logistic loss per passage, each weighted by how sure
    /// its label is; the step shrinks as the model has seen more.
    public mutating func learn(_ batch: [Example]) {
        judge(batch)
        for example in batch where example.label != 0 {
            let target = example.label > 0 ? 1.0 : 0.0
            let certainty = min(1, abs(example.label))
            var logit = bias
            for index in 0..<PassageFeatures.count { logit += weights[index] * example.features.values[index] }
            let error = (target - 1 / (1 + exp(-logit))) * certainty
            let rate = 0.5 / (1 + Double(examples) / 200)
            for index in 0..<PassageFeatures.count {
                let pull = Self.regularisation * (weights[index] - Self.prior[index])
                weights[index] += rate * (error * example.features.values[index] - pull)
            }
            bias += rate * error
            examples += 1
        }
    }
}

/// Turns feedback on an answer into labels for the passages that went into it. The passages
/// the answer (or the user's correction) drew on carry the signal; the others get a weaker one.
public enum FeedbackLabels {
    /// How much of `answer`'s vocabulary comes from `passage` (0...1).
    public static func match(_ passage: String, answer: String) -> Double {
        let answerWords = Set(Words.of(answer))
        guard !answerWords.isEmpty else { return 0 }
        return Double(answerWords.intersection(Words.of(passage)).count) / Double(answerWords.count)
    }

    /// Labels for passages whose matches with the answer are `answerMatches`, after a rating
    /// (`+1` or `-1`) and, when the user corrected the answer, the matches with the correction.
    public static func labels(answerMatches: [Double], rating: Int, correctionMatches: [Double]? = nil) -> [Double] {
        if let corrected = correctionMatches, let best = corrected.max(), best > 0 {
            // The passages holding what the user wrote were the ones to use.
            return corrected.map { $0 >= 0.6 * best ? 1 : -0.5 }
        }
        let best = answerMatches.max() ?? 0
        let used = answerMatches.map { best > 0 && $0 >= 0.6 * best }
        if rating > 0 {
            // The answer was good: the passages it drew on helped; the rest were not needed.
            return best > 0 ? used.map { $0 ? 1 : -0.25 } : answerMatches.map { _ in 0 }
        }
        // The answer was bad: the passages it drew on misled it; the others may have held the
        // answer, so they are left alone.
        return used.map { $0 ? -1 : 0 }
    }
}
