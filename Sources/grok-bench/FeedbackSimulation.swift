import Foundation
import GrokEngine
import GrokLearning

/// A query of the offline evaluation: keywords taken from one line of a corpus file, with the
/// retriever's candidates for it and which of them hold that line (the relevant passages).
struct EvaluationQuery: Sendable {
    var text: String
    var file: String
    var line: String
    var candidates: [PassageFeatures.Candidate]
    var relevant: Set<Int>

    /// Three or four distinct words (four letters or more, no stopwords) of a random line of
    /// `text` that has at least five such words; the line too.
    static func keywords(from text: String, using random: inout SplitMix64) -> (query: String, line: String)? {
        let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { $0.count >= 30 }
        for _ in 0..<8 {
            guard let line = lines.randomElement(using: &random) else { return nil }
            let words = Words.uncommon(line)
            guard words.count >= 5 else { continue }
            let count = words.count >= 8 ? 4 : 3
            return (words.shuffled(using: &random).prefix(count).joined(separator: " "), line)
        }
        return nil
    }
}

/// How a simulated user behaves: which files their questions come from, and how they rate.
struct SimulatedUser: Sendable {
    var name: String
    /// Share of questions written from prose (docs, man pages); the rest from source code.
    var proseShare: Double
    /// Share of answers rated at all.
    var rated = 0.7
    /// Chance a rating says the opposite of what the answer deserved.
    var noise = 0.2
    /// Share of ratings down that come with a correction (the line the answer should have said).
    var corrected = 0.2
    /// Ratings at random, whatever the answer: a control.
    var coinFlip = false
    /// Chance the answer draws on a relevant passage when one is shown (else on a random one
    /// of those shown): how well the model picks what to use.
    var answerSkill = 0.7
}

/// One user's learning, exactly as the daemon does it (`PassageFeatures`, `FeedbackLabels`,
/// `RankingModel`, `FeedbackTally`), with the answers simulated: an answer draws on the first
/// relevant passage among those shown (with the user's `answerSkill`), else on a random one.
struct FeedbackSimulation {
    let user: SimulatedUser
    var random: SplitMix64
    var model = RankingModel()
    var tally = FeedbackTally()
    /// Files whose passages were rated at least once.
    var ratedFiles: Set<String> = []
    /// Passages put into each answer.
    var shown = 3

    /// The candidates' features and their order for this user now (the untrained model keeps
    /// the retriever's order).
    func ranked(_ query: EvaluationQuery) -> (features: [PassageFeatures], order: [Int]) {
        let features = PassageFeatures.of(query.candidates, query: query.text, feedback: tally)
        return (features, model.order(features))
    }

    /// One round: each training query asked once, in a random order, its answer rated (or not).
    mutating func round(_ queries: [EvaluationQuery]) {
        for query in queries.shuffled(using: &random) { ask(query) }
    }

    private mutating func ask(_ query: EvaluationQuery) {
        let (features, order) = ranked(query)
        let shown = Array(order.prefix(self.shown))
        guard !shown.isEmpty, Double.random(in: 0..<1, using: &random) < user.rated else { return }
        let relevant = shown.first { query.relevant.contains($0) }
        let skilled = Double.random(in: 0..<1, using: &random) < user.answerSkill
        let used = relevant.flatMap { skilled ? $0 : nil } ?? shown.randomElement(using: &random)!
        let answer = query.candidates[used].text
        var rating = query.relevant.contains(used) ? 1 : -1
        if user.coinFlip {
            rating = Bool.random(using: &random) ? 1 : -1
        } else if Double.random(in: 0..<1, using: &random) < user.noise {
            rating = -rating
        }
        let correction = rating < 0 && !user.coinFlip && Double.random(in: 0..<1, using: &random) < user.corrected ? query.line : nil
        let answerMatches = shown.map { FeedbackLabels.match(query.candidates[$0].text, answer: answer) }
        let correctionMatches = correction.map { text in shown.map { FeedbackLabels.match(query.candidates[$0].text, answer: text) } }
        let labels = FeedbackLabels.labels(answerMatches: answerMatches, rating: rating, correctionMatches: correctionMatches)
        model.learn(zip(shown, labels).map { RankingModel.Example(features: features[$0], label: $1) })
        for (index, label) in zip(shown, labels) {
            tally.add(source: query.candidates[index].source, retriever: query.candidates[index].retriever, label: label)
        }
        ratedFiles.insert(query.file)
    }

    /// MRR@10 and nDCG@10 (binary relevance) of `queries` in this user's current order.
    func measure(_ queries: [EvaluationQuery]) -> (mrr: Double, ndcg: Double) {
        guard !queries.isEmpty else { return (0, 0) }
        var mrr = 0.0, ndcg = 0.0
        for query in queries {
            let top = ranked(query).order.prefix(10)
            if let first = top.firstIndex(where: { query.relevant.contains($0) }) { mrr += 1 / Double(first + 1) }
            var gain = 0.0
            for (position, index) in top.enumerated() where query.relevant.contains(index) { gain += 1 / log2(Double(position) + 2) }
            let ideal = (0..<min(10, query.relevant.count)).reduce(0.0) { $0 + 1 / log2(Double($1) + 2) }
            if ideal > 0 { ndcg += gain / ideal }
        }
        return (mrr / Double(queries.count), ndcg / Double(queries.count))
    }
}
