import Foundation
import GrokLearning
import GrokProtocol
import Testing
@testable import GrokStore

/// The ranking model and the taste learned from feedback, on real database files: learned from
/// the passages an answer used, kept per uid, kept across reopening, forgotten on request.
@Suite struct LearningTests {
    static let query = "rotate the log files"
    static let candidates = [
        PassageFeatures.Candidate(text: "func rotate() { let files = logs.map { $0.path } }", source: "/src/Rotate.swift", retriever: "docs.passages", score: 9),
        PassageFeatures.Candidate(text: "Rotating logs\nThe daemon can rotate the log files every night.", source: "/docs/logs.md",
                                  retriever: "docs.passages", score: 7),
    ]

    /// A question and an answer drawing on the second passage, recorded for `owner`; the answer's id.
    static func answered(_ store: Store, owner: UInt32, preset: TastePreset? = nil) throws -> (session: String, answer: Int64) {
        let session = try store.createSession(owner: owner, title: "logs", model: nil)
        let answer = "The daemon can rotate the log files every night."
        let ids = try #require(try store.append(owner: owner, session: session.id, messages: [
            NewMessage(role: "user", content: "How do I " + query + "?"), NewMessage(role: "assistant", content: answer),
        ]))
        let features = PassageFeatures.of(candidates, query: query, feedback: try store.feedbackTally(owner: owner))
        let uses = candidates.enumerated().map { rank, candidate in
            Store.PassageUse(rank: rank, source: candidate.source, retriever: candidate.retriever, text: candidate.text,
                             features: features[rank], answerMatch: FeedbackLabels.match(candidate.text, answer: answer))
        }
        try store.recordAnswer(owner: owner, message: ids[1], passages: uses, preset: preset)
        return (session.id, ids[1])
    }

    @Test func feedbackTrainsTheOwnersRankingOnly() throws {
        let path = try StoreTests.temporaryPath()
        let store = try Store(path: path)
        let (a, b): (UInt32, UInt32) = (1000, 1001)
        #expect(try store.rankingModel(owner: a) == RankingModel())
        for _ in 0..<8 {
            let (_, answer) = try Self.answered(store, owner: a)
            #expect(try store.submitFeedback(owner: a, message: answer, rating: 1, comment: nil, correction: nil) != nil)
            // Another uid can neither rate nor teach with a's answer.
            #expect(try store.submitFeedback(owner: b, message: answer, rating: -1, comment: nil, correction: nil) == nil)
        }
        // Rating an answer again relabels its passages but teaches the model once.
        let (_, again) = try Self.answered(store, owner: a)
        _ = try store.submitFeedback(owner: a, message: again, rating: 1, comment: nil, correction: nil)
        _ = try store.submitFeedback(owner: a, message: again, rating: 1, comment: nil, correction: nil)
        let model = try store.rankingModel(owner: a)
        #expect(model.examples == 18)
        let tally = try store.feedbackTally(owner: a)
        #expect(tally.sources["/docs/logs.md"]?.helped == 9 && tally.sources["/src/Rotate.swift"]?.unhelpful == 2.25)
        // The prose the answers drew on now comes first for a, and only for a.
        let features = PassageFeatures.of(Self.candidates, query: Self.query, feedback: tally)
        #expect(model.order(features) == [1, 0], "\(model.weights)")
        #expect(try store.rankingModel(owner: b) == RankingModel() && store.feedbackTally(owner: b) == FeedbackTally())
        // Learned state survives reopening the database.
        let reopened = try Store(path: path)
        #expect(try reopened.rankingModel(owner: a) == model && reopened.feedbackTally(owner: a) == tally)
        // Forgetting drops the model and the labels, keeps the feedback.
        let forgotten = try reopened.forgetLearning(owner: a)
        #expect(forgotten.rankingExamples == 18)
        #expect(try reopened.rankingModel(owner: a) == RankingModel() && reopened.feedbackTally(owner: a) == FeedbackTally())
        #expect(try reopened.feedback(owner: a, after: nil, limit: 100).0.count == 10)
    }

    @Test func passageUsesGoWithTheirSession() throws {
        let store = try Store(path: try StoreTests.temporaryPath())
        let (session, answer) = try Self.answered(store, owner: 7)
        _ = try store.submitFeedback(owner: 7, message: answer, rating: -1, comment: nil, correction: nil)
        #expect(try store.feedbackTally(owner: 7).sources.count == 2)
        #expect(try store.delete(owner: 7, session: session))
        #expect(try store.feedbackTally(owner: 7) == FeedbackTally())
    }

    @Test func ratingsOfAnswerPresetsChooseTheNext() throws {
        let path = try StoreTests.temporaryPath()
        let store = try Store(path: path)
        #expect(try store.tasteTally(owner: 5).choice == .balanced)
        for _ in 0..<2 {
            let (_, answer) = try Self.answered(store, owner: 5, preset: .balanced)
            _ = try store.submitFeedback(owner: 5, message: answer, rating: -1, comment: "Too long, I only needed the command.", correction: nil)
        }
        // Rated again, an answer's preset is not counted again.
        let (_, twice) = try Self.answered(store, owner: 5, preset: .brief)
        _ = try store.submitFeedback(owner: 5, message: twice, rating: 1, comment: nil, correction: nil)
        _ = try store.submitFeedback(owner: 5, message: twice, rating: 1, comment: nil, correction: nil)
        let tally = try Store(path: path).tasteTally(owner: 5)
        #expect(tally.ratings[.balanced]?.down == 2 && tally.ratings[.brief]?.up == 3)
        #expect(tally.choice == .brief)
        #expect(try store.tasteTally(owner: 6) == TasteTally())
        // An answer with no preset recorded (the user set their own style) teaches no taste.
        let (_, plain) = try Self.answered(store, owner: 6)
        _ = try store.submitFeedback(owner: 6, message: plain, rating: -1, comment: "too long", correction: nil)
        #expect(try store.tasteTally(owner: 6) == TasteTally())
        // A comment asking for a language is learned for its owner only.
        let (_, french) = try Self.answered(store, owner: 5)
        _ = try store.submitFeedback(owner: 5, message: french, rating: -1, comment: "Answer in French, please.", correction: nil)
        #expect(try store.learnedLanguage(owner: 5) == "French" && store.learnedLanguage(owner: 6) == nil)
        #expect(try store.forgetLearning(owner: 5).tasteRatings == 5)
        #expect(try store.learnedLanguage(owner: 5) == nil)
        #expect(try store.tasteTally(owner: 5).choice == .balanced)
    }

    @Test func layoutRequestsAreLearnedPerAspectForTheirOwner() throws {
        let store = try Store(path: try StoreTests.temporaryPath())
        func comment(_ text: String, owner: UInt32 = 5) throws {
            let (_, answer) = try Self.answered(store, owner: owner)
            _ = try store.submitFeedback(owner: owner, message: answer, rating: -1, comment: text, correction: nil)
        }
        try comment("Use bullet points and show me a code example")
        #expect(try store.learnedFormat(owner: 5) == [.bullets, .examples] && store.learnedFormat(owner: 6).isEmpty)
        // A later request about the same aspect replaces the earlier one; the others stay.
        try comment("No bullet points please, and no markdown")
        #expect(try store.learnedFormat(owner: 5) == [.paragraphs, .plain, .examples])
        try comment("Use bullet points", owner: 6)
        #expect(try store.learnedFormat(owner: 6) == [.bullets])
        _ = try store.forgetLearning(owner: 5)
        #expect(try store.learnedFormat(owner: 5).isEmpty && store.learnedFormat(owner: 6) == [.bullets])
    }
}
