/// The shape of a Gemma 3 model, read from its GGUF metadata.
public struct Gemma3Config: Sendable, Equatable {
    public var embedding: Int
    public var layers: Int
    public var feedForward: Int
    public var heads: Int
    public var kvHeads: Int
    public var headSize: Int
    public var contextLength: Int
    public var slidingWindow: Int
    public var rmsEpsilon: Float
    /// RoPE base of the global layers (stored in the file).
    public var globalRopeBase: Float
    /// RoPE base of the sliding-window layers (a Gemma 3 convention, not stored).
    public var localRopeBase: Float = 10_000
    /// Every `globalLayerPeriod`-th layer attends globally; the others use the window.
    public var globalLayerPeriod = 6
    public var vocabularySize: Int

    init(file: GGUFFile) throws(GGUFError) {
        let prefix = "gemma3."
        embedding = try file.requireInt(prefix + "embedding_length")
        layers = try file.requireInt(prefix + "block_count")
        feedForward = try file.requireInt(prefix + "feed_forward_length")
        heads = try file.requireInt(prefix + "attention.head_count")
        kvHeads = try file.requireInt(prefix + "attention.head_count_kv")
        headSize = file[prefix + "attention.key_length"]?.intValue ?? embedding / max(heads, 1)
        contextLength = try file.requireInt(prefix + "context_length")
        slidingWindow = file[prefix + "attention.sliding_window"]?.intValue ?? 512
        rmsEpsilon = Float(file[prefix + "attention.layer_norm_rms_epsilon"]?.doubleValue ?? 1e-6)
        globalRopeBase = Float(file[prefix + "rope.freq_base"]?.doubleValue ?? 1_000_000)
        vocabularySize = try file.requireTensor("token_embd.weight").rowCount
        try validate()
    }

    private func validate() throws(GGUFError) {
        let sane = 1...(1 << 20)
        for (name, value) in [("embedding", embedding), ("layers", layers), ("feedForward", feedForward), ("heads", heads),
                              ("kvHeads", kvHeads), ("headSize", headSize), ("contextLength", contextLength)] {
            guard sane.contains(value) else { throw GGUFError("gemma3 \(name) = \(value) is out of range") }
        }
        guard heads % kvHeads == 0 else { throw GGUFError("gemma3: \(heads) heads do not share \(kvHeads) KV heads evenly") }
        guard headSize % 2 == 0 else { throw GGUFError("gemma3: head size \(headSize) is odd") }
    }

    /// Whether layer `index` attends to the whole context (else to the sliding window).
    public func isGlobal(layer index: Int) -> Bool { (index + 1) % globalLayerPeriod == 0 }
}
