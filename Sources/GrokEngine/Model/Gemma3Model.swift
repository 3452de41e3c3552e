import Foundation

/// Gemma 3: weights in place in the mapped GGUF file, and the forward pass.
///
/// Per layer: RMSNorm → Q/K/V → QK-norm → RoPE (local base on window layers, global base
/// every 6th layer) → attention → RMSNorm (sandwich) → residual; RMSNorm → GELU-gated FFN →
/// RMSNorm → residual. Embeddings are scaled by √d and tied to the output projection.
public final class Gemma3Model: @unchecked Sendable {
    public let config: Gemma3Config
    public let file: GGUFFile
    public var threads: Int
    /// Receives intermediate tensors (name, values) when set: for comparing with other engines.
    public var tracer: (@Sendable (String, [Float]) -> Void)?
    private let embeddings: WeightMatrix
    private let outputNorm: WeightVector
    private let blocks: [Gemma3Block]

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
        self.threads = max(1, threads)
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
    public func forward(_ tokens: [Int32], cache: KVCache) -> [Float] {
        let batch = tokens.count
        precondition(batch > 0)
        let d = config.embedding
        var hidden = [Float](repeating: 0, count: batch * d)
        hidden.withUnsafeMutableBufferPointer { h in
            embed(tokens, into: h.baseAddress!)
            trace("inp_scaled", h.baseAddress!, batch * d)
            for (index, block) in blocks.enumerated() {
                layer(block, index: index, hidden: h.baseAddress!, batch: batch, cache: cache)
            }
        }
        cache.advance(by: batch)
        return logits(lastOf: hidden, batch: batch)
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

    private func logits(lastOf hidden: [Float], batch: Int) -> [Float] {
        let d = config.embedding
        var last = Array(hidden[(batch - 1) * d..<batch * d])
        var logits = [Float](repeating: 0, count: config.vocabularySize)
        last.withUnsafeMutableBufferPointer { x in
            VectorMath.rmsNorm(x.baseAddress!, rows: 1, weight: outputNorm.values, epsilon: config.rmsEpsilon)
            logits.withUnsafeMutableBufferPointer { out in
                VectorMath.matMul(embeddings, x.baseAddress!, batch: 1, into: out.baseAddress!, threads: threads)
            }
        }
        return logits
    }

    private func layer(_ block: Gemma3Block, index: Int, hidden: UnsafeMutablePointer<Float>, batch: Int, cache: KVCache) {
        let c = config
        let d = c.embedding
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: batch * max(d, c.feedForward, c.heads * c.headSize))
        let normed = UnsafeMutablePointer<Float>.allocate(capacity: batch * max(d, c.heads * c.headSize))
        defer {
            scratch.deallocate()
            normed.deallocate()
        }
        // Attention half: h += norm(attention(norm(h))).
        VectorMath.rmsNorm(from: hidden, into: normed, rows: batch, weight: block.attentionNorm.values, epsilon: c.rmsEpsilon)
        trace("attn_norm-\(index)", normed, batch * d)
        attention(block, index: index, input: normed, batch: batch, cache: cache, into: scratch)
        trace("attn_out-\(index)", scratch, batch * d)
        VectorMath.rmsNorm(scratch, rows: batch, weight: block.postAttentionNorm.values, epsilon: c.rmsEpsilon)
        for i in 0..<(batch * d) { hidden[i] += scratch[i] }
        // Feed-forward half: h += norm(down(gelu(gate(x)) · up(x))), x = norm(h).
        VectorMath.rmsNorm(from: hidden, into: normed, rows: batch, weight: block.ffnNorm.values, epsilon: c.rmsEpsilon)
        trace("ffn_norm-\(index)", normed, batch * d)
        feedForward(block, input: normed, batch: batch, into: scratch)
        trace("ffn_out-\(index)", scratch, batch * d)
        VectorMath.rmsNorm(scratch, rows: batch, weight: block.postFFNNorm.values, epsilon: c.rmsEpsilon)
        for i in 0..<(batch * d) { hidden[i] += scratch[i] }
        trace("l_out-\(index)", hidden, batch * d)
    }

    func trace(_ name: String, _ values: UnsafePointer<Float>, _ count: Int) {
        tracer?(name, Array(UnsafeBufferPointer(start: values, count: count)))
    }

    private func feedForward(_ block: Gemma3Block, input: UnsafeMutablePointer<Float>, batch: Int, into out: UnsafeMutablePointer<Float>) {
        let width = config.feedForward
        let gate = UnsafeMutablePointer<Float>.allocate(capacity: batch * width)
        let up = UnsafeMutablePointer<Float>.allocate(capacity: batch * width)
        defer {
            gate.deallocate()
            up.deallocate()
        }
        VectorMath.matMul(block.gate, input, batch: batch, into: gate, threads: threads)
        VectorMath.matMul(block.up, input, batch: batch, into: up, threads: threads)
        for i in 0..<(batch * width) { gate[i] = VectorMath.gelu(gate[i]) * up[i] }
        VectorMath.matMul(block.down, gate, batch: batch, into: out, threads: threads)
    }
}
