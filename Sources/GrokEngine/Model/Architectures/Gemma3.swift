extension ModelConfig {
    /// Gemma 3: √d-scaled tied embeddings, GELU-gated feed-forward, QK-norm, sandwich norms,
    /// and sliding-window layers with every sixth layer global. The window layers use RoPE base
    /// 10 000 without scaling (a Gemma 3 convention the file does not store); the global layers
    /// use the file's base and scaling.
    static func gemma3(_ file: GGUFFile) throws(GGUFError) -> ModelConfig {
        var c = try ModelConfig(common: file, architecture: "gemma3")
        c.rmsEpsilon = Float(file["gemma3.attention.layer_norm_rms_epsilon"]?.doubleValue ?? 1e-6)
        c.embeddingScale = Float(c.embedding).squareRoot()
        c.activation = .gelu
        c.qkNorm = true
        c.sandwichNorms = true
        // Gemma 3 27B scales queries by 1/√(embedding / heads) (its query_pre_attn_scalar),
        // not 1/√headSize; the file does not store it, its 62 layers identify it.
        if c.layers == 62 { c.attentionScale = 1 / (Float(c.embedding) / Float(c.heads)).squareRoot() }
        let window = file["gemma3.attention.sliding_window"]?.intValue ?? 512
        let globalBase = Float(file["gemma3.rope.freq_base"]?.doubleValue ?? 1_000_000)
        for layer in 0..<c.windows.count {
            if (layer + 1) % 6 == 0 {
                c.rope.bases[layer] = globalBase
            } else {
                c.windows[layer] = window
                c.rope.bases[layer] = 10_000
                c.rope.positionScales[layer] = 1
            }
        }
        return c
    }
}
