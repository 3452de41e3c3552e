/// One sequence's part of a batched forward step: its next tokens and its cache.
public struct StepInput {
    public var cache: KVCache
    public var tokens: [Int32]
    /// Whether the caller wants the logits after the last token (a prompt's earlier chunks do not).
    public var wantsLogits: Bool

    public init(cache: KVCache, tokens: [Int32], wantsLogits: Bool = true) {
        self.cache = cache
        self.tokens = tokens
        self.wantsLogits = wantsLogits
    }
}

/// Rows of a step multiplied under one rounding rule: as one batch of that many rows (a
/// prompt chunk, as llama.cpp multiplies it), or each row alone (decode tokens of different
/// sequences, so each sequence gets exactly what it would get on its own).
struct RowGroup {
    let start: Int
    let count: Int
    let alone: Bool
}

/// Where each sequence's rows sit in the step's activations: one-token sequences first, then
/// each longer chunk, in input order within each kind.
struct StepLayout {
    struct Segment {
        let input: Int
        let start: Int
        let count: Int
        let cache: KVCache
        /// The cache position of the segment's first row.
        let first: Int
        let wantsLogits: Bool
    }

    let segments: [Segment]
    let rows: Int
    let groups: [RowGroup]

    init(_ inputs: [StepInput]) {
        let order = inputs.indices.filter { inputs[$0].tokens.count == 1 } + inputs.indices.filter { inputs[$0].tokens.count > 1 }
        var segments: [Segment] = []
        var groups: [RowGroup] = []
        var start = 0
        for index in order {
            let input = inputs[index]
            segments.append(Segment(
                input: index, start: start, count: input.tokens.count, cache: input.cache, first: input.cache.count,
                wantsLogits: input.wantsLogits))
            if input.tokens.count > 1 { groups.append(RowGroup(start: start, count: input.tokens.count, alone: false)) }
            start += input.tokens.count
        }
        let single = segments.prefix { $0.count == 1 }.count
        if single > 0 { groups.insert(RowGroup(start: 0, count: single, alone: true), at: 0) }
        self.segments = segments
        self.groups = groups
        rows = start
    }

    /// The layout after the last layer's attention: one row per segment that wants logits.
    var outputs: (layout: [Segment], groups: [RowGroup]) {
        let kept = segments.filter(\.wantsLogits)
        return (kept, kept.isEmpty ? [] : [RowGroup(start: 0, count: kept.count, alone: true)])
    }
}
