import Testing
@testable import GrokEngine

@Suite struct TokenizerTests {
    static let tokenizer: SentencePieceTokenizer? = {
        guard case .success(let model) = ReferenceData.model, let vocabulary = try? Vocabulary(file: model.file) else { return nil }
        return SentencePieceTokenizer(vocabulary: vocabulary)
    }()

    @Test func referenceDataIsPresent() {
        #expect(ReferenceData.tokenizeCases.count == 20)
        #expect(Self.tokenizer != nil, "the default model is missing: run scripts/fetch-model")
    }

    @Test(arguments: ReferenceData.tokenizeCases)
    func matchesLlamaCpp(_ reference: ReferenceData.TokenizeCase) throws {
        let tokenizer = try #require(Self.tokenizer)
        #expect(tokenizer.encode(reference.text, addSpecial: true, parseSpecial: true) == reference.ids)
    }

    @Test(arguments: ReferenceData.tokenizeCases)
    func decodingGivesTheTextBack(_ reference: ReferenceData.TokenizeCase) throws {
        let tokenizer = try #require(Self.tokenizer)
        #expect(tokenizer.decode(reference.ids) == reference.text.replacingOccurrences(of: "<start_of_turn>", with: "")
            .replacingOccurrences(of: "<end_of_turn>", with: ""))
    }

    @Test func controlTokensInTextAreLiteralUnlessAsked() throws {
        let tokenizer = try #require(Self.tokenizer)
        let literal = tokenizer.encode("<start_of_turn>", addSpecial: false, parseSpecial: false)
        #expect(literal.count > 1)
        #expect(tokenizer.encode("<start_of_turn>", addSpecial: false, parseSpecial: true) == [105])
    }

    @Test func streamingDecoderNeverSplitsACharacter() throws {
        let tokenizer = try #require(Self.tokenizer)
        let ids = tokenizer.encode("Emoji: 🚀🔥 日本語", addSpecial: false)
        var decoder = StreamingDecoder()
        var text = ""
        for id in ids {
            let piece = decoder.append(tokenizer.bytes(of: id))
            #expect(!piece.contains("\u{FFFD}"))
            text += piece
        }
        text += decoder.finish()
        #expect(text == "Emoji: 🚀🔥 日本語")
    }
}
