/// SentencePiece-style tokenisation (GGUF tokenizer model `llama`), as llama.cpp does it:
/// spaces become "▁", characters are merged pairwise by the highest token score, and
/// characters without a token fall back to byte tokens.
public struct SentencePieceTokenizer: Sendable {
    public let vocabulary: Vocabulary

    public init(vocabulary: Vocabulary) {
        self.vocabulary = vocabulary
    }

    /// Text → token ids. `addSpecial` adds BOS when the model asks for it; `parseSpecial`
    /// lets control tokens written in the text (`<start_of_turn>`) count as those tokens.
    public func encode(_ text: String, addSpecial: Bool = true, parseSpecial: Bool = false) -> [Int32] {
        var output: [Int32] = []
        if addSpecial, vocabulary.addBOS, let bos = vocabulary.bos { output.append(bos) }
        var first = true
        for fragment in SpecialTokenSplitter(vocabulary: vocabulary).split(text, parseSpecial: parseSpecial) {
            switch fragment {
            case .token(let id):
                output.append(id)
            case .text(let piece):
                var piece = piece
                if vocabulary.addSpacePrefix && first { piece = " " + piece }
                encodePiece(piece, into: &output)
            }
            first = false
        }
        return output
    }

    /// One run of ordinary text: the bigram merge.
    private func encodePiece(_ text: String, into output: inout [Int32]) {
        let bytes = Array(text.replacingOccurrences(of: " ", with: "\u{2581}").utf8)
        guard !bytes.isEmpty else { return }
        var merger = BigramMerger(bytes: bytes, vocabulary: vocabulary)
        merger.run()
        for (start, length) in merger.finalSymbols() {
            let slice = bytes[start..<(start + length)]
            if let id = vocabulary.ids[String(decoding: slice, as: UTF8.self)] {
                output.append(id)
            } else {
                for byte in slice {
                    if let id = vocabulary.byteTokens[Int(byte)] ?? vocabulary.unknown { output.append(id) }
                }
            }
        }
    }

    /// The bytes a token stands for (empty for control tokens).
    public func bytes(of id: Int32) -> [UInt8] {
        guard id >= 0, Int(id) < vocabulary.count else { return [] }
        switch vocabulary.kinds[Int(id)] {
        case .control, .unused, .unknown:
            return []
        case .byte:
            return Self.byteValue(vocabulary.tokens[Int(id)]).map { [$0] } ?? []
        case .normal, .userDefined:
            return Array(vocabulary.tokens[Int(id)].replacingOccurrences(of: "\u{2581}", with: " ").utf8)
        }
    }

    /// Token ids → text (invalid UTF-8 from partial byte tokens is repaired).
    public func decode(_ ids: [Int32]) -> String {
        String(decoding: ids.flatMap { bytes(of: $0) }, as: UTF8.self)
    }

    private static func byteValue(_ token: String) -> UInt8? {
        guard token.hasPrefix("<0x"), token.hasSuffix(">"), token.count == 6 else { return nil }
        return UInt8(token.dropFirst(3).dropLast(), radix: 16)
    }
}
