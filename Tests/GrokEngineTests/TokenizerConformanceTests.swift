import Foundation
import Synchronization
import Testing
@testable import GrokEngine
import GrokTestModels

/// Our tokenizers against llama.cpp's own test vectors (its `models/ggml-vocab-*.gguf` files
/// with `.inp`/`.out`, which `scripts/fetch-conformance` puts in the cache): every vector must
/// give exactly llama.cpp's ids, tokenized as its `test-tokenizer-0` does (no BOS/EOS, special
/// tokens in the text not parsed).
@Suite struct TokenizerConformanceTests {
    // The five the engine is for, and MPT (GPT-2's expression, with user-defined tokens).
    static let vocabularies = ["llama-spm", "llama-bpe", "qwen2", "gpt-2", "phi-3", "mpt"]

    @Test(arguments: vocabularies)
    func encodesEveryVectorLikeLlamaCpp(_ name: String) throws {
        guard let data = try Conformance.load(name) else { return }
        #expect(data.cases.count > 40)
        var failed: [String] = []
        for (input, expected) in data.cases {
            let ids = data.tokenizer.encode(input, addSpecial: false, parseSpecial: false)
            if ids != expected { failed.append("\(input.debugDescription): got \(ids), want \(expected)") }
        }
        #expect(failed.isEmpty, "\(name): \(failed.count) of \(data.cases.count) vectors differ:\n\(failed.joined(separator: "\n"))")
    }

    /// The pieces of the tokens are the text again, byte for byte (what streaming shows), and
    /// `decode` is llama.cpp's detokenizer: SentencePiece's leading space removed, and for
    /// the vocabularies that ask for it, spaces before punctuation cleaned up.
    @Test(arguments: vocabularies)
    func decodingGivesTheTextBack(_ name: String) throws {
        guard let data = try Conformance.load(name) else { return }
        let vocabulary = data.tokenizer.vocabulary
        for (input, expected) in data.cases {
            let pieces = expected.flatMap { data.tokenizer.bytes(of: $0) }
            let prefix: [UInt8] = vocabulary.addSpacePrefix && !input.isEmpty ? [0x20] : []
            #expect(pieces == prefix + Array(input.utf8), "\(name): \(input.debugDescription)")
            let decoded = Array(data.tokenizer.decode(expected).utf8)
            let wanted = vocabulary.cleanSpaces ? TokenDecoding.cleanUpSpaces(Array(input.utf8)) : Array(input.utf8)
            #expect(decoded == wanted, "\(name): \(input.debugDescription)")
        }
    }

    @Test func bosAndEosFollowTheFile() throws {
        guard let llama3 = try Conformance.load("llama-bpe"), let gpt2 = try Conformance.load("gpt-2"),
              let spm = try Conformance.load("llama-spm") else { return }
        // Llama 3 adds BOS by default; GPT-2's file does not ask for one.
        #expect(llama3.tokenizer.encode("Hello", addSpecial: true) == [128000, 9906])
        #expect(gpt2.tokenizer.encode("Hello", addSpecial: true) == gpt2.tokenizer.encode("Hello", addSpecial: false))
        #expect(spm.tokenizer.encode("Hello", addSpecial: true) == [1, 15043])
    }

    @Test func controlTokensOnlyWhenAskedUserDefinedAlways() throws {
        guard let llama3 = try Conformance.load("llama-bpe"), let qwen = try Conformance.load("qwen2") else { return }
        let eot = try #require(llama3.tokenizer.vocabulary.id(of: "<|eot_id|>"))
        #expect(llama3.tokenizer.encode("a<|eot_id|>b", addSpecial: false, parseSpecial: true).contains(eot))
        #expect(!llama3.tokenizer.encode("a<|eot_id|>b", addSpecial: false, parseSpecial: false).contains(eot))
        // Qwen 2's user-defined tokens are cut out of any text.
        let vocabulary = qwen.tokenizer.vocabulary
        let userDefined = try #require(vocabulary.kinds.indices.first { vocabulary.kinds[$0] == .userDefined })
        let text = vocabulary.tokens[userDefined]
        #expect(qwen.tokenizer.encode("x" + text + "y", addSpecial: false, parseSpecial: false).contains(Int32(userDefined)))
    }

    @Test func endOfGenerationCoversTheFamilies() throws {
        for (name, texts) in [("llama-bpe", ["<|eot_id|>", "<|end_of_text|>"]), ("qwen2", ["<|im_end|>", "<|endoftext|>"]),
                              ("phi-3", ["<|end|>", "<|endoftext|>", "</s>"]), ("llama-spm", ["</s>"]), ("gpt-2", ["<|endoftext|>"])] {
            guard let data = try Conformance.load(name) else { return }
            let vocabulary = data.tokenizer.vocabulary
            for text in texts {
                let id = try #require(vocabulary.id(of: text), "\(name) has \(text)")
                #expect(vocabulary.endOfGeneration.contains(id), "\(name): \(text)")
                #expect(vocabulary.kinds[Int(id)] == .control, "\(name): \(text) is a control token")
            }
        }
    }

    @Test func phi3SpecialTokensSwallowTheSpaceAfterThem() throws {
        guard let phi3 = try Conformance.load("phi-3") else { return }
        let user = try #require(phi3.tokenizer.vocabulary.id(of: "<|user|>"))
        let ids = phi3.tokenizer.encode("<|user|>\nHi", addSpecial: false, parseSpecial: true)
        #expect(ids.first == user)
        #expect(Array(ids.dropFirst()) == phi3.tokenizer.encode("Hi", addSpecial: false))
    }

