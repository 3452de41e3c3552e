extension ModelConfig {
    /// Llama 2 and 3.x, Mistral and their relatives: SwiGLU, grouped-query attention, RoPE on
    /// adjacent pairs (llama.cpp's converter permutes Q and K into that layout), optional
    /// biases, Llama 3's frequency factors, tied or separate output.
    static func llama(_ file: GGUFFile) throws(GGUFError) -> ModelConfig {
        var c = try ModelConfig(common: file, architecture: "llama")
        c.rope.style = .adjacent
        return c
    }
}
