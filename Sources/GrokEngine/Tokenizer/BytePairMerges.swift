/// The merge rules of a byte-level BPE vocabulary (`tokenizer.ggml.merges`, "left right" per
/// line, earlier lines first), keyed by the pair of symbol ids they join.
///
/// llama.cpp looks merges up by the two strings and compares strings to skip stale pairs; here
/// every string that takes part in a merge is interned once in the `TokenTable` (token texts
/// keep their token ids; the rare part that is not a token gets an id past the vocabulary), so
/// the merge loop only compares and hashes integers.
struct BytePairMerges: Sendable {
    /// (left << 32 | right) → (rank << 32 | result).
    private let rules: [UInt64: UInt64]
    /// The symbol each byte starts as: the entry of the byte-level character standing for it.
    let byteSymbols: [Int32]
    var count: Int { rules.count }

    init(merges: [String], table: inout TokenTable) {
        var rules: [UInt64: UInt64] = [:]
        rules.reserveCapacity(merges.count)
        var joined: [UInt8] = []
        for (rank, merge) in merges.enumerated() {
            var merge = merge
            merge.withUTF8 { line in
                // The separator is the first space after the first byte, as in llama.cpp.
                guard line.count > 2, let space = line.dropFirst().firstIndex(of: 0x20) else { return }
                let left = UnsafeBufferPointer(rebasing: line[..<space])
                let right = UnsafeBufferPointer(rebasing: line[(space + 1)...])
                guard !right.isEmpty else { return }
                joined.removeAll(keepingCapacity: true)
                joined.append(contentsOf: left)
                joined.append(contentsOf: right)
                let leftID = table.intern(left)
                let rightID = table.intern(right)
                let result = joined.withUnsafeBufferPointer { table.intern($0) }
                let key = UInt64(UInt32(leftID)) << 32 | UInt64(UInt32(rightID))
                // A repeated pair keeps its first (best) rank, like llama.cpp's map emplace.
                if rules[key] == nil { rules[key] = UInt64(rank) << 32 | UInt64(UInt32(result)) }
            }
        }
        self.rules = rules
        byteSymbols = ByteLevelEncoding.utf8OfByte.map { utf8 in utf8.withUnsafeBufferPointer { table.intern($0) } }
    }

    /// The rank of the rule joining two symbols (lower merges first) and the symbol it makes.
    @inline(__always)
    func rule(_ left: Int32, _ right: Int32) -> (rank: Int32, result: Int32)? {
        guard let value = rules[UInt64(UInt32(left)) << 32 | UInt64(UInt32(right))] else { return nil }
        return (Int32(truncatingIfNeeded: value >> 32), Int32(truncatingIfNeeded: value & 0xFFFF_FFFF))
    }
}
