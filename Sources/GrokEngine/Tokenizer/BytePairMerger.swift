/// BPE's merge loop over one word: start from one symbol per byte and repeatedly join the
/// adjacent pair with the lowest merge rank (leftmost on ties), as llama.cpp's
/// `llm_tokenizer_bpe_session` does. Its buffers are kept from word to word.
struct BytePairMerger {
    /// A queued pair: ordered by rank, then by position.
    private struct Candidate: Comparable {
        var key: UInt64  // rank << 32 | left
        var right: Int32
        var leftSymbol: Int32
        var rightSymbol: Int32
        var result: Int32

        static func < (a: Candidate, b: Candidate) -> Bool { a.key < b.key }
    }

    private let merges: BytePairMerges
    private let vocabularySize: Int
    /// Per position: the symbol there (-1 once merged into its left neighbour), and the links.
    private var symbols: [Int32] = []
    private var previous: [Int32] = []
    private var next: [Int32] = []
    private var queue: [Candidate] = []  // a binary min-heap

    init(merges: BytePairMerges, vocabularySize: Int) {
        self.merges = merges
        self.vocabularySize = vocabularySize
    }

    /// Merges the word's bytes and appends its tokens.
    mutating func merge(_ word: UnsafeBufferPointer<UInt8>, into output: inout [Int32], table: TokenTable) {
        guard !word.isEmpty else { return }
        symbols.removeAll(keepingCapacity: true)
        previous.removeAll(keepingCapacity: true)
        next.removeAll(keepingCapacity: true)
        queue.removeAll(keepingCapacity: true)
        for (index, byte) in word.enumerated() {
            symbols.append(merges.byteSymbols[Int(byte)])
            previous.append(Int32(index - 1))
            next.append(index + 1 < word.count ? Int32(index + 1) : -1)
        }
        for index in 1..<word.count { enqueue(Int32(index - 1), Int32(index)) }

        while let best = pop() {
            let left = Int(best.key & 0xFFFF_FFFF), right = Int(best.right)
            // Stale: either side was merged away or has grown since the pair was queued.
            guard symbols[left] == best.leftSymbol, symbols[right] == best.rightSymbol else { continue }
            symbols[left] = best.result
            symbols[right] = -1
            next[left] = next[right]
            if next[right] >= 0 { previous[Int(next[right])] = Int32(left) }
            enqueue(previous[left], Int32(left))
            enqueue(Int32(left), next[left])
        }

        var index: Int32 = 0  // the first symbol is never merged away
        while index >= 0 {
            let symbol = symbols[Int(index)]
            if Int(symbol) < vocabularySize {
                output.append(symbol)
            } else {
                // A merge made a string that is not a token: llama.cpp falls back to the
                // tokens of its single bytes, where there are any.
                for byte in table.bytes(of: symbol) {
                    if let id = [byte].withUnsafeBufferPointer({ table.find($0) }), Int(id) < vocabularySize {
                        output.append(id)
                    }
                }
            }
            index = next[Int(index)]
        }
    }

    private mutating func enqueue(_ left: Int32, _ right: Int32) {
        guard left >= 0, right >= 0 else { return }
        let leftSymbol = symbols[Int(left)], rightSymbol = symbols[Int(right)]
        guard let rule = merges.rule(leftSymbol, rightSymbol) else { return }
        push(Candidate(key: UInt64(UInt32(rule.rank)) << 32 | UInt64(UInt32(left)), right: right,
                       leftSymbol: leftSymbol, rightSymbol: rightSymbol, result: rule.result))
    }

    private mutating func push(_ item: Candidate) {
        queue.append(item)
        var child = queue.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard queue[child] < queue[parent] else { break }
            queue.swapAt(parent, child)
            child = parent
        }
    }

    private mutating func pop() -> Candidate? {
        guard !queue.isEmpty else { return nil }
        queue.swapAt(0, queue.count - 1)
        let top = queue.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < queue.count, queue[left] < queue[smallest] { smallest = left }
            if right < queue.count, queue[right] < queue[smallest] { smallest = right }
            if smallest == parent { break }
            queue.swapAt(parent, smallest)
            parent = smallest
        }
        return top
    }
}
