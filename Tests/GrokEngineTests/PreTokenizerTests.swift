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
        // Named in llama.cpp but not byte-level BPE, or split by custom code not covered here.
        for name in ["gemma4", "mmbert", "whitespace", "kimi-k2", "afmoe", "tiny_aya", "exaone-moe"] {
            #expect(PreTokenizer(name: name) == nil, "\(name)")
        }
    }

    /// Every name's expressions compile, and its words cover the text in order.
    @Test(arguments: PreTokenizerCatalog.names)
    func everyNameCutsTextIntoWordsCoveringIt(_ name: String) throws {
        let text = "Hello, World's 12345 naïve e\u{301}x 日本語 한국어 🚀\r\n\t  x!! <tag> IMGIMGAZ\n\n"
        let words = try Self.words(name, text)
        #expect(words.joined() == text, "\(name): \(words)")
        #expect(!words.contains(""), "\(name): \(words)")
        // SuperBPE keeps words together; every other name cuts at least at spaces.
        #expect(words.count > (name == "superbpe" ? 3 : 10), "\(name): \(words)")
    }

    @Test func smollmAndStarCoderSplitEveryDigitThenGPT2() throws {
        for name in ["smollm", "starcoder", "refact", "command-r", "codeshell", "exaone", "minerva-7b", "mellum2"] {
            #expect(try Self.words(name, "a 12345 b's") == ["a", " ", "1", "2", "3", "4", "5", " b", "'s"], "\(name)")
        }
        #expect(PreTokenizer(name: "smollm")?.cleanSpaces == false)
        #expect(PreTokenizer(name: "starcoder")?.cleanSpaces == true)
    }

    @Test func falconCutsPunctuationRunsThenDigitTriples() throws {
        #expect(try Self.words("falcon", "Hello, world!! 12345") == ["Hello", ",", " world", "!!", " ", "123", "45"])
    }

    @Test func deepseekCutsLinesLettersCJKAndNumbers() throws {
        #expect(try Self.words("deepseek-coder", "Hi 世界\nx1") == ["Hi", " ", "世界", "\n", "x", "1"])
        #expect(try Self.words("deepseek-llm", "Hello 世界 123\n") == ["Hello", " ", "世界", " ", "123", "\n"])
        #expect(try Self.words("deepseek-llm", "ab  ") == ["ab", "  "])
        #expect(try Self.words("deepseek-v3", "x.foo 12345") == ["x", ".foo", " ", "123", "45"])
    }

    @Test func gpt4oSplitsCamelCaseAsLlamaCppDoes() throws {
        #expect(try Self.words("gpt-4o", "HelloWorld's 12345 .foo") == ["Hello", "World's", " ", "123", "45", " .", "foo"])
        #expect(try Self.words("gpt-4o", "camelCaseXMLHttp") == ["camel", "Case", "XMLHttp"])
        // llama.cpp sees every non-ASCII letter as both cases.
        #expect(try Self.words("gpt-4o", "aEb") == ["a", "Eb"])
        #expect(try Self.words("gpt-4o", "aÉb") == ["aÉb"])
        #expect(try Self.words("tekken", "camelCase 123") == ["camel", "Case", " ", "1", "2", "3"])
    }

    @Test func bloomAndVikingCutAtSpacesAndStops() throws {
        #expect(try Self.words("bloom", "Hello, world. Ok") == ["Hello", ",", " world", ".", " Ok"])
        #expect(try Self.words("bloom", "(a|b)") == ["(", "a", "|", "b", ")"])
        #expect(try Self.words("viking", "abc123 x") == ["abc", "1", "2", "3", " x"])
    }

    @Test func superBPEGroupsDigitsByThreeFromTheRightAndKeepsWordsTogether() throws {
        #expect(try Self.words("superbpe", "I have 1234567 apples") == ["I have ", "1", "234", "567", " apples"])
    }

    @Test func chameleonCutsSentinelsImagesAndPunctuation() throws {
        #expect(try Self.words("chameleon", "<sentinel:12>IMGIMGABZ hi  2x")
            == ["<", "sentinel", ":", "1", "2", ">", "IMGIMGABZ", " hi", "  ", "2", "x"])
    }

    @Test func bailingAndSeedCoderVariants() throws {
        #expect(try Self.words("bailingmoe", "It'S 12") == ["It", "'S", " ", "1", "2"])
        #expect(try Self.words("seed-coder", "x!!\ny") == ["x", "!!", "\n", "y"])
        #expect(try Self.words("llama-bpe", "x!!\ny") == ["x", "!!\n", "y"])
    }

    @Test func qwen35JoinsCombiningMarksToLetters() throws {
        #expect(try Self.words("qwen2", "e\u{301}x") == ["e", "\u{301}x"])
        #expect(try Self.words("qwen35", "e\u{301}x") == ["e\u{301}x"])
    }
}
