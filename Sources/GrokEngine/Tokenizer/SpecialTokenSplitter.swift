/// Cuts text at special tokens before the ordinary tokeniser sees it.
///
/// Like llama.cpp: user-defined tokens are always matched; control (and unknown) tokens only
/// when the caller asks to parse special tokens. Tokens are tried longest first, each over
/// the text the longer ones left, leftmost occurrence first. Everything is bytes: a token is
/// a whole UTF-8 string, so its matches fall on character boundaries.
struct SpecialTokenSplitter {
    enum Fragment: Equatable {
        /// Ordinary text: a byte range of the input.
        case text(Range<Int>)
        case token(Int32)
    }

    let vocabulary: Vocabulary

    func split(_ bytes: [UInt8], parseSpecial: Bool) -> [Fragment] {
        guard !bytes.isEmpty else { return [] }
        var fragments: [Fragment] = [.text(0..<bytes.count)]
        let candidates = Candidates(bytes, vocabulary.specialTokenIndex)
        for index in candidates.tokens {
            let special = vocabulary.specialTokens[index]
            if !parseSpecial && special.kind != .userDefined { continue }
            let starts = candidates.matches(of: special.bytes, in: bytes)
            guard !starts.isEmpty else { continue }
            fragments = cut(fragments, at: special, starts: starts, bytes: bytes)
        }
        return fragments
    }

    private func cut(_ fragments: [Fragment], at special: Vocabulary.SpecialToken, starts: [Int], bytes: [UInt8]) -> [Fragment] {
        var result: [Fragment] = []
        result.reserveCapacity(fragments.count + 2 * starts.count)
        var nextStart = 0  // index into `starts`, which is sorted
        for fragment in fragments {
            guard case .text(let range) = fragment else { result.append(fragment); continue }
            var cursor = range.lowerBound
            while nextStart < starts.count {
                let start = starts[nextStart]
                if start < cursor { nextStart += 1; continue }  // overlaps the previous match
                guard start + special.bytes.count <= range.upperBound else { break }
                nextStart += 1
                var leftEnd = start
                if special.lstrip { while leftEnd > cursor && Self.isSpace(bytes[leftEnd - 1]) { leftEnd -= 1 } }
                if leftEnd > cursor { result.append(.text(cursor..<leftEnd)) }
                result.append(.token(special.id))
                cursor = start + special.bytes.count
                if special.rstrip { while cursor < range.upperBound && Self.isSpace(bytes[cursor]) { cursor += 1 } }
            }
            if cursor < range.upperBound { result.append(.text(cursor..<range.upperBound)) }
        }
        return result
    }

    /// C's `isspace` in the "C" locale, which llama.cpp's strip uses.
    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (0x09...0x0D).contains(byte)
    }
}

/// The special tokens by the first two bytes of their text (by their one byte when that is all
/// they have), built once per vocabulary.
struct SpecialTokenIndex: Sendable {
    /// Indices into the special tokens, ascending (so longest first).
    let byPair: [UInt16: [Int]]
    let byByte: [UInt8: [Int]]
    /// One bit per pair of bytes that starts some special token: the scan's quick test.
    private let pairBits: [UInt64]

    init(_ specials: [Vocabulary.SpecialToken]) {
        var byPair: [UInt16: [Int]] = [:]
        var byByte: [UInt8: [Int]] = [:]
        for (index, special) in specials.enumerated() {
            if special.bytes.count >= 2 {
                byPair[Self.pair(special.bytes[0], special.bytes[1]), default: []].append(index)
            } else if let byte = special.bytes.first {
                byByte[byte, default: []].append(index)
            }
        }
        self.byPair = byPair
        self.byByte = byByte
        var bits = [UInt64](repeating: 0, count: 1024)
        for pair in byPair.keys { bits[Int(pair >> 6)] |= 1 << UInt64(pair & 63) }
        pairBits = bits
    }

    @inline(__always)
    func mayStart(_ pair: UInt16) -> Bool {
        pairBits[Int(pair >> 6)] & (1 << UInt64(pair & 63)) != 0
    }

    static func pair(_ first: UInt8, _ second: UInt8) -> UInt16 {
        UInt16(first) << 8 | UInt16(second)
    }
}

/// Which special tokens can occur in a text at all, found from the pairs of bytes they start
/// with: most texts hold none of the few pairs (`<|`, `<s` …) that thousands of special tokens
/// share, so the splitter looks at a handful of tokens instead of all of them.
private struct Candidates {
    /// Indices into the vocabulary's special tokens, in its (longest first) order.
    let tokens: [Int]
    private let positionsByPair: [UInt16: [Int]]

    init(_ bytes: [UInt8], _ index: SpecialTokenIndex) {
        var positions: [UInt16: [Int]] = [:]
        var tokens: [Int] = []
        var seenBytes = Set<UInt8>()
        for offset in bytes.indices {
            if !index.byByte.isEmpty, let singles = index.byByte[bytes[offset]], seenBytes.insert(bytes[offset]).inserted {
                tokens += singles
            }
            guard offset + 1 < bytes.count else { break }
            let pair = SpecialTokenIndex.pair(bytes[offset], bytes[offset + 1])
            guard index.mayStart(pair), let specials = index.byPair[pair] else { continue }
            if positions[pair] == nil { tokens += specials }
            positions[pair, default: []].append(offset)
        }
        positionsByPair = positions
        self.tokens = tokens.sorted()
    }

    /// Every position where the token occurs in full (overlapping ones included).
    func matches(of token: [UInt8], in bytes: [UInt8]) -> [Int] {
        if token.count == 1 { return bytes.indices.filter { bytes[$0] == token[0] } }
        guard let starts = positionsByPair[SpecialTokenIndex.pair(token[0], token[1])] else { return [] }
        return starts.filter { start in
            start + token.count <= bytes.count && bytes[start..<(start + token.count)].elementsEqual(token)
        }
    }
}
