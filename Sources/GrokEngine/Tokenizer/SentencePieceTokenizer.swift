/// SentencePiece-style tokenisation (GGUF tokenizer model `llama`), as llama.cpp does it:
/// spaces become "▁", characters are merged pairwise by the highest token score, and
/// characters without a token fall back to byte tokens.
public struct SentencePieceTokenizer: Sendable {
    public let vocabulary: Vocabulary

    public init(vocabulary: Vocabulary) {
        self.vocabulary = vocabulary
    }

    /// Text → token ids. `addSpecial` adds BOS (and EOS) when the model asks for it;
    /// `parseSpecial` lets control tokens written in the text (`<start_of_turn>`) count as
    /// those tokens (user-defined tokens always do).
    public func encode(_ text: String, addSpecial: Bool = true, parseSpecial: Bool = false) -> [Int32] {
        let bytes = Array(text.utf8)
        var output: [Int32] = []
        output.reserveCapacity(bytes.count / 3 + 2)
        if addSpecial, vocabulary.addBOS, let bos = vocabulary.bos { output.append(bos) }
        // llama.cpp prefixes a space to the text at the start and after every special token.
        var afterSpecial = true
        for fragment in SpecialTokenSplitter(vocabulary: vocabulary).split(bytes, parseSpecial: parseSpecial) {
            switch fragment {
            case .token(let id):
                output.append(id)
                afterSpecial = true
            case .text(let range):
                var piece: [UInt8] = []
                piece.reserveCapacity(range.count + 8)
                if vocabulary.addSpacePrefix && afterSpecial { piece += Self.escapedSpace }
                for byte in bytes[range] {
                    if byte == 0x20 { piece += Self.escapedSpace } else { piece.append(byte) }
                }
                encodePiece(piece, into: &output)
                afterSpecial = false
            }
        }
        if addSpecial, vocabulary.addEOS, let eos = vocabulary.eos { output.append(eos) }
        return output
    }

    /// "▁" (U+2581), which stands for a space in SentencePiece tokens.
    private static let escapedSpace: [UInt8] = [0xE2, 0x96, 0x81]

    /// One run of ordinary text, spaces escaped: the bigram merge.
    private func encodePiece(_ bytes: [UInt8], into output: inout [Int32]) {
        guard !bytes.isEmpty else { return }
        var merger = BigramMerger(bytes: bytes, vocabulary: vocabulary)
        merger.run()
        for (start, length) in merger.finalSymbols() {
            let found = bytes.withUnsafeBufferPointer { all in
                vocabulary.table.find(UnsafeBufferPointer(rebasing: all[start..<(start + length)]))
            }
            if let id = found, Int(id) < vocabulary.count {
                output.append(id)
            } else {
                for byte in bytes[start..<(start + length)] {
                    if let id = vocabulary.byteTokens[Int(byte)] ?? vocabulary.unknown { output.append(id) }
                }
            }
        }
    }

    /// The bytes a token stands for (empty for control tokens), as llama.cpp renders it:
    /// user-defined tokens as written, ordinary ones with "▁" back to spaces.
    public func bytes(of id: Int32) -> [UInt8] {
        guard id >= 0, Int(id) < vocabulary.count else { return [] }
        switch vocabulary.kinds[Int(id)] {
        case .control, .unused, .unknown:
            return []
        case .byte:
            return Self.byteValue(vocabulary.tokens[Int(id)]).map { [$0] } ?? []
        case .userDefined:
            return Array(vocabulary.tokens[Int(id)].utf8)
        case .normal:
            return Array(vocabulary.tokens[Int(id)].replacingOccurrences(of: "\u{2581}", with: " ").utf8)
        }
    }

    /// Token ids → text as llama.cpp detokenizes it: the space the encoder prefixed is
    /// removed from the first token; invalid UTF-8 from partial byte tokens is repaired.
    public func decode(_ ids: [Int32]) -> String {
        TokenDecoding.decode(ids, vocabulary: vocabulary, bytes: bytes(of:))
    }

    static func byteValue(_ token: String) -> UInt8? {
        guard token.hasPrefix("<0x"), token.hasSuffix(">"), token.utf8.count == 6 else { return nil }
        return UInt8(token.dropFirst(3).dropLast(), radix: 16)
    }
}
