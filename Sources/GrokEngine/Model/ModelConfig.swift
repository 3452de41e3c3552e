/// The shape and conventions of a decoder-only transformer, read from its GGUF metadata.
///
/// One forward pass (`LanguageModel`) serves every supported family; what differs between
/// them is described here and filled in by the architecture's reader (`Architectures/`).
public struct ModelConfig: Sendable, Equatable {
    /// The feed-forward gate's activation.
    public enum Activation: Sendable, Equatable {
        /// GELU, tanh approximation (Gemma).
        case gelu
        /// SiLU, as in SwiGLU (Llama, Qwen, Mistral).
        case silu
    }

    /// `general.architecture` as the file names it.
    public var architecture: String
    public var embedding: Int
    public var layers: Int
    public var feedForward: Int
    public var heads: Int
    public var kvHeads: Int
    public var headSize: Int
    public var contextLength: Int
    public var vocabularySize: Int
    public var rmsEpsilon: Float
    /// Embedding rows are multiplied by this (Gemma: √embedding).
    public var embeddingScale: Float = 1
    public var activation: Activation = .silu
    /// Attention scores are multiplied by this (usually 1/√headSize).
    public var attentionScale: Float
    /// Whether each head of Q and K is RMS-normalised before RoPE (Gemma 3, Qwen 3).
    public var qkNorm = false
    /// Whether the attention and feed-forward outputs are normalised before the residual (Gemma).
    public var sandwichNorms = false
    /// Rotary position embedding, per layer.
    public var rope: RotaryEmbedding
    /// Per layer, the sliding window it attends within (nil: the whole context).
    public var windows: [Int?]

    /// The sliding window of the windowed layers, if any layer has one.
    public var slidingWindow: Int? { windows.lazy.compactMap { $0 }.first }

    /// Whether layer `index` attends to the whole context (else to its sliding window).
    public func isGlobal(layer index: Int) -> Bool { windows[index] == nil }

    /// Reads the config for the file's architecture, or fails naming an unsupported one.
    public init(file: GGUFFile) throws(GGUFError) {
        guard let name = file["general.architecture"]?.stringValue else { throw GGUFError("missing general.architecture") }
        guard let architecture = ModelArchitecture(rawValue: name) else {
            let known = ModelArchitecture.allCases.map(\.rawValue).joined(separator: ", ")
            throw GGUFError("architecture \(name) is not supported (supported: \(known))")
        }
        self = try architecture.config(file)
        try validate()
    }

    /// The hyperparameters every family stores under `<arch>.`: dimensions, heads, context,
    /// norm epsilon and the plain RoPE settings. Family readers adjust the rest.
    init(common file: GGUFFile, architecture: String) throws(GGUFError) {
        let p = architecture + "."
        self.architecture = architecture
        embedding = try file.requireInt(p + "embedding_length")
        layers = try file.requireInt(p + "block_count")
        feedForward = try file.requireInt(p + "feed_forward_length")
        heads = try file.requireInt(p + "attention.head_count")
        kvHeads = file[p + "attention.head_count_kv"]?.intValue ?? heads
        headSize = file[p + "attention.key_length"]?.intValue ?? embedding / max(heads, 1)
        contextLength = try file.requireInt(p + "context_length")
        vocabularySize = try file.requireTensor("token_embd.weight").rowCount
        rmsEpsilon = Float(file[p + "attention.layer_norm_rms_epsilon"]?.doubleValue ?? 1e-5)
        attentionScale = 1 / Float(max(headSize, 1)).squareRoot()
        windows = Array(repeating: nil, count: max(0, min(layers, 1 << 20)))
        rope = try RotaryEmbedding(file: file, prefix: p, headSize: headSize, layers: windows.count)
        if let valueSize = file[p + "attention.value_length"]?.intValue, valueSize != headSize {
            throw GGUFError("\(architecture): value heads of \(valueSize) differ from key heads of \(headSize)")
        }
    }

    private func validate() throws(GGUFError) {
        let sane = 1...(1 << 20)
        for (name, value) in [("embedding", embedding), ("layers", layers), ("feedForward", feedForward), ("heads", heads),
                              ("kvHeads", kvHeads), ("headSize", headSize), ("contextLength", contextLength)] {
            guard sane.contains(value) else { throw GGUFError("\(architecture) \(name) = \(value) is out of range") }
        }
        guard heads % kvHeads == 0 else { throw GGUFError("\(architecture): \(heads) heads do not share \(kvHeads) KV heads evenly") }
        guard headSize % 2 == 0 else { throw GGUFError("\(architecture): head size \(headSize) is odd") }
        guard rope.dimensions % 2 == 0, (2...headSize).contains(rope.dimensions) else {
            throw GGUFError("\(architecture): RoPE over \(rope.dimensions) of \(headSize) dimensions")
        }
        if let window = slidingWindow, window < 1 { throw GGUFError("\(architecture): sliding window \(window)") }
    }
}
