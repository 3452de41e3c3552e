import Foundation

/// A decoder-only transformer (Gemma 3, Llama, Qwen 2, Qwen 3): weights in place in the mapped
/// GGUF file, and the forward pass shared by every family.
///
/// Per layer: RMSNorm → Q/K/V (+ biases) → QK-norm where the family has it → RoPE → attention
/// (sliding window on windowed layers) → output projection (→ RMSNorm for sandwich-norm
/// families) → residual; RMSNorm → gated feed-forward (GELU or SiLU) (→ RMSNorm) → residual.
/// What differs between families is in `ModelConfig`, read per architecture.
public final class LanguageModel: @unchecked Sendable {
    public let config: ModelConfig
    public let file: GGUFFile
    /// The engine's worker threads (one per core by default).
    public let pool: WorkerPool
    public var threads: Int { pool.threads }
    /// Receives intermediate tensors (name, values) when set: for comparing with other engines.
    public var tracer: (@Sendable (String, [Float]) -> Void)?
    private let embeddings: WeightMatrix
    /// The output projection: its own matrix, or the embeddings (tied).
    private let output: WeightMatrix
    private let outputNorm: WeightVector
    let blocks: [TransformerBlock]
    let workspace = Workspace()

    /// Loads the model of a GGUF file; an architecture the engine does not run is an error naming it.
    public init(file: GGUFFile, threads: Int = ProcessInfo.processInfo.activeProcessorCount) throws(GGUFError) {
        let config = try ModelConfig(file: file)
        self.config = config
        self.file = file
        pool = WorkerPool(threads: threads)
        let table = try WeightMatrix(file, "token_embd.weight", columns: config.embedding, rows: config.vocabularySize)
        if file.tensors["output.weight"] != nil {
            // Only looked up row by row: the file's layout serves, no packed copy.
            embeddings = table
            output = try WeightMatrix(file, "output.weight", columns: config.embedding, rows: config.vocabularySize)
                .packed(using: pool)
        } else {
            embeddings = table.packed(using: pool)
            output = embeddings
        }
        outputNorm = try WeightVector(file, "output_norm.weight", count: config.embedding)
        var blocks: [TransformerBlock] = []
        for index in 0..<config.layers {
            blocks.append(try TransformerBlock(file, index: index, config: config, pool: pool))
        }
        self.blocks = blocks
    }

    /// A fresh cache for one sequence of up to `capacity` tokens.
    public func makeCache(capacity: Int) -> KVCache {
        KVCache(width: config.kvHeads * config.headSize, capacity: min(capacity, config.contextLength), windows: cacheWindows)
    }

    /// Per layer, the sliding window its cache keeps (nil: a global layer keeps everything).
    var cacheWindows: [Int?] { config.windows }

    /// The most bytes a cache made by `makeCache(capacity:)` can hold, with steps of `step` rows.
    public func cacheBytesBound(capacity: Int, step: Int) -> Int {
        KVCache.bytesBound(
            positions: min(capacity, config.contextLength), width: config.kvHeads * config.headSize, windows: cacheWindows,
            step: step)
    }

    /// Runs `tokens` (the next positions of the sequence in `cache`) and returns the logits
    /// after the last one. All tokens go through each weight matrix together (batched prefill).
    /// Not reentrant: callers run one pass at a time (the daemon's engine queue does).
    public func forward(_ tokens: [Int32], cache: KVCache) -> [Float] {
        step([StepInput(cache: cache, tokens: tokens)])[0]!
    }

    /// One batched pass over several sequences: each weight matrix is read once for all their
    /// rows. Returns, per input, the logits after its last token (nil where not wanted). Each
    /// sequence's numbers are exactly those it would get in a step of its own.
    public func step(_ inputs: [StepInput]) -> [[Float]?] {
        var results = [[Float]?](repeating: nil, count: inputs.count)
        step(inputs) { input, logits in results[input] = Array(logits) }
        return results
    }

