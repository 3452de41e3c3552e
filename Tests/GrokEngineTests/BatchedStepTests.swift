import Foundation
import Testing
@testable import GrokEngine

/// Several sequences in one forward step: each gets exactly the numbers it gets alone, so
/// greedy continuations match llama.cpp's (the local fixture) however the steps are shared.
@Suite(.serialized) struct BatchedStepTests {
    struct Running {
        let reference: ReferenceData.GreedyCase
        let cache: KVCache
        var produced: [Int32] = []
        var next: Int32?
        let goal: Int
    }

    /// Eight prompts of 5–14 tokens join one by one (each prompt arrives as a chunk in a step
    /// where the earlier ones decode) and then decode together, 24 tokens each.
    @Test func staggeredSequencesDecodeAsIfAlone() async throws {
        try await offPool {
            let model = try ReferenceData.model.get()
            let cases = Array(ReferenceData.localGreedyCases.prefix(8))
            #expect(cases.count == 8)
            var running: [Running] = []
            var step = 0
            while running.count < cases.count || running.contains(where: { $0.produced.count < $0.goal }) {
                var inputs: [StepInput] = []
                var owners: [Int] = []
                for (index, sequence) in running.enumerated() where sequence.produced.count < sequence.goal {
                    inputs.append(StepInput(cache: sequence.cache, tokens: [sequence.next!]))
                    owners.append(index)
                }
                if step < cases.count {
                    let reference = cases[step]
                    let cache = model.makeCache(capacity: reference.promptIDs.count + 32)
                    running.append(Running(reference: reference, cache: cache, goal: min(24, reference.ids.count)))
                    inputs.append(StepInput(cache: cache, tokens: reference.promptIDs))
                    owners.append(running.count - 1)
                }
                let logits = model.step(inputs)
                for (input, owner) in owners.enumerated() {
                    let scores = GreedyGenerationTests.logSoftmax(logits[input]!)
                    let next = Int32(GreedyGenerationTests.ranked(scores)[0])
                    if running[owner].produced.isEmpty && inputs[input].tokens.count > 1 {
                        // First step: the top-5 logprobs equal llama.cpp's.
                        for (id, logprob) in running[owner].reference.top5 {
                            #expect(abs(scores[Int(id)] - logprob) < 1e-4)
                        }
                    }
                    running[owner].produced.append(next)
                    running[owner].next = next
                }
                step += 1
            }
            for sequence in running {
                #expect(sequence.produced == Array(sequence.reference.ids.prefix(sequence.goal)), "\(sequence.reference.prompt)")
            }
        }
    }

    /// Inputs that want no logits get none; a prompt split into chunks gives the same logits
    /// as the same chunks in steps of their own.
    @Test func chunkedPromptsMatchAndSkipLogits() async throws {
        try await offPool {
            let model = try ReferenceData.model.get()
            let prompt = ReferenceData.localGreedyCases[5].promptIDs  // 14 tokens
            let alone = model.makeCache(capacity: 32)
            _ = model.step([StepInput(cache: alone, tokens: Array(prompt.prefix(8)), wantsLogits: false)])
            let expected = model.forward(Array(prompt.dropFirst(8)), cache: alone)
            let shared = model.makeCache(capacity: 32)
            let other = model.makeCache(capacity: 32)
            let first = model.step([
                StepInput(cache: shared, tokens: Array(prompt.prefix(8)), wantsLogits: false),
                StepInput(cache: other, tokens: [2, 818, 5279]),
            ])
            #expect(first[0] == nil)
            #expect(first[1] != nil)
            let second = model.step([
                StepInput(cache: other, tokens: [529]),
                StepInput(cache: shared, tokens: Array(prompt.dropFirst(8))),
            ])
            #expect(second[1] == expected)
            #expect(shared.count == prompt.count && other.count == 4)
        }
    }
}
