/// A few hundred tokens laid out like the real vocabularies of each family, as GGUF tokenizer
/// metadata: SentencePiece (`llama`) for Llama and Gemma 3, byte-level BPE (`gpt2`, pre-tokenizer
/// `qwen2`) for Qwen 2 and 3. Small, so the embedding matrix stays small, but complete enough
/// that any text encodes (byte fallback, or the byte-level alphabet) and decodes back.
struct TinyVocabulary {
    var tokens: [String] = []
    var types: [Int32] = []
    var scores: [Float] = []
    var merges: [String] = []
    /// Scalar keys beyond the arrays (ids, flags), in writing order.
    var keys: [(String, GGUFWriter.Value)] = []

    var count: Int { tokens.count }

    // llama.cpp's token types.
    static let normal: Int32 = 1, unknown: Int32 = 2, control: Int32 = 3, byte: Int32 = 6

    /// Words and pieces of words ("▁" for a space) for the SentencePiece vocabularies: enough
    /// for "hello world" and a little English to merge into multi-letter tokens.
    static let pieces = [
        "▁", "e", "t", "a", "o", "n", "i", "s", "r", "h", "l", "d", "c", "u", "m", "w", "f", "g", "y", "p", "b", "v", "k",
        "he", "th", "in", "er", "an", "re", "on", "ll", "or", "ld", "lo", "el", "wo",
        "▁t", "▁a", "▁h", "▁w", "▁s", "▁th", "▁the", "▁he", "▁an", "▁and", "▁in", "▁is", "▁of", "▁to",
        "ell", "ello", "hell", "hello", "▁hell", "▁hello", "orld", "world", "▁wor", "▁world", "▁it", "▁on", "▁at",
    ]

    /// Merges for the byte-level BPE vocabularies, best first ("Ġ" is the space's character);
    /// ordered so that "hello" and " world" become one token each.
    static let bytePairMerges = [
        "Ġ t", "l l", "e ll", "h ell", "hell o", "h e", "Ġ a", "i n", "e r", "o n", "Ġt he", "o r", "Ġ w", "l d",
        "Ġw or", "Ġwor ld", "Ġ h", "a n", "Ġa n", "Ġan d", "Ġ i", "Ġi s", "Ġ o", "Ġo f", "Ġt o", "Ġ hello",
    ]

    /// Llama 2: `<unk>`, `<s>`, `</s>`, the 256 byte tokens, then the pieces.
    static func llama() -> TinyVocabulary {
        var vocabulary = TinyVocabulary()
        vocabulary.add("<unk>", unknown)
        vocabulary.add("<s>", control)
        vocabulary.add("</s>", control)
        vocabulary.addBytesAndPieces()
        vocabulary.keys = [
            ("tokenizer.ggml.model", .string("llama")),
            ("tokenizer.ggml.unknown_token_id", .u32(0)),
            ("tokenizer.ggml.bos_token_id", .u32(1)),
            ("tokenizer.ggml.eos_token_id", .u32(2)),
            ("tokenizer.ggml.add_bos_token", .bool(true)),
            ("tokenizer.ggml.add_eos_token", .bool(false)),
        ]
        return vocabulary
    }

    /// Gemma 3's order: `<pad>`, `<eos>`, `<bos>`, `<unk>`, `<mask>`, the turn markers, bytes,
    /// pieces. Gemma adds no space in front of the text.
    static func gemma3() -> TinyVocabulary {
        var vocabulary = TinyVocabulary()
        vocabulary.add("<pad>", control)
        vocabulary.add("<eos>", control)
        vocabulary.add("<bos>", control)
        vocabulary.add("<unk>", unknown)
        vocabulary.add("<mask>", control)
        vocabulary.add("<start_of_turn>", control)
        vocabulary.add("<end_of_turn>", control)
        vocabulary.addBytesAndPieces()
        vocabulary.keys = [
            ("tokenizer.ggml.model", .string("llama")),
            ("tokenizer.ggml.padding_token_id", .u32(0)),
            ("tokenizer.ggml.eos_token_id", .u32(1)),
            ("tokenizer.ggml.bos_token_id", .u32(2)),
            ("tokenizer.ggml.unknown_token_id", .u32(3)),
            ("tokenizer.ggml.add_bos_token", .bool(true)),
            ("tokenizer.ggml.add_eos_token", .bool(false)),
            ("tokenizer.ggml.add_space_prefix", .bool(false)),
        ]
        return vocabulary
    }

    /// Qwen 2 and 3: the 256 characters of GPT-2's byte alphabet (in its order: the printable
    /// bytes, then the rest from U+0100), each merge's result, then the control tokens.
    static func qwen() -> TinyVocabulary {
        var vocabulary = TinyVocabulary()
        for scalar in byteAlphabet { vocabulary.add(String(Character(Unicode.Scalar(scalar)!)), normal) }
        for merge in bytePairMerges {
            let merged = merge.replacingOccurrences(of: " ", with: "")
            if !vocabulary.tokens.contains(merged) { vocabulary.add(merged, normal) }
        }
        vocabulary.merges = bytePairMerges
        let endOfText = vocabulary.count
        vocabulary.add("<|endoftext|>", control)
        vocabulary.add("<|im_start|>", control)
        vocabulary.add("<|im_end|>", control)
        vocabulary.keys = [
            ("tokenizer.ggml.model", .string("gpt2")),
            ("tokenizer.ggml.pre", .string("qwen2")),
            ("tokenizer.ggml.bos_token_id", .u32(UInt32(endOfText))),
            ("tokenizer.ggml.eos_token_id", .u32(UInt32(endOfText + 2))),
            ("tokenizer.ggml.padding_token_id", .u32(UInt32(endOfText))),
            ("tokenizer.ggml.add_bos_token", .bool(false)),
        ]
        return vocabulary
    }

    /// GPT-2's `bytes_to_unicode` in vocabulary order: the printable Latin-1 bytes stand for
    /// themselves; the other 68 bytes get U+0100 onwards, in byte order.
    static let byteAlphabet: [UInt32] = {
        let printable = Array(0x21...0x7E) + Array(0xA1...0xAC) + Array(0xAE...0xFF)
        let others = (0..<256).filter { !printable.contains($0) }
        return printable.map(UInt32.init) + others.indices.map { UInt32(256 + $0) }
    }()

    /// The metadata: model and ids, then tokens, scores, types (and merges for BPE).
    var metadata: [(String, GGUFWriter.Value)] {
        var entries = keys
        entries.append(("tokenizer.ggml.tokens", .strings(tokens)))
        entries.append(("tokenizer.ggml.scores", .f32s(scores)))
        entries.append(("tokenizer.ggml.token_type", .i32s(types)))
        if !merges.isEmpty { entries.append(("tokenizer.ggml.merges", .strings(merges))) }
        return entries
    }

    private mutating func add(_ token: String, _ type: Int32, score: Float = 0) {
        tokens.append(token)
        types.append(type)
        scores.append(score)
    }

    /// `<0x00>`…`<0xFF>`, then the pieces. SentencePiece merges by the merged piece's score,
    /// so longer pieces score higher (ties broken towards earlier ones).
    private mutating func addBytesAndPieces() {
        for byte in 0..<256 {
            let hex = String(byte, radix: 16, uppercase: true)
            add("<0x\(hex.count == 1 ? "0" + hex : hex)>", Self.byte)
        }
        for (index, piece) in Self.pieces.enumerated() {
            add(piece, Self.normal, score: Float(piece.count * 100 - index))
        }
    }
}