    /// `step(_:)` handing each wanted input's logits to `body` (input index, logits) in place,
    /// without copying them; the buffer is valid only during the call. A verifying input gets
    /// one call per token, in order.
    public func step(_ inputs: [StepInput], logits body: (Int, UnsafeBufferPointer<Float>) -> Void) {
        precondition(inputs.allSatisfy { !$0.tokens.isEmpty })
        let layout = StepLayout(inputs)
        let d = config.embedding
        let hidden = workspace.floats("hidden", layout.rows * d)
        for segment in layout.segments { embed(inputs[segment.input].tokens, into: hidden + segment.start * d) }
        trace("inp_scaled", hidden, layout.rows * d)
        for (index, block) in blocks.enumerated() where index < blocks.count - 1 {
            layer(block, index: index, hidden: hidden, layout: layout)
        }
        let kept = lastLayer(blocks[blocks.count - 1], hidden: hidden, layout: layout)
        for segment in layout.segments { segment.cache.advance(by: segment.count) }
        guard !kept.isEmpty else { return }
        let all = logits(hidden, rows: kept.count)
        let vocabulary = config.vocabularySize
        for (row, input) in kept.enumerated() {
            body(input, UnsafeBufferPointer(start: all + row * vocabulary, count: vocabulary))
        }
    }

    private func embed(_ tokens: [Int32], into hidden: UnsafeMutablePointer<Float>) {
        let d = config.embedding
        let scale = config.embeddingScale
        for (b, token) in tokens.enumerated() {
            let out = hidden + b * d
            ReferenceDequantize.row(embeddings.type, embeddings.row(Int(token)), count: d, into: out)
            if scale != 1 { for i in 0..<d { out[i] *= scale } }
        }
    }

    /// Output norm, then the output projection (vocabulary-sized).
    /// Into the workspace (reused from step to step: no allocation, no page faults).
    private func logits(_ hidden: UnsafeMutablePointer<Float>, rows: Int) -> UnsafeMutablePointer<Float> {
        let d = config.embedding
        let x = workspace.floats("final", rows * d)
        VectorMath.rmsNorm(from: hidden, into: x, rows: rows, weight: outputNorm.values, epsilon: config.rmsEpsilon)
        let logits = workspace.floats("logits", rows * config.vocabularySize)
        let input = workspace.quantize(x, rows: rows, columns: d, for: [output.type], pool: pool)[0]
        pool.matMul(MatMulJob.grouped(output, input, logits, [RowGroup(start: 0, count: rows, alone: true)]))
        return logits
    }

    /// One block over every row of the step.
    private func layer(_ block: TransformerBlock, index: Int, hidden: UnsafeMutablePointer<Float>, layout: StepLayout) {
        let rows = layout.rows
        let scratch = attentionHalf(block, index: index, hidden: hidden, layout: layout)
        residual(block.postAttentionNorm, scratch, into: hidden, rows: rows)
        trace("sa_out-\(index)", hidden, rows * config.embedding)
        feedForwardHalf(block, index: index, hidden: hidden, rows: rows, groups: layout.groups)
    }

    /// The last block: after attention only the rows whose logits are wanted go on (as llama.cpp
    /// prunes its last layer), each multiplied alone. Returns those rows' inputs, in row order.
    private func lastLayer(_ block: TransformerBlock, hidden: UnsafeMutablePointer<Float>, layout: StepLayout) -> [Int] {
        let index = blocks.count - 1
        let d = config.embedding
        let scratch = attentionHalf(block, index: index, hidden: hidden, layout: layout)
        let (kept, groups) = layout.outputs
        for (row, (_, source)) in kept.enumerated() where source != row {
            (hidden + row * d).update(from: hidden + source * d, count: d)
            (scratch + row * d).update(from: scratch + source * d, count: d)
        }
        residual(block.postAttentionNorm, scratch, into: hidden, rows: kept.count)
        trace("sa_out-\(index)", hidden, kept.count * d)
        feedForwardHalf(block, index: index, hidden: hidden, rows: kept.count, groups: groups)
        return kept.map(\.segment.input)
    }

