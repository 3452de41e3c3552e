/// Cuts text at special tokens before the ordinary tokeniser sees it.
///
/// Like llama.cpp: user-defined tokens are always matched; control (and unknown) tokens only
/// when the caller asks to parse special tokens. Longer tokens are matched first.
struct SpecialTokenSplitter {
    enum Fragment: Equatable {
        case text(String)
        case token(Int32)
    }

    let vocabulary: Vocabulary

    func split(_ text: String, parseSpecial: Bool) -> [Fragment] {
        var fragments: [Fragment] = text.isEmpty ? [] : [.text(text)]
        let occurrences = ByteOccurrences(text)
        for special in vocabulary.specialTokens {
            if !parseSpecial && special.kind != .userDefined { continue }
            // Most of the thousands of special tokens are nowhere in the text: a byte check
            // against the whole text rules them out without scanning every fragment.
            guard occurrences.contains(special.text) else { continue }
            fragments = fragments.flatMap { fragment -> [Fragment] in
                guard case .text(let piece) = fragment, piece.contains(special.text) else { return [fragment] }
                return Self.cut(piece, at: special.text, id: special.id)
            }
        }
        return fragments
    }

    private static func cut(_ text: String, at token: String, id: Int32) -> [Fragment] {
        var pieces: [Fragment] = []
        var rest = Substring(text)
        while let range = rest.range(of: token) {
            if range.lowerBound > rest.startIndex { pieces.append(.text(String(rest[..<range.lowerBound]))) }
            pieces.append(.token(id))
            rest = rest[range.upperBound...]
        }
        if !rest.isEmpty { pieces.append(.text(String(rest))) }
        return pieces
    }
}

/// Where each byte value occurs in a text, to test quickly whether a short string occurs at all.
private struct ByteOccurrences {
    let bytes: [UInt8]
    let positions: [UInt8: [Int]]

    init(_ text: String) {
        bytes = Array(text.utf8)
        var positions: [UInt8: [Int]] = [:]
        for (index, byte) in bytes.enumerated() { positions[byte, default: []].append(index) }
        self.positions = positions
    }

    func contains(_ token: String) -> Bool {
        let needle = Array(token.utf8)
        guard let first = needle.first, let starts = positions[first] else { return false }
        return starts.contains { start in
            start + needle.count <= bytes.count && bytes[start..<(start + needle.count)].elementsEqual(needle)
        }
    }
}
