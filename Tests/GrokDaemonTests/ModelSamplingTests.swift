import Foundation
import GrokClient
import GrokEngine
import GrokJSON
import GrokProtocol
import GrokRPC
import GrokTestModels
import Testing

/// A model's default sampling: the values its file recommends (llama.cpp's
/// `general.sampling.*` keys), grok's conversation defaults where it has none; the caller's
/// options always win. Through the real daemon, with a tiny seeded model file that carries the
/// keys and with the default model, which carries none.
@Suite(.serialized) struct ModelSamplingTests {
    /// A tiny Llama file recommending greedy decoding, top-k 7, top-p 0.5 and a repeat penalty
    /// of 1.3 over the whole context.
    static func recommendingFile() throws -> String {
        var writer = TinyModel(.llama, seed: 21).writer()
        writer.metadata += [
            (ModelSampling.temperatureKey, .f32(0)), (ModelSampling.topKKey, .i32(7)), (ModelSampling.topPKey, .f32(0.5)),
            (ModelSampling.repeatPenaltyKey, .f32(1.3)), (ModelSampling.penaltyWindowKey, .i32(-1)),
        ]
        return try writer.write()
    }

    @Test func theFilesRecommendationsAreTheDefaultsAndTheCallersOptionsWin() async throws {
        let path = try Self.recommendingFile()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (daemon, client) = try await EngineMethodsTests.daemonWithModel(path)
        defer { withExtendedLifetime(daemon) {} }
        let sampling = try #require(try await client.call(ModelInfo.self, NoParams()).sampling)
        #expect(sampling.temperature == 0 && sampling.topK == 7 && abs(sampling.topP - 0.5) < 1e-6, "\(sampling)")
        #expect(abs(sampling.repeatPenalty - 1.3) < 1e-6 && sampling.penaltyWindow == 2048, "\(sampling)")
        // min-p is not in the file: grok's conversation default.
        #expect(sampling.minP == ModelSampling.conversation.minP, "\(sampling)")
        #expect(Set(sampling.fromModelFile) == [
            ModelSampling.temperatureKey, ModelSampling.topKKey, ModelSampling.topPKey, ModelSampling.repeatPenaltyKey,
            ModelSampling.penaltyWindowKey,
        ])
        // Without options, generate and chat decode greedily with the file's penalty: the same
        // tokens every time, and those of a request that asks for exactly that.
        var asked = Generate.Options()
        asked.maxTokens = 24
        let plain = try await client.call(Generate.self, .init(prompt: "hello world", options: asked))
        #expect(try await client.call(Generate.self, .init(prompt: "hello world", options: asked)).ids == plain.ids)
        var explicit = asked
        explicit.temperature = 0
        explicit.repeatPenalty = 1.3
        #expect(try await client.call(Generate.self, .init(prompt: "hello world", options: explicit)).ids == plain.ids)
        let chat = Chat.Params(message: "hello world", options: asked, retrieval: "off")
        let said = try await client.call(Chat.self, chat).text
        #expect(try await client.call(Chat.self, chat).text == said)
        // The caller's options win: no penalty changes what this file's penalty chose.
        explicit.repeatPenalty = 1
        #expect(try await client.call(Generate.self, .init(prompt: "hello world", options: explicit)).ids != plain.ids)
        await client.close()
    }

    @Test func theDefaultModelGetsGroksConversationDefaults() async throws {
        let (daemon, client) = try await EngineMethodsTests.daemonWithDefaultModel()
        defer { withExtendedLifetime(daemon) {} }
        let sampling = try #require(try await client.call(ModelInfo.self, NoParams()).sampling)
        let expected = ModelSampling.conversation
        #expect(sampling.fromModelFile.isEmpty, "\(sampling)")
        #expect(sampling.temperature == 0.2 && sampling.topP == 0.9 && sampling.repeatPenalty == 1.1, "\(sampling)")
        #expect(sampling.topK == expected.topK && sampling.minP == expected.minP && sampling.penaltyWindow == expected.penaltyWindow)
        await client.close()
    }
}
