import Foundation
import Synchronization
import Testing
@testable import GrokEngine
import GrokTestModels

/// Our tokenizers against llama.cpp's own test vectors (its `models/ggml-vocab-*.gguf` files
/// with `.inp`/`.out`, which `scripts/fetch-conformance` puts in the cache): every vector must
/// give exactly llama.cpp's ids, tokenized as its `test-tokenizer-0` does (no BOS/EOS, special
/// tokens in the text not parsed). Every vocabulary file in the cache is either checked here or
/// excluded below with a reason the tests confirm.
@Suite struct TokenizerConformanceTests {
    /// Every vocabulary with vectors whose tokenizer is SentencePiece (`llama`) or byte-level
    /// BPE (`gpt2`), with its model and pre-tokenizer as the file names them.
    static let vocabularies: [String: (model: String, pre: String?)] = [
        "llama-spm": ("llama", "default"), "phi-3": ("llama", "default"),
        "llama-bpe": ("gpt2", "llama-bpe"), "qwen2": ("gpt2", "qwen2"), "qwen35": ("gpt2", "qwen35"),
        "gpt-2": ("gpt2", "gpt-2"), "mpt": ("gpt2", "mpt"), "command-r": ("gpt2", "command-r"),
        "deepseek-coder": ("gpt2", "deepseek-coder"), "deepseek-llm": ("gpt2", "deepseek-llm"),
        "falcon": ("gpt2", "falcon"), "refact": ("gpt2", "refact"), "starcoder": ("gpt2", "starcoder"),
    ]
    static let names = vocabularies.keys.sorted()

    /// Vocabularies with vectors but another tokenizer model (another issue): the stated model
    /// is checked against the file, and loading must refuse it by that name.
    static let otherModels: [String: String] = [
        "bert-bge": "bert",  // WordPiece
        "gemma-4": "gemma4",  // SentencePiece-style BPE over raw UTF-8 (spaces as ▁), not byte-level
    ]

    /// Vocabulary files llama.cpp ships without vectors: nothing to compare, but the ones of our
    /// models must still load (checked below), and the others are refused by model name.
    static let withoutVectors: [String: String] = [
        "baichuan": "llama", "gpt-neox": "gpt2",
        "nomic-bert-moe": "t5",  // Unigram (UGM)
    ]

    /// Vocabulary files the GGUF reader refuses (no vectors either), with the reason it gives.
    static let unreadable: [String: String] = [
        "aquila": "GGUF version 2",  // an old file; the reader reads version 3 only
    ]

