import Foundation
import GrokEngine
import GrokTestModels
import Testing

/// `general.sampling.*` read over defaults: numbers of any type (and as text, as llama.cpp
/// reads them), a window of -1 as the whole context, values out of range ignored.
@Suite struct ModelSamplingTests {
    static func file(_ metadata: [(String, GGUFWriter.Value)]) throws -> GGUFFile {
        var writer = GGUFReaderTests.valid()
        writer.metadata += metadata
        return try GGUFReaderTests.open(writer)
    }

    @Test func aFileWithoutTheKeysKeepsTheDefaults() throws {
        let read = ModelSampling.recommended(by: try Self.file([]), over: ModelSampling.conversation, contextLength: 512)
        #expect(read.options == ModelSampling.conversation && read.keys.isEmpty)
    }

    @Test func theKeysOverrideTheDefaults() throws {
        let file = try Self.file([
            ("general.sampling.temp", .f32(0.6)), ("general.sampling.top_k", .i32(20)), ("general.sampling.top_p", .string("0.8")),
            ("general.sampling.min_p", .f32(0)), ("general.sampling.penalty_repeat", .f32(1.05)),
            ("general.sampling.penalty_last_n", .i32(-1)),
        ])
        let (options, keys) = ModelSampling.recommended(by: file, over: ModelSampling.conversation, contextLength: 512)
        #expect(abs(options.temperature - 0.6) < 1e-6 && options.topK == 20 && options.topP == 0.8 && options.minP == 0)
        #expect(abs(options.repeatPenalty - 1.05) < 1e-6 && options.penaltyWindow == 512)
        #expect(keys.count == 6)
        // What the keys do not cover stays as it was.
        #expect(options.maxTokens == ModelSampling.conversation.maxTokens && options.stop == [])
    }

    @Test func valuesOutOfRangeAreIgnored() throws {
        let file = try Self.file([
            ("general.sampling.temp", .f32(-1)), ("general.sampling.top_k", .f32(2.5)), ("general.sampling.top_p", .f32(0)),
            ("general.sampling.min_p", .f32(1)), ("general.sampling.penalty_repeat", .string("lots")),
            ("general.sampling.penalty_last_n", .i32(-2)),
        ])
        let read = ModelSampling.recommended(by: file, over: ModelSampling.conversation, contextLength: 512)
        #expect(read.options == ModelSampling.conversation && read.keys.isEmpty, "\(read)")
    }
}
