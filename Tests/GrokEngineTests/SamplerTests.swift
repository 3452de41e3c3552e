import Foundation
import Testing
@testable import GrokEngine

@Suite struct SamplerTests {
    static let logits: [Float] = [0.1, 2.0, -1.0, 1.9, 0.5, -3.0, 1.0, 0.0]

    @Test func greedyTakesTheLargest() {
        var sampler = Sampler(options: .greedy)
        #expect(sampler.sample(Self.logits) == 1)
    }

    /// The vectorised argmax agrees with a plain scan: first of equal maxima, maxima in the
    /// sixteen-lane part and in the tail, all-negative values.
    @Test func argmaxIsTheFirstLargest() {
        var random = SplitMix64(seed: 42)
        for count in [1, 15, 16, 17, 100, 262_144] {
            var values = (0..<count).map { _ in Float.random(in: -50 ... -1, using: &random) }
            let plain = { values.indices.reduce(0) { values[$1] > values[$0] ? $1 : $0 } }
            #expect(Sampler.argmax(values) == plain())
            let spot = count - 1
            values[spot] = 3
            if count > 20 { values[count / 3] = 3 }  // an earlier equal maximum wins
            #expect(Sampler.argmax(values) == plain())
        }
    }

    @Test func theSameSeedGivesTheSameTokens() {
        var options = SamplingOptions()
        options.temperature = 1.5
        options.topK = 0
        options.topP = 1
        options.minP = 0
        options.seed = 7
        var a = Sampler(options: options)
        var b = Sampler(options: options)
        let first = (0..<50).map { _ in a.sample(Self.logits) }
        let second = (0..<50).map { _ in b.sample(Self.logits) }
        #expect(first == second)
        #expect(Set(first).count > 2, "a hot temperature should visit several tokens")
    }

    @Test func topKOneIsGreedyWhateverTheTemperature() {
        var options = SamplingOptions()
        options.temperature = 5
        options.topK = 1
        options.seed = 1
        var sampler = Sampler(options: options)
        #expect((0..<20).allSatisfy { _ in sampler.sample(Self.logits) == 1 })
    }

    @Test func minPDropsUnlikelyTokens() {
        var options = SamplingOptions()
        options.temperature = 1
        options.topK = 0
        options.topP = 1
        options.minP = 0.5  // only tokens at least half as likely as the best: ids 1 and 3
        options.seed = 3
        var sampler = Sampler(options: options)
        #expect(Set((0..<200).map { _ in sampler.sample(Self.logits) }) == [1, 3])
    }

    @Test func repetitionPenaltyPushesARepeatedTokenDown() {
        var options = SamplingOptions.greedy
        options.repeatPenalty = 2
        var sampler = Sampler(options: options)
        sampler.accept(1)
        #expect(sampler.sample(Self.logits) == 3)  // 2.0 / 2 = 1.0 < 1.9
    }

    @Test func topLogprobsAreNormalised() {
        let top = Sampler.topLogprobs(Self.logits, 3)
        #expect(top.map(\.id) == [1, 3, 6])
        let total = Self.logits.reduce(Float(0)) { $0 + exp($1) }
        #expect(abs(top[0].logprob - (2.0 - log(total))) < 1e-5)
    }

    @Test func stopStringsAreHeldBackUntilTheyResolve() {
        var output = GenerationOutput(stops: ["END"])
        #expect(output.append(Array("Hello E".utf8)) == ("Hello ", false))
        #expect(output.append(Array("N".utf8)) == ("", false))
        #expect(output.append(Array("D more".utf8)) == ("", true))
        #expect(output.text == "Hello ")
    }
}
