extension ModelConfig {
    /// Qwen 3: like Qwen 2 without the Q/K/V biases, with each head of Q and K RMS-normalised
    /// before RoPE (QK-norm), and heads that may be wider than embedding / heads.
    static func qwen3(_ file: GGUFFile) throws(GGUFError) -> ModelConfig {
        var c = try ModelConfig(common: file, architecture: "qwen3")
        c.rmsEpsilon = Float(file["qwen3.attention.layer_norm_rms_epsilon"]?.doubleValue ?? 1e-6)
        c.rope.style = .neox
        c.qkNorm = true
        return c
    }
}
