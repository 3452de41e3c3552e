extension ModelConfig {
    /// Qwen 2 and 2.5: SwiGLU, grouped-query attention with biases on Q, K and V, NeoX RoPE.
    static func qwen2(_ file: GGUFFile) throws(GGUFError) -> ModelConfig {
        var c = try ModelConfig(common: file, architecture: "qwen2")
        c.rmsEpsilon = Float(file["qwen2.attention.layer_norm_rms_epsilon"]?.doubleValue ?? 1e-6)
        c.rope.style = .neox
        return c
    }
}
