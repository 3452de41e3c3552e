import Foundation

/// Gemma 3: weights in place in the mapped GGUF file, and the forward pass.
///
/// Per layer: RMSNorm → Q/K/V → QK-norm → RoPE (local base on window layers, global base
/// every 6th layer) → attention → RMSNorm (sandwich) → residual; RMSNorm → GELU-gated FFN →
/// RMSNorm → residual. Embeddings are scaled by √d and tied to the output projection.
public final class Gemma3Model: @unchecked Sendable {
    public let config: Gemma3Config
    public let file: GGUFFile
    /// The engine's worker threads (one per core by default).
    public let pool: WorkerPool
    public var threads: Int { pool.threads }
    /// Receives intermediate tensors (name, values) when set: for comparing with other engines.
    public var tracer: (@Sendable (String, [Float]) -> Void)?
    private let embeddings: WeightMatrix
    private let outputNorm: WeightVector
    private let blocks: [Gemma3Block]
    let workspace = Workspace()

    struct Gemma3Block {
        let attentionNorm, postAttentionNorm, ffnNorm, postFFNNorm, queryNorm, keyNorm: WeightVector
        let query, key, value, output, gate, up, down: WeightMatrix
    }

    public init(file: GGUFFile, threads: Int = ProcessInfo.processInfo.activeProcessorCount) throws(GGUFError) {
        guard let architecture = file["general.architecture"]?.stringValue else {
            throw GGUFError("missing general.architecture")
        }
        guard architecture == "gemma3" else { throw GGUFError("architecture \(architecture) is not supported yet") }
        let config = try Gemma3Config(file: file)
        self.config = config
        self.file = file
        pool = WorkerPool(threads: threads)
        embeddings = try WeightMatrix(file, "token_embd.weight", columns: config.embedding, rows: config.vocabularySize)
        outputNorm = try WeightVector(file, "output_norm.weight", count: config.embedding)
        var blocks: [Gemma3Block] = []
        for index in 0..<config.layers {
            blocks.append(try Self.block(file, index, config))
        }
        self.blocks = blocks
    }

    private static func block(_ file: GGUFFile, _ index: Int, _ c: Gemma3Config) throws(GGUFError) -> Gemma3Block {
        let p = "blk.\(index)."
        let qWidth = c.heads * c.headSize
        let kvWidth = c.kvHeads * c.headSize
        return Gemma3Block(
            attentionNorm: try WeightVector(file, p + "attn_norm.weight", count: c.embedding),
            postAttentionNorm: try WeightVector(file, p + "post_attention_norm.weight", count: c.embedding),
            ffnNorm: try WeightVector(file, p + "ffn_norm.weight", count: c.embedding),
            postFFNNorm: try WeightVector(file, p + "post_ffw_norm.weight", count: c.embedding),
            queryNorm: try WeightVector(file, p + "attn_q_norm.weight", count: c.headSize),
            keyNorm: try WeightVector(file, p + "attn_k_norm.weight", count: c.headSize),
            query: try WeightMatrix(file, p + "attn_q.weight", columns: c.embedding, rows: qWidth),
            key: try WeightMatrix(file, p + "attn_k.weight", columns: c.embedding, rows: kvWidth),
            value: try WeightMatrix(file, p + "attn_v.weight", columns: c.embedding, rows: kvWidth),
            output: try WeightMatrix(file, p + "attn_output.weight", columns: qWidth, rows: c.embedding),
            gate: try WeightMatrix(file, p + "ffn_gate.weight", columns: c.embedding, rows: c.feedForward),
            up: try WeightMatrix(file, p + "ffn_up.weight", columns: c.embedding, rows: c.feedForward),
            down: try WeightMatrix(file, p + "ffn_down.weight", columns: c.feedForward, rows: c.embedding))
    }

    /// A fresh cache for one sequence of up to `capacity` tokens.
    public func makeCache(capacity: Int) -> KVCache {
        KVCache(layers: config.layers, width: config.kvHeads * config.headSize, capacity: min(capacity, config.contextLength))
    }

    /// Runs `tokens` (the next positions of the sequence in `cache`) and returns the logits
    /// after the last one. All tokens go through each weight matrix together (batched prefill).
    /// Not reentrant: callers run one pass at a time (the daemon's engine queue does).
    public func forward(_ tokens: [Int32], cache: KVCache) -> [Float] {
        let batch = tokens.count
        precondition(batch > 0)
        let d = config.embedding
        let hidden = workspace.floats("hidden", batch * d)
        embed(tokens, into: hidden)
        trace("inp_scaled", hidden, batch * d)
        var rows = batch
        for (index, block) in blocks.enumerated() {
            rows = layer(block, index: index, hidden: hidden, batch: batch, cache: cache, lastLayer: index == blocks.count - 1)
        }
        cache.advance(by: batch)
        return logits(last: hidden + (rows - 1) * d)
    }