    /// h ← h + norm(x) row by row (h ← h + x without a sandwich norm).
    private func residual(_ norm: WeightVector?, _ x: UnsafeMutablePointer<Float>, into hidden: UnsafeMutablePointer<Float>, rows: Int) {
        if let norm { VectorMath.rmsNorm(x, rows: rows, weight: norm.values, epsilon: config.rmsEpsilon) }
        for i in 0..<(rows * config.embedding) { hidden[i] += x[i] }
    }

    /// Attention of norm(h) for every row; returns the projected output (in the scratch buffer).
    private func attentionHalf(
        _ block: TransformerBlock, index: Int, hidden: UnsafeMutablePointer<Float>, layout: StepLayout
    ) -> UnsafeMutablePointer<Float> {
        let d = config.embedding
        let normed = workspace.floats("normed", layout.rows * d)
        let scratch = workspace.floats("scratch", layout.rows * d)
        VectorMath.rmsNorm(from: hidden, into: normed, rows: layout.rows, weight: block.attentionNorm.values, epsilon: config.rmsEpsilon)
        trace("attn_norm-\(index)", normed, layout.rows * d)
        attention(block, index: index, input: normed, layout: layout, into: scratch)
        trace("attn_out-\(index)", scratch, layout.rows * d)
        return scratch
    }

    /// h ← h + norm(down(act(gate(x)) · up(x))), x = norm(h), for the first `rows` rows.
    private func feedForwardHalf(_ block: TransformerBlock, index: Int, hidden: UnsafeMutablePointer<Float>, rows: Int, groups: [RowGroup]) {
        let d = config.embedding
        let normed = workspace.floats("normed", rows * d)
        let scratch = workspace.floats("scratch", rows * d)
        VectorMath.rmsNorm(from: hidden, into: normed, rows: rows, weight: block.ffnNorm.values, epsilon: config.rmsEpsilon)
        trace("ffn_norm-\(index)", normed, rows * d)
        feedForward(block, index: index, input: normed, rows: rows, groups: groups, into: scratch)
        trace("ffn_out-\(index)", scratch, rows * d)
        residual(block.postFFNNorm, scratch, into: hidden, rows: rows)
        trace("l_out-\(index)", hidden, rows * d)
    }

    func trace(_ name: @autoclosure () -> String, _ values: UnsafePointer<Float>, _ count: Int) {
        guard let tracer else { return }
        tracer(name(), Array(UnsafeBufferPointer(start: values, count: count)))
    }

    private func feedForward(
        _ block: TransformerBlock, index: Int, input: UnsafeMutablePointer<Float>, rows: Int, groups: [RowGroup],
        into out: UnsafeMutablePointer<Float>
    ) {
        let width = config.feedForward
        let gate = workspace.floats("gate", rows * width)
        let up = workspace.floats("up", rows * width)
        let inputs = workspace.quantize(input, rows: rows, columns: config.embedding, for: [block.gate.type, block.up.type], pool: pool)
        pool.matMul(MatMulJob.grouped(block.gate, inputs[0], gate, groups) + MatMulJob.grouped(block.up, inputs[1], up, groups))
        trace("ffn_gate-\(index)", gate, rows * width)
        trace("ffn_up-\(index)", up, rows * width)
        // Chunks of 4096 values: even one row is shared by the threads.
        let total = rows * width
        let gelu = config.activation == .gelu
        pool.run(chunks: (total + 4095) / 4096) { chunk in
            let range = (chunk * 4096)..<min(total, chunk * 4096 + 4096)
            if gelu {
                for i in range { gate[i] = VectorMath.gelu(gate[i]) * up[i] }
            } else {
                for i in range { gate[i] = VectorMath.silu(gate[i]) * up[i] }
            }
        }
        trace("ffn_geglu-\(index)", gate, rows * width)
        let hidden = workspace.quantize(gate, rows: rows, columns: width, for: [block.down.type], pool: pool)[0]
        pool.matMul(MatMulJob.grouped(block.down, hidden, out, groups))
    }
}
