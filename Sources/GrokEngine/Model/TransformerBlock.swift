/// The weights of one transformer layer, as the GGUF file names them (`blk.N.…`). Parts that
/// only some families have are optional: each is required when the config says the family
/// has it, and biases are used wherever the file stores them.
struct TransformerBlock {
    let attentionNorm, ffnNorm: WeightVector
    /// Sandwich norms (Gemma): the attention and feed-forward outputs are normalised.
    let postAttentionNorm, postFFNNorm: WeightVector?
    /// QK-norm (Gemma 3, Qwen 3): per-head norms of Q and K.
    let queryNorm, keyNorm: WeightVector?
    let query, key, value, output, gate, up, down: WeightMatrix
    let queryBias, keyBias, valueBias, outputBias: WeightVector?

    init(_ file: GGUFFile, index: Int, config c: ModelConfig, pool: WorkerPool) throws(GGUFError) {
        let p = "blk.\(index)."
        func matrix(_ name: String, columns: Int, rows: Int) throws(GGUFError) -> WeightMatrix {
            try WeightMatrix(file, p + name, columns: columns, rows: rows).packed(using: pool)
        }
        func vector(_ name: String, _ count: Int, if present: Bool = true) throws(GGUFError) -> WeightVector? {
            present ? try WeightVector(file, p + name, count: count) : nil
        }
        func bias(_ name: String, _ count: Int) throws(GGUFError) -> WeightVector? {
            try vector(name, count, if: file.tensors[p + name] != nil)
        }
        let qWidth = c.heads * c.headSize
        let kvWidth = c.kvHeads * c.headSize
        attentionNorm = try WeightVector(file, p + "attn_norm.weight", count: c.embedding)
        ffnNorm = try WeightVector(file, p + "ffn_norm.weight", count: c.embedding)
        postAttentionNorm = try vector("post_attention_norm.weight", c.embedding, if: c.sandwichNorms)
        postFFNNorm = try vector("post_ffw_norm.weight", c.embedding, if: c.sandwichNorms)
        queryNorm = try vector("attn_q_norm.weight", c.headSize, if: c.qkNorm)
        keyNorm = try vector("attn_k_norm.weight", c.headSize, if: c.qkNorm)
        query = try matrix("attn_q.weight", columns: c.embedding, rows: qWidth)
        key = try matrix("attn_k.weight", columns: c.embedding, rows: kvWidth)
        value = try matrix("attn_v.weight", columns: c.embedding, rows: kvWidth)
        output = try matrix("attn_output.weight", columns: qWidth, rows: c.embedding)
        gate = try matrix("ffn_gate.weight", columns: c.embedding, rows: c.feedForward)
        up = try matrix("ffn_up.weight", columns: c.embedding, rows: c.feedForward)
        down = try matrix("ffn_down.weight", columns: c.feedForward, rows: c.embedding)
        queryBias = try bias("attn_q.bias", qWidth)
        keyBias = try bias("attn_k.bias", kvWidth)
        valueBias = try bias("attn_v.bias", kvWidth)
        outputBias = try bias("attn_output.bias", c.embedding)
    }
}
