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
        for special in vocabulary.specialTokens {
            if !parseSpecial && special.kind != .userDefined { continue }
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