    private func embed(_ tokens: [Int32], into hidden: UnsafeMutablePointer<Float>) {
        let d = config.embedding
        let scale = Float(d).squareRoot()
        for (b, token) in tokens.enumerated() {
            let out = hidden + b * d
            ReferenceDequantize.row(embeddings.type, embeddings.row(Int(token)), count: d, into: out)
            for i in 0..<d { out[i] *= scale }
        }
    }

    /// Output norm, then the tied embedding matrix as output projection (vocabulary-sized).
    private func logits(last: UnsafeMutablePointer<Float>) -> [Float] {
        let d = config.embedding
        let x = workspace.floats("final", d)
        VectorMath.rmsNorm(from: last, into: x, rows: 1, weight: outputNorm.values, epsilon: config.rmsEpsilon)
        var logits = [Float](repeating: 0, count: config.vocabularySize)
        let input = workspace.quantize(x, rows: 1, columns: d, for: [embeddings.type], pool: pool)[0]
        logits.withUnsafeMutableBufferPointer { out in
            pool.matMul([MatMulJob(weight: embeddings, input: input, output: out.baseAddress!)])
        }
        return logits
    }

    /// One block over `batch` positions; returns the rows of `hidden` it leaves (the last layer
    /// keeps only the last position after attention, since only its logits are asked for, as
    /// llama.cpp does, so the arithmetic of that row matches its one-row products).
    private func layer(
        _ block: Gemma3Block, index: Int, hidden: UnsafeMutablePointer<Float>, batch: Int, cache: KVCache, lastLayer: Bool
    ) -> Int {
        let c = config
        let d = c.embedding
        let normed = workspace.floats("normed", batch * d)
        let scratch = workspace.floats("scratch", batch * d)
        // Attention half: h += norm(attention(norm(h))).
        VectorMath.rmsNorm(from: hidden, into: normed, rows: batch, weight: block.attentionNorm.values, epsilon: c.rmsEpsilon)
        trace("attn_norm-\(index)", normed, batch * d)
        attention(block, index: index, input: normed, batch: batch, cache: cache, into: scratch)
        trace("attn_out-\(index)", scratch, batch * d)
        var batch = batch
        if lastLayer && batch > 1 {
            hidden.update(from: hidden + (batch - 1) * d, count: d)
            scratch.update(from: scratch + (batch - 1) * d, count: d)
            batch = 1
        }
        VectorMath.rmsNorm(scratch, rows: batch, weight: block.postAttentionNorm.values, epsilon: c.rmsEpsilon)
        for i in 0..<(batch * d) { hidden[i] += scratch[i] }
        trace("sa_out-\(index)", hidden, batch * d)
        // Feed-forward half: h += norm(down(gelu(gate(x)) · up(x))), x = norm(h).
        VectorMath.rmsNorm(from: hidden, into: normed, rows: batch, weight: block.ffnNorm.values, epsilon: c.rmsEpsilon)
        trace("ffn_norm-\(index)", normed, batch * d)
        feedForward(block, index: index, input: normed, batch: batch, into: scratch)
        trace("ffn_out-\(index)", scratch, batch * d)
        VectorMath.rmsNorm(scratch, rows: batch, weight: block.postFFNNorm.values, epsilon: c.rmsEpsilon)
        for i in 0..<(batch * d) { hidden[i] += scratch[i] }
        trace("l_out-\(index)", hidden, batch * d)
        return batch
    }

    func trace(_ name: @autoclosure () -> String, _ values: UnsafePointer<Float>, _ count: Int) {
        guard let tracer else { return }
        tracer(name(), Array(UnsafeBufferPointer(start: values, count: count)))
    }

    private func feedForward(_ block: Gemma3Block, index: Int, input: UnsafeMutablePointer<Float>, batch: Int, into out: UnsafeMutablePointer<Float>) {
        let width = config.feedForward
        let gate = workspace.floats("gate", batch * width)
        let up = workspace.floats("up", batch * width)
        let inputs = workspace.quantize(input, rows: batch, columns: config.embedding, for: [block.gate.type, block.up.type], pool: pool)
        pool.matMul([
            MatMulJob(weight: block.gate, input: inputs[0], output: gate),
            MatMulJob(weight: block.up, input: inputs[1], output: up),
        ])
        trace("ffn_gate-\(index)", gate, batch * width)
        trace("ffn_up-\(index)", up, batch * width)
        pool.run(chunks: (batch + 7) / 8) { chunk in
            for i in (chunk * 8 * width)..<(min(batch, chunk * 8 + 8) * width) { gate[i] = VectorMath.gelu(gate[i]) * up[i] }
        }
        trace("ffn_geglu-\(index)", gate, batch * width)
        let hidden = workspace.quantize(gate, rows: batch, columns: width, for: [block.down.type], pool: pool)[0]
        pool.matMul([MatMulJob(weight: block.down, input: hidden, output: out)])
    }
}
