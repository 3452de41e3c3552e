/// One sequence's part of a batched forward step: its next tokens and its cache.
public struct StepInput {
    public var cache: KVCache
    public var tokens: [Int32]
    /// Whether the caller wants the logits after the last token (a prompt's earlier chunks do not).
    public var wantsLogits: Bool
    /// Whether the caller wants the logits after every token, each row computed exactly as a
    /// one-token decode step would compute it (to verify drafted tokens).
    public var verifies: Bool

    public init(cache: KVCache, tokens: [Int32], wantsLogits: Bool = true, verifies: Bool = false) {
        self.cache = cache
        self.tokens = tokens
        self.wantsLogits = wantsLogits
        self.verifies = verifies
    }

    /// Whether each row is multiplied alone (a decode token, or tokens being verified).
    var isAlone: Bool { tokens.count == 1 || verifies }
}

/// Rows of a step multiplied under one rounding rule: as one batch of that many rows (a
/// prompt chunk, as llama.cpp multiplies it), or each row alone (decode tokens of different
/// sequences, so each sequence gets exactly what it would get on its own).
struct RowGroup {
    let start: Int
    let count: Int
    let alone: Bool
}

/// Where each sequence's rows sit in the step's activations: rows multiplied alone first
/// (one-token sequences and verified drafts), then each longer chunk, in input order within
/// each kind.
struct StepLayout {
    struct Segment {
        let input: Int
        let start: Int
        let count: Int
        let cache: KVCache
        /// The cache position of the segment's first row.
        let first: Int
        let wantsLogits: Bool
        /// Logits after every row (a verified draft), not only the last.
        let verifies: Bool
    }

    let segments: [Segment]
    let rows: Int
    let groups: [RowGroup]

    init(_ inputs: [StepInput]) {
        let order = inputs.indices.filter { inputs[$0].isAlone } + inputs.indices.filter { !inputs[$0].isAlone }
        var segments: [Segment] = []
        var groups: [RowGroup] = []
        var start = 0
        for index in order {
            let input = inputs[index]
            segments.append(Segment(
                input: index, start: start, count: input.tokens.count, cache: input.cache, first: input.cache.count,
                wantsLogits: input.wantsLogits || input.verifies, verifies: input.verifies))
            if !input.isAlone { groups.append(RowGroup(start: start, count: input.tokens.count, alone: false)) }
            start += input.tokens.count
        }
        let alone = order.prefix { inputs[$0].isAlone }.reduce(0) { $0 + inputs[$1].tokens.count }
        if alone > 0 { groups.insert(RowGroup(start: 0, count: alone, alone: true), at: 0) }
        self.segments = segments
        self.groups = groups
        rows = start
    }

    /// The rows whose logits are wanted, in row order: the last of each segment that wants
    /// logits, every row of a verifying one. After the last layer's attention only these go on,
    /// each multiplied alone.
    var outputs: (rows: [(segment: Segment, source: Int)], groups: [RowGroup]) {
        var rows: [(segment: Segment, source: Int)] = []
        for segment in segments where segment.wantsLogits {
            let first = segment.verifies ? segment.start : segment.start + segment.count - 1
            for row in first..<(segment.start + segment.count) { rows.append((segment, row)) }
        }
        return (rows, rows.isEmpty ? [] : [RowGroup(start: 0, count: rows.count, alone: true)])
    }
}
