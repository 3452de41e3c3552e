import Testing
@testable import GrokEngine

/// The pre-tokenizers' words on inputs worked out by hand from their expressions (the
/// llama.cpp vectors in TokenizerConformanceTests cover them through whole vocabularies; the
/// `default` one has no vocabulary among them).
@Suite struct PreTokenizerTests {
    static func words(_ pre: String, _ text: String) throws -> [String] {
        let preTokenizer = try #require(PreTokenizer(name: pre))
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBufferPointer { buffer in
            let scalars = ScalarText(buffer, 0..<bytes.count)
            var start = 0
            return preTokenizer.split(scalars).map { end in
                defer { start = end }
                return String(decoding: bytes[scalars.byteOffsets[start]..<scalars.byteOffsets[end]], as: UTF8.self)
            }
        }
    }

    @Test func defaultSplitsPunctuationThenWordsThenNumbersThenDigitTriples() throws {
        #expect(try Self.words("default", "Hello, world! 12345 x") == ["Hello", ",", " world", "!", " ", "123", "45", " x"])
    }

    @Test func llama3GroupsDigitsByThreeQwen2ByOne() throws {
        #expect(try Self.words("llama-bpe", "a 12345") == ["a", " ", "123", "45"])
        #expect(try Self.words("qwen2", "a 12345") == ["a", " ", "1", "2", "3", "4", "5"])
    }

    @Test func llama3KeepsNewlinesWithWhitespaceAndContractionsCaseInsensitive() throws {
        #expect(try Self.words("llama-bpe", "I'VE  \n\n x!!\n") == ["I", "'VE", "  \n\n", " x", "!!\n"])
        #expect(try Self.words("gpt-2", "I'VE  \n\n x") == ["I", "'", "VE", "  \n\n", " x"])
    }

    @Test func gpt2LeavesTheLastSpaceOfARunToTheNextWord() throws {
        #expect(try Self.words("gpt-2", "a   b  ") == ["a", "  ", " b", "  "])
        #expect(try Self.words("gpt-2", "¡Hola! 日本語") == ["¡", "Hola", "!", " 日本語"])
    }

    @Test func unknownNamesAreRefused() {
        #expect(PreTokenizer(name: "no-such-pre") == nil)
    }
}
