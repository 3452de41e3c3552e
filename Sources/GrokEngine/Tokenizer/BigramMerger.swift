/// SentencePiece's merge loop: start from single UTF-8 characters and repeatedly join the
/// adjacent pair whose joined text is the highest-scoring token (leftmost on ties).
struct BigramMerger {
    private struct Symbol {
        var start: Int
        var length: Int
        var previous: Int
        var next: Int
    }

    private struct Bigram: Comparable {
        var left: Int
        var right: Int
        var score: Float
        var length: Int

        /// Heap order: higher score first, then the leftmost pair.
        static func < (a: Bigram, b: Bigram) -> Bool {
            a.score < b.score || (a.score == b.score && a.left > b.left)
        }
    }

    private let bytes: [UInt8]
    private let vocabulary: Vocabulary
    private var symbols: [Symbol] = []
    private var queue = MaxHeap<Bigram>()

    init(bytes: [UInt8], vocabulary: Vocabulary) {
        self.bytes = bytes
        self.vocabulary = vocabulary
        var offset = 0
        while offset < bytes.count {
            let length = min(Self.utf8Length(bytes[offset]), bytes.count - offset)
            symbols.append(Symbol(start: offset, length: length, previous: symbols.count - 1, next: symbols.count + 1))
            offset += length
        }
        if !symbols.isEmpty { symbols[symbols.count - 1].next = -1 }
    }

    mutating func run() {
        for index in 1..<max(symbols.count, 1) { addBigram(index - 1, index) }
        while let best = queue.pop() {
            let left = symbols[best.left]
            let right = symbols[best.right]
            // Stale: one side was merged away or grew since this pair was queued.
            guard left.length > 0, right.length > 0, left.length + right.length == best.length else { continue }
            symbols[best.left].length += right.length
            symbols[best.right].length = 0
            symbols[best.left].next = right.next
            if right.next >= 0 { symbols[right.next].previous = best.left }
            addBigram(left.previous, best.left)
            addBigram(best.left, right.next)
        }
    }

    /// The remaining symbols as (byte offset, byte length), in order.
    func finalSymbols() -> [(Int, Int)] {
        var result: [(Int, Int)] = []
        var index = symbols.isEmpty ? -1 : 0
        while index >= 0 {
            result.append((symbols[index].start, symbols[index].length))
            index = symbols[index].next
        }
        return result
    }

    private mutating func addBigram(_ left: Int, _ right: Int) {
        guard left >= 0, right >= 0 else { return }
        let start = symbols[left].start
        let length = symbols[left].length + symbols[right].length
        // Looked up as bytes: no string is made for the many pairs that are not tokens.
        let found = bytes.withUnsafeBufferPointer { all in
            vocabulary.table.find(UnsafeBufferPointer(rebasing: all[start..<(start + length)]))
        }
        guard let id = found, Int(id) < vocabulary.count else { return }
        queue.push(Bigram(left: left, right: right, score: vocabulary.scores[Int(id)], length: length))
    }

    private static func utf8Length(_ lead: UInt8) -> Int {
        switch lead {
        case 0..<0x80: return 1
        case 0xC0..<0xE0: return 2
        case 0xE0..<0xF0: return 3
        case 0xF0...: return 4
        default: return 1  // a continuation byte on its own
        }
    }
}

/// A binary max-heap.
struct MaxHeap<Element: Comparable> {
    private var items: [Element] = []

    mutating func push(_ item: Element) {
        items.append(item)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard items[parent] < items[child] else { break }
            items.swapAt(parent, child)
            child = parent
        }
    }

    mutating func pop() -> Element? {
        guard !items.isEmpty else { return nil }
        items.swapAt(0, items.count - 1)
        let top = items.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var largest = parent
            if left < items.count, items[largest] < items[left] { largest = left }
            if right < items.count, items[largest] < items[right] { largest = right }
            if largest == parent { break }
            items.swapAt(parent, largest)
            parent = largest
        }
        return top
    }
}
