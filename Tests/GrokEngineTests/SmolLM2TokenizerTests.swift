import Foundation
import Testing
@testable import GrokEngine

/// SmolLM2-135M-Instruct's tokenizer (byte-level BPE, pre-tokenizer `smollm`, ChatML), read from
/// the model file's metadata as shipped (the default model, which `scripts/fetch-model` puts in
/// the models folder; its weights are not loaded here), against llama.cpp's tokenisation of the
/// same strings.
@Suite struct SmolLM2TokenizerTests {
    static let path = DefaultModel.path()

    static func tokenizer() throws -> Tokenizer {
        guard FileManager.default.fileExists(atPath: path) else { throw Conformance.Missing(path: path) }
        return try Tokenizer(file: try GGUFFile(path: path))
    }

    @Test func loadsAsByteLevelBPEWithTheSmolLMPreTokenizer() throws {
        let file = try GGUFFile(path: Self.path)
        #expect(file["tokenizer.ggml.model"]?.stringValue == "gpt2")
        #expect(file["tokenizer.ggml.pre"]?.stringValue == "smollm")
        let vocabulary = try Tokenizer(file: file).vocabulary
        #expect(vocabulary.model == .bytePair)
        #expect(vocabulary.count == 49152)
        #expect(vocabulary.preTokenizer?.name == "smollm")
        // llama.cpp: `smollm` keeps spaces before punctuation when decoding.
        #expect(vocabulary.cleanSpaces == false)
    }

    @Test func chatMarkupIsSpecialAndImEndEndsGeneration() throws {
        let tokenizer = try Self.tokenizer()
        let vocabulary = tokenizer.vocabulary
        let start = try #require(vocabulary.id(of: "<|im_start|>"))
        let end = try #require(vocabulary.id(of: "<|im_end|>"))
        #expect(vocabulary.kinds[Int(start)] == .control)
        #expect(vocabulary.kinds[Int(end)] == .control)
        #expect(vocabulary.endOfGeneration.contains(end))
        #expect(vocabulary.eot == end || vocabulary.eos == end, "eot \(String(describing: vocabulary.eot)), eos \(String(describing: vocabulary.eos))")
        #expect(!vocabulary.endOfGeneration.contains(start))

        let ids = tokenizer.encode("<|im_start|>user\nHi<|im_end|>", addSpecial: false, parseSpecial: true)
        #expect(ids.first == start)
        #expect(ids.last == end)
        #expect(Array(ids.dropFirst().dropLast()) == tokenizer.encode("user\nHi", addSpecial: false))
        // Not parsed, the markup is ordinary text.
        let literal = tokenizer.encode("<|im_start|>user\nHi<|im_end|>", addSpecial: false, parseSpecial: false)
        #expect(!literal.contains(start) && !literal.contains(end))
        #expect(tokenizer.decode(literal) == "<|im_start|>user\nHi<|im_end|>")
    }

    @Test func digitsAreSplitOneByOne() throws {
        let tokenizer = try Self.tokenizer()
        let ids = tokenizer.encode("1234567", addSpecial: false)
        #expect(ids.count == 7)
        #expect(ids.map { String(decoding: tokenizer.bytes(of: $0), as: UTF8.self) } == ["1", "2", "3", "4", "5", "6", "7"])
    }

    /// `scripts/smollm2-token-fixture` ran llama.cpp's `llama-tokenize` on these strings.
    @Test func encodesLikeLlamaCpp() throws {
        let url = ReferenceData.repositoryRoot.appendingPathComponent("Tests/GrokEngineTests/Fixtures/smollm2-llamacpp-tokens.json")
        let data = try Data(contentsOf: url)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let cases = try #require(object["cases"] as? [[String: Any]])
        #expect(cases.count >= 40)
        let tokenizer = try Self.tokenizer()
        var failed: [String] = []
        for item in cases {
            let text = try #require(item["text"] as? String)
            let parseSpecial = try #require(item["parseSpecial"] as? Bool)
            let expected = try #require(item["ids"] as? [Int]).map(Int32.init)
            let ids = tokenizer.encode(text, addSpecial: true, parseSpecial: parseSpecial)
            if ids != expected { failed.append("\(text.debugDescription) (special \(parseSpecial)): got \(ids), want \(expected)") }
        }
        #expect(failed.isEmpty, "\(failed.count) of \(cases.count) differ:\n\(failed.joined(separator: "\n"))")
    }
}