    @Test func everyVocabularyFileIsCheckedOrExcludedWithAReason() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Conformance.directory.path)
        let found = Set(files.filter { $0.hasPrefix("ggml-vocab-") && $0.hasSuffix(".gguf") }
            .map { String($0.dropFirst("ggml-vocab-".count).dropLast(".gguf".count)) })
        #expect(found.count >= 19, "vocabulary files in \(Conformance.directory.path): \(found.sorted())")
        let listed = Set(Self.names).union(Self.otherModels.keys).union(Self.withoutVectors.keys).union(Self.unreadable.keys)
        #expect(found.subtracting(listed).isEmpty, "vocabularies neither checked nor excluded: \(found.subtracting(listed).sorted())")
        #expect(listed.subtracting(found).isEmpty, "listed but missing: \(listed.subtracting(found).sorted())")
    }

    @Test(arguments: names)
    func fileIsTheModelAndPreTokenizerListed(_ name: String) throws {
        let file = try GGUFFile(path: Conformance.vocabularyPath(name))
        let (model, pre) = try #require(Self.vocabularies[name])
        #expect(file["tokenizer.ggml.model"]?.stringValue == model, "\(name)")
        #expect(file["tokenizer.ggml.pre"]?.stringValue == pre, "\(name)")
    }

    @Test(arguments: otherModels.keys.sorted())
    func otherTokenizerModelsAreExcludedForTheirModel(_ name: String) throws {
        let path = Conformance.vocabularyPath(name)
        #expect(FileManager.default.fileExists(atPath: path + ".out"), "\(name) has vectors")
        let file = try GGUFFile(path: path)
        let model = try #require(Self.otherModels[name])
        #expect(file["tokenizer.ggml.model"]?.stringValue == model, "\(name) is no longer a '\(model)' tokenizer")
        #expect(throws: GGUFError.self, "\(name)") { try Vocabulary(file: file) }
        do { _ = try Vocabulary(file: file) } catch { #expect("\(error)".contains("'\(model)'"), "\(error)") }
    }

    @Test(arguments: unreadable.keys.sorted())
    func unreadableFilesAreRefusedForTheirStatedReason(_ name: String) throws {
        let path = Conformance.vocabularyPath(name)
        #expect(!FileManager.default.fileExists(atPath: path + ".out"), "\(name) now has vectors: check them")
        let reason = try #require(Self.unreadable[name])
        do {
            _ = try GGUFFile(path: path)
            Issue.record("\(name) now reads: check it as a vocabulary")
        } catch {
            #expect("\(error)".contains(reason), "\(error)")
        }
    }

    /// No vectors: a file of ours loads and gives its text back byte for byte; another model is
    /// refused by name. If llama.cpp starts shipping vectors, this fails until they are checked.
    @Test(arguments: withoutVectors.keys.sorted())
    func vocabulariesWithoutVectors(_ name: String) throws {
        let path = Conformance.vocabularyPath(name)
        #expect(!FileManager.default.fileExists(atPath: path + ".out"), "\(name) now has vectors: check them")
        let file = try GGUFFile(path: path)
        let model = try #require(Self.withoutVectors[name])
        #expect(file["tokenizer.ggml.model"]?.stringValue == model, "\(name)")
        guard Vocabulary.Model(rawValue: model) != nil else {
            #expect(throws: GGUFError.self) { try Vocabulary(file: file) }
            return
        }
        let tokenizer = try Tokenizer(file: file)
        let text = "Hello world! 1234567 naïve café — 日本語 🚀\n\tx  y"
        let ids = tokenizer.encode(text, addSpecial: false)
        #expect(ids.count > 10, "\(name): \(ids)")
        let prefix: [UInt8] = tokenizer.vocabulary.addSpacePrefix ? [0x20] : []
        #expect(ids.flatMap { tokenizer.bytes(of: $0) } == prefix + Array(text.utf8), "\(name): \(ids)")
    }

    @Test(arguments: names)
    func encodesEveryVectorLikeLlamaCpp(_ name: String) throws {
        let data = try Conformance.load(name)
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
    @Test(arguments: names)
    func decodingGivesTheTextBack(_ name: String) throws {
        let data = try Conformance.load(name)
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
        let llama3 = try Conformance.load("llama-bpe"), gpt2 = try Conformance.load("gpt-2")
        let spm = try Conformance.load("llama-spm")
        // Llama 3 adds BOS by default; GPT-2's file does not ask for one.
        #expect(llama3.tokenizer.encode("Hello", addSpecial: true) == [128000, 9906])
        #expect(gpt2.tokenizer.encode("Hello", addSpecial: true) == gpt2.tokenizer.encode("Hello", addSpecial: false))
        #expect(spm.tokenizer.encode("Hello", addSpecial: true) == [1, 15043])
    }

    @Test func controlTokensOnlyWhenAskedUserDefinedAlways() throws {
        let llama3 = try Conformance.load("llama-bpe"), qwen = try Conformance.load("qwen2")
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
            let vocabulary = try Conformance.load(name).tokenizer.vocabulary
            for text in texts {
                let id = try #require(vocabulary.id(of: text), "\(name) has \(text)")
                #expect(vocabulary.endOfGeneration.contains(id), "\(name): \(text)")
                #expect(vocabulary.kinds[Int(id)] == .control, "\(name): \(text) is a control token")
            }
        }
    }

    @Test func phi3SpecialTokensSwallowTheSpaceAfterThem() throws {
        let phi3 = try Conformance.load("phi-3")
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
        let llama3 = try Conformance.load("llama-bpe"), spm = try Conformance.load("llama-spm")
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

