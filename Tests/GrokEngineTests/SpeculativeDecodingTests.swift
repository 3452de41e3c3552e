import Foundation
import Testing
@testable import GrokEngine

/// Speculative decoding by prompt lookup: greedy sequences draft the tokens that followed an
/// earlier occurrence of their last few tokens, and the model verifies them in the same step.
/// Output must be exactly what plain decoding gives, token for token; only speed may change.
@Suite(.serialized) struct SpeculativeDecodingTests {
    typealias Collector = SchedulerTests.Collector

    static func scheduler(draftTokens: Int) throws -> Scheduler {
        var limits = SchedulerLimits()
        limits.draftTokens = draftTokens
        return Scheduler(generator: try SchedulerTests.generator.get(), limits: limits)
    }

    /// Runs every prompt at once (the scheduler batches them) and returns their results in order.
    static func run(_ prompts: [[Int32]], maxTokens: Int, on scheduler: Scheduler) throws -> [GenerationResult] {
        let collectors = prompts.map { _ in Collector() }
        for (index, prompt) in prompts.enumerated() {
            try scheduler.submit(collectors[index].request(prompt, maxTokens: maxTokens, owner: index))
        }
        return collectors.map { $0.wait() }
    }

    @Test func lookupProposesWhatFollowedTheLastMatch() {
        // The last three tokens (7 8 9) occurred before, followed by 1 2; the latest match wins.
        #expect(RunningSequence.lookup(in: [5, 7, 8, 9, 4, 4, 7, 8, 9, 1, 2] + [3, 7, 8, 9], limit: 8) == [1, 2, 3, 7, 8, 9])
        #expect(RunningSequence.lookup(in: [5, 7, 8, 9, 4, 4, 7, 8, 9, 1, 2] + [3, 7, 8, 9], limit: 2) == [1, 2])
        // No three-token match: two tokens do; none at all: no draft.
        #expect(RunningSequence.lookup(in: [1, 2, 6] + [1, 2], limit: 4) == [6, 1, 2])
        #expect(RunningSequence.lookup(in: [1, 2, 3] + [4, 5], limit: 4).isEmpty)
        // Nothing in the context: the user's earlier text, from its latest match of three tokens.
        let history: [Int32] = [3, 4, 5, 6, 0, 3, 4, 5, 7, 8]
        #expect(RunningSequence.lookup(in: [1, 2, 3] + [4, 5], history: history, limit: 4) == [7, 8])
        #expect(RunningSequence.lookup(in: [1, 2, 9] + [4, 5], history: history, limit: 4).isEmpty)
    }

    /// The reference prompts give the same tokens with drafts as without, and llama.cpp's
    /// tokens where those were recorded on this machine; the repetitive ones ("the capital of
    /// France is the capital of …") confirm many drafts.
    @Test func referenceOutputsAreUnchanged() async throws {
        try await offPool {
            let local = ReferenceData.localGreedyCases
            let prompts = (local + ReferenceData.greedyCases).map(\.promptIDs)
            let plain = try Self.scheduler(draftTokens: 0)
            let plainResults = try Self.run(prompts, maxTokens: 32, on: plain)
            plain.shutdown()
            let speculative = try Self.scheduler(draftTokens: 8)
            defer { speculative.shutdown() }
            let results = try Self.run(prompts, maxTokens: 32, on: speculative)
            for (index, (a, b)) in zip(plainResults, results).enumerated() {
                #expect(a.ids == b.ids && a.text == b.text, "prompt \(index)")
            }
            for (reference, result) in zip(local, results) {
                #expect(result.ids == Array(reference.ids.prefix(result.ids.count)), "\(reference.prompt)")
            }
            let totals = speculative.speculation
            #expect(totals.confirmed > 0 && totals.confirmed <= totals.drafted, "\(totals)")
            #expect(results.reduce(0) { $0 + $1.acceptedDraftTokens } == totals.confirmed)
        }
    }

    /// Fifty varied prompts: the same tokens and text with drafts as without.
    @Test func fiftyVariedPromptsAreUnchanged() async throws {
        try await offPool {
            let tokenizer = try SchedulerTests.generator.get().tokenizer
            let subjects = ["The river", "A small robot", "My grandmother's kitchen", "The old lighthouse", "Quantum computing",
                            "def fibonacci(n):", "SELECT name FROM users", "Once upon a time", "The recipe calls for",
                            "In 1969, the first"]
            let endings = [" is", " was known for", " repeated: one two three, one two three,", " and then", ". Then"]
            let prompts = subjects.flatMap { subject in endings.map { tokenizer.encode(subject + $0, addSpecial: true) } }
            #expect(prompts.count == 50)
            let plain = try Self.scheduler(draftTokens: 0)
            let plainResults = try Self.run(prompts, maxTokens: 24, on: plain)
            plain.shutdown()
            #expect(plain.speculation.drafted == 0)
            let speculative = try Self.scheduler(draftTokens: 8)
            defer { speculative.shutdown() }
            let results = try Self.run(prompts, maxTokens: 24, on: speculative)
            for (index, (a, b)) in zip(plainResults, results).enumerated() {
                #expect(a.ids == b.ids && a.text == b.text && a.finishReason == b.finishReason, "prompt \(index)")
            }
            #expect(speculative.speculation.drafted > 0)
        }
    }
}
