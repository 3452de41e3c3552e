/// A model's tokenizer, whichever kind its vocabulary calls for: SentencePiece (`llama`: Gemma,
/// Llama 2, Mistral, Phi-3) or byte-level BPE (`gpt2`: Llama 3, Qwen 2, GPT-2).
public struct Tokenizer: Sendable {
    private enum Kind: Sendable {
        case sentencePiece(SentencePieceTokenizer)
        case bytePair(BytePairTokenizer)
    }

    private let kind: Kind
    public let vocabulary: Vocabulary

    /// The tokenizer for a vocabulary (`Vocabulary(file:)` has already checked that it is one
    /// of the supported kinds).
    public init(vocabulary: Vocabulary) {
        self.vocabulary = vocabulary
        if let bytePair = BytePairTokenizer(vocabulary: vocabulary) {
            kind = .bytePair(bytePair)
        } else {
            kind = .sentencePiece(SentencePieceTokenizer(vocabulary: vocabulary))
        }
    }

    /// Reads the vocabulary of a GGUF file and makes its tokenizer.
    public init(file: GGUFFile) throws(GGUFError) {
        self.init(vocabulary: try Vocabulary(file: file))
    }

    /// Text → token ids, as llama.cpp's `llama_tokenize`: `addSpecial` adds BOS/EOS when the
    /// model asks for them; `parseSpecial` lets control tokens written in the text count as
    /// those tokens (user-defined tokens always do).
    public func encode(_ text: String, addSpecial: Bool = true, parseSpecial: Bool = false) -> [Int32] {
        switch kind {
        case .sentencePiece(let tokenizer): tokenizer.encode(text, addSpecial: addSpecial, parseSpecial: parseSpecial)
        case .bytePair(let tokenizer): tokenizer.encode(text, addSpecial: addSpecial, parseSpecial: parseSpecial)
        }
    }

    /// Token ids → text, as llama.cpp's `llama_detokenize` (special tokens render as nothing).
    public func decode(_ ids: [Int32]) -> String {
        switch kind {
        case .sentencePiece(let tokenizer): tokenizer.decode(ids)
        case .bytePair(let tokenizer): tokenizer.decode(ids)
        }
    }

    /// The bytes one token stands for (empty for control tokens); feed them to a
    /// `StreamingDecoder` to show text as it is generated.
    public func bytes(of id: Int32) -> [UInt8] {
        switch kind {
        case .sentencePiece(let tokenizer): tokenizer.bytes(of: id)
        case .bytePair(let tokenizer): tokenizer.bytes(of: id)
        }
    }
}
