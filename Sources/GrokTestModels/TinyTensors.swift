import GrokEngine

/// The tensors of a `TinyModel`, named and shaped as llama.cpp's converter writes them
/// (ggml dimension order: [columns, rows]), each drawn from its own random stream.
struct TinyTensors {
    let model: TinyModel
    let vocabularySize: Int

    func add(to writer: inout GGUFWriter) {
        let m = model
        let d = m.embedding
        let qWidth = m.heads * m.headSize
        let kvWidth = m.kvHeads * m.headSize
        // Gemma 3 multiplies embeddings by √d on the way in, so its rows are drawn √d smaller.
        let embeddingSpread = m.architecture == .gemma3 ? 1 / Double(d).squareRoot() : 1
        matrix(&writer, "token_embd.weight", .tokenEmbedding, columns: d, rows: vocabularySize, deviation: embeddingSpread)
        if m.ropeScaling == .frequencyFactors, m.architecture == .llama {
            var random = stream("rope_freqs.weight")
            let factors = (0..<m.headSize / 2).map { _ in Float(1 + 7 * random.unit()) }
            writer.addTensor(name: "rope_freqs.weight", dimensions: [m.headSize / 2], type: .f32, data: TinyWeights.floats(factors))
        }
        for layer in 0..<m.layers {
            let p = "blk.\(layer)."
            norm(&writer, p + "attn_norm.weight", count: d)
            matrix(&writer, p + "attn_q.weight", .query, columns: d, rows: qWidth)
            matrix(&writer, p + "attn_k.weight", .key, columns: d, rows: kvWidth)
            matrix(&writer, p + "attn_v.weight", .value, columns: d, rows: kvWidth)
            if m.architecture == .qwen2 {
                bias(&writer, p + "attn_q.bias", count: qWidth)
                bias(&writer, p + "attn_k.bias", count: kvWidth)
                bias(&writer, p + "attn_v.bias", count: kvWidth)
            }
            if m.architecture == .qwen3 || m.architecture == .gemma3 {
                norm(&writer, p + "attn_q_norm.weight", count: m.headSize)
                norm(&writer, p + "attn_k_norm.weight", count: m.headSize)
            }
            matrix(&writer, p + "attn_output.weight", .attentionOutput, columns: qWidth, rows: d)
            if m.architecture == .gemma3 { norm(&writer, p + "post_attention_norm.weight", count: d) }
            norm(&writer, p + "ffn_norm.weight", count: d)
            matrix(&writer, p + "ffn_gate.weight", .gate, columns: d, rows: m.feedForward)
            matrix(&writer, p + "ffn_up.weight", .up, columns: d, rows: m.feedForward)
            matrix(&writer, p + "ffn_down.weight", .down, columns: m.feedForward, rows: d)
            if m.architecture == .gemma3 { norm(&writer, p + "post_ffw_norm.weight", count: d) }
        }
        norm(&writer, "output_norm.weight", count: d)
        if !m.tiedOutput, m.architecture != .gemma3 {
            matrix(&writer, "output.weight", .output, columns: d, rows: vocabularySize)
        }
    }

    private func stream(_ name: String) -> TinyRandom { TinyRandom.stream(seed: model.seed, name: name) }

    /// A matrix of the role's type with σ = 1/√columns unless given: each output then has
    /// about the spread of one input element.
    private func matrix(
        _ writer: inout GGUFWriter, _ name: String, _ role: TinyModel.Role, columns: Int, rows: Int, deviation: Double? = nil
    ) {
        var random = stream(name)
        let type = model.type(of: role)
        let data = TinyWeights.matrix(
            type, columns: columns, rows: rows, deviation: deviation ?? 1 / Double(columns).squareRoot(), random: &random)
        writer.addTensor(name: name, dimensions: [columns, rows], type: type, data: data)
    }

    /// RMSNorm weights around 1 (Gemma's GGUF files store them with the 1 already added).
    private func norm(_ writer: inout GGUFWriter, _ name: String, count: Int) {
        var random = stream(name)
        let values = (0..<count).map { _ in Float(1 + 0.1 * random.noise()) }
        writer.addTensor(name: name, dimensions: [count], type: .f32, data: TinyWeights.floats(values))
    }

    private func bias(_ writer: inout GGUFWriter, _ name: String, count: Int) {
        var random = stream(name)
        let values = (0..<count).map { _ in Float(0.1 * random.noise()) }
        writer.addTensor(name: name, dimensions: [count], type: .f32, data: TinyWeights.floats(values))
    }
}
