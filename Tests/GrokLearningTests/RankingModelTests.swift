import Testing
@testable import GrokLearning

/// The ranking model on hand-made candidates: untrained it keeps the retriever's order; labels
/// teach it what helped; the floor holds; labels follow what the answer drew on.
@Suite struct RankingModelTests {
    /// Three candidates for "rotate the log files": the retriever likes the code, the prose
    /// covers every word of the query.
    static let candidates = [
        PassageFeatures.Candidate(text: "func rotate() { let files = logs.map { $0.path }; write(files) }", source: "/src/Rotate.swift",
                                  retriever: "docs.passages", score: 9),
        PassageFeatures.Candidate(text: "Rotating logs\nThe daemon can rotate the log files every night and keep seven.",
                                  source: "/docs/logs.md", retriever: "docs.passages", score: 7),
        PassageFeatures.Candidate(text: "Writing\nFiles are written atomically.", source: "/docs/files.md", retriever: "docs.passages", score: 5),
    ]

    static func features(_ feedback: FeedbackTally = FeedbackTally()) -> [PassageFeatures] {
        PassageFeatures.of(candidates, query: "rotate the log files", feedback: feedback)
    }

    @Test func featuresDescribeThePassages() {
        let features = Self.features()
        let names = PassageFeatures.names
        func value(_ index: Int, _ name: String) -> Double { features[index].values[names.firstIndex(of: name)!] }
        #expect(value(0, "retrieverScore") == 1 && abs(value(2, "retrieverScore") - 5.0 / 9) < 1e-12)
        #expect(value(0, "retrieverRank") == 1 && value(1, "retrieverRank") == 0.5)
        #expect(value(1, "queryCoverage") == 1, "rotate, log and files all appear")
        #expect(value(2, "queryCoverage") < 0.5)
        #expect(value(1, "headingMatch") > 0 && value(2, "headingMatch") < value(1, "headingMatch"))
        #expect(value(0, "codeLike") > 0.8 && value(1, "codeLike") < 0.2)
        #expect(value(0, "recency") == 0.5, "no age known")
    }

    @Test func untrainedItKeepsTheRetrieversOrder() {
        let model = RankingModel()
        #expect(model.order(Self.features()) == [0, 1, 2])
        #expect(Self.features().allSatisfy { model.adjustment($0) == 0 })
    }

    @Test func feedbackTeachesWhatHelped() {
        var model = RankingModel()
        // The user's answers kept drawing on the prose that covers the query, never the code.
        for _ in 0..<20 {
            model.learn(zip(Self.features(), [-0.25, 1, -0.25]).map { RankingModel.Example(features: $0, label: $1) })
        }
        #expect(model.examples == 60)
        #expect(model.trust == 1, "wins \(model.wins), losses \(model.losses)")
        #expect(model.order(Self.features()).first == 1, "\(model.weights)")
        let coverage = PassageFeatures.names.firstIndex(of: "queryCoverage")!
        let code = PassageFeatures.names.firstIndex(of: "codeLike")!
        #expect(model.weights[coverage] > 0 && model.weights[code] < 0, "\(model.weights)")
    }

    @Test func aFewRatingsCannotBuryASource() {
        let features = Self.features()
        // However hard it is told the best candidate is useless, and however much it is
        // trusted, it loses at most the floor.
        var model = RankingModel(wins: 100)
        for _ in 0..<200 { model.learn([RankingModel.Example(features: features[0], label: -1)]) }
        #expect(model.trust == 1)
        #expect(model.adjustment(features[0]) >= -RankingModel.floor)
        #expect(model.score(features[0]) >= 1 - RankingModel.floor)
        // A single rated answer has not shown that the learned order beats the retriever's:
        // nothing is applied yet.
        var once = RankingModel()
        once.learn(zip(features, [1, -1, 0]).map { RankingModel.Example(features: $0, label: $1) })
        #expect(once.trust == 0 && once.adjustment(features[0]) == 0 && once.order(features) == [0, 1, 2])
    }

    @Test func randomRatingsEarnNoTrust() {
        var model = RankingModel()
        var state: UInt64 = 12345
        func coin() -> Bool {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state >> 63 == 1
        }
        let features = Self.features()
        for _ in 0..<300 {
            let labels = (0..<3).map { _ in coin() ? 1.0 : -0.5 }
            model.learn(zip(features, labels).map { RankingModel.Example(features: $0, label: $1) })
        }
        #expect(model.trust < 0.5, "wins \(model.wins), losses \(model.losses)")
        #expect(features.allSatisfy { abs(model.adjustment($0)) < 0.5 * abs(model.learnedAdjustment($0)) + 1e-9 })
    }

    @Test func sourceFeedbackIsSmoothed() {
        var tally = FeedbackTally()
        tally.add(source: "/docs/logs.md", retriever: "docs.passages", label: -1)
        #expect(tally.sources["/docs/logs.md"]?.lean == -0.2, "one rating down is a fifth of the way")
        for _ in 0..<96 { tally.add(source: "/docs/logs.md", retriever: "docs.passages", label: 1) }
        #expect(tally.sources["/docs/logs.md"]!.lean > 0.9)
        let sourceFeedback = PassageFeatures.names.firstIndex(of: "sourceFeedback")!
        #expect(Self.features(tally)[1].values[sourceFeedback] > 0.9 && Self.features(tally)[0].values[sourceFeedback] == 0)
    }

    @Test func labelsFollowWhatTheAnswerDrewOn() {
        let answer = "Rotate the log files every night and keep seven of them."
        let matches = Self.candidates.map { FeedbackLabels.match($0.text, answer: answer) }
        #expect(matches[1] > 0.8 && matches[0] < 0.5)
        #expect(FeedbackLabels.labels(answerMatches: matches, rating: 1) == [-0.25, 1, -0.25])
        #expect(FeedbackLabels.labels(answerMatches: matches, rating: -1) == [0, -1, 0])
        // A correction names the passage that held the right answer, whatever the answer used.
        let corrected = Self.candidates.map { FeedbackLabels.match($0.text, answer: "Files are written atomically, so no.") }
        #expect(FeedbackLabels.labels(answerMatches: matches, rating: -1, correctionMatches: corrected) == [-0.5, -0.5, 1])
        // An answer that used no passage says nothing about them when rated up.
        #expect(FeedbackLabels.labels(answerMatches: [0, 0], rating: 1) == [0, 0])
    }
}