    @Test func unknownModelsAndPreTokenizersAreNamed() throws {
        func loadError(_ metadata: [(String, GGUFWriter.Value)]) throws -> String? {
            let path = try GGUFWriter(metadata: metadata).write()
            defer { try? FileManager.default.removeItem(atPath: path) }
            do { _ = try Vocabulary(file: try GGUFFile(path: path)); return nil } catch { return "\(error)" }
        }
        let tokens: (String, GGUFWriter.Value) = ("tokenizer.ggml.tokens", .strings(["a", "b"]))
        let model = try loadError([("tokenizer.ggml.model", .string("t5")), tokens])
        #expect(model?.contains("'t5'") == true, "\(model ?? "no error")")
        let pre = try loadError([("tokenizer.ggml.model", .string("gpt2")), ("tokenizer.ggml.pre", .string("mystery")), tokens])
        #expect(pre?.contains("'mystery'") == true, "\(pre ?? "no error")")
    }

    /// About 2,000 tokens of mixed text: a few milliseconds in an optimised engine.
    @Test func encodingTwoThousandTokensIsFast() throws {
        guard let llama3 = try Conformance.load("llama-bpe"), let spm = try Conformance.load("llama-spm") else { return }
        let paragraph = "The quick brown fox, who'd been running since 09:30, jumped over 1,234 lazy dogs! "
            + "Ça coûte 12,50 € — 日本語のテキストも少し。 🚀 emoji\n\tand    spaces. "
        let text = String(repeating: paragraph, count: 45)
        let loading = ContinuousClock().measure {
            _ = try? Vocabulary(file: try GGUFFile(path: Conformance.directory.appendingPathComponent("ggml-vocab-llama-bpe.gguf").path))
        }
        print("tokenizer timing: llama-bpe vocabulary (128,256 tokens, 280,147 merges) loaded in \(loading)")
        for (name, tokenizer) in [("llama-bpe", llama3.tokenizer), ("llama-spm", spm.tokenizer)] {
            _ = tokenizer.encode(text)
            let clock = ContinuousClock()
            var count = 0
            let elapsed = clock.measure { count = tokenizer.encode(text).count }
            let ms = Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000
            print("tokenizer timing: \(name) encoded \(count) tokens (\(text.utf8.count) bytes) in \(String(format: "%.2f", ms)) ms")
            #expect(count > 1500)
            #expect(ms < 250, "\(name): \(ms) ms for \(count) tokens")
        }
    }
}

/// llama.cpp's vocabulary files and vectors, read once per vocabulary.
enum Conformance {
    struct Vectors: Sendable {
        let tokenizer: Tokenizer
        let cases: [(String, [Int32])]
    }

    static let directory: URL = {
        let environment = ProcessInfo.processInfo.environment
        let cache = environment["XDG_CACHE_HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil }
            ?? (NSHomeDirectory() + "/.cache")
        return URL(fileURLWithPath: cache).appendingPathComponent("grok/conformance/vocab")
    }()

    private static let cache = Mutex<[String: Vectors]>([:])

    /// The vocabulary and its vectors; records a failure (and returns nil) when the cache is
    /// missing, so that a machine without the data never passes silently.
    static func load(_ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Vectors? {
        if let data = cache.withLock({ $0[name] }) { return data }
        let base = directory.appendingPathComponent("ggml-vocab-\(name).gguf")
        guard FileManager.default.fileExists(atPath: base.path + ".out") else {
            Issue.record("llama.cpp's tokenizer vectors are missing (\(base.path).out): run scripts/fetch-conformance",
                         sourceLocation: sourceLocation)
            return nil
        }
        let tokenizer = Tokenizer(vocabulary: try Vocabulary(file: try GGUFFile(path: base.path)))
        let inputs = split(Array(try Data(contentsOf: URL(fileURLWithPath: base.path + ".inp"))))
        let outputs = try String(contentsOfFile: base.path + ".out", encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false)
        // A final newline does not make one more (empty) line, as with getline.
        let lines = outputs.last?.isEmpty == true ? Array(outputs.dropLast()) : Array(outputs)
        guard inputs.count == lines.count else {
            Issue.record("\(name): \(inputs.count) inputs but \(lines.count) outputs", sourceLocation: sourceLocation)
            return nil
        }
        let cases = zip(inputs, lines).map { input, line in
            (input, line.split(separator: " ").compactMap { Int32($0.trimmingCharacters(in: .whitespaces)) })
        }
        let data = Vectors(tokenizer: tokenizer, cases: cases)
        cache.withLock { $0[name] = data }
        return data
    }

    /// The inputs, separated by "\n__ggml_vocab_test__\n" (split as bytes: a "\r\n" in an
    /// input must not hide a separator).
    private static func split(_ bytes: [UInt8]) -> [String] {
        let separator = Array("\n__ggml_vocab_test__\n".utf8)
        var inputs: [String] = []
        var start = 0
        var index = 0
        while start < bytes.count {
            if index + separator.count > bytes.count {
                inputs.append(String(decoding: bytes[start...], as: UTF8.self))
                break
            }
            if bytes[index..<(index + separator.count)].elementsEqual(separator) {
                inputs.append(String(decoding: bytes[start..<index], as: UTF8.self))
                start = index + separator.count
                index = start
            } else {
                index += 1
            }
        }
        return inputs
    }
}
