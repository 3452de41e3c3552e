import Foundation

/// Rotary position embedding as the GGUF file describes it: which dimensions pair up, the base
/// per layer, and the stored context-extension scheme (linear, YaRN, or Llama 3's per-pair
/// frequency factors).
public struct RotaryEmbedding: Sendable, Equatable {
    /// Which dimensions rotate together.
    public enum Style: Sendable, Equatable {
        /// Dimension i with i + n/2 (GPT-NeoX; Gemma, Qwen).
        case neox
        /// Dimension 2i with 2i + 1 (the original layout; Llama's GGUF files use it).
        case adjacent
    }

    /// YaRN's blend of interpolated and original angles.
    public struct Yarn: Sendable, Equatable {
        /// Pairs below `low` keep their original angle, pairs above `high` are interpolated.
        var low: Float
        var high: Float
        /// cos and sin are multiplied by this (YaRN's attention temperature).
        var magnitude: Float
    }

    public var style: Style = .neox
    /// Leading dimensions of each head that rotate (the rest pass through).
    public var dimensions: Int
    /// Per layer, the base of the angle frequencies.
    public var bases: [Float]
    /// Per layer, positions are multiplied by this (1 / the linear scaling factor).
    public var positionScales: [Float]
    /// Per pair, the angle is divided by this (Llama 3's `rope_freqs.weight`).
    public var frequencyFactors: [Float]?
    public var yarn: Yarn?

    init(file: GGUFFile, prefix p: String, headSize: Int, layers: Int) throws(GGUFError) {
        dimensions = file[p + "rope.dimension_count"]?.intValue ?? headSize
        let base = Float(file[p + "rope.freq_base"]?.doubleValue ?? 10_000)
        bases = Array(repeating: base, count: layers)
        let kind = file[p + "rope.scaling.type"]?.stringValue ?? "none"
        let factor = Float(file[p + "rope.scaling.factor"]?.doubleValue ?? file[p + "rope.scale_linear"]?.doubleValue ?? 1)
        guard factor.isFinite, factor > 0 else { throw GGUFError("rope scaling factor \(factor) is not positive") }
        switch kind {
        case "none": positionScales = Array(repeating: 1, count: layers)
        case "linear": positionScales = Array(repeating: 1 / factor, count: layers)
        case "yarn":
            positionScales = Array(repeating: 1 / factor, count: layers)
            let original = file[p + "rope.scaling.original_context_length"]?.intValue ?? file[p + "context_length"]?.intValue ?? 4096
            yarn = Self.yarn(dimensions: dimensions, originalContext: original, base: base, factor: factor)
        default: throw GGUFError("rope scaling type '\(kind)' is not supported (none, linear, yarn)")
        }
        if let tensor = file.tensors["rope_freqs.weight"] {
            guard tensor.type == .f32, tensor.elementCount == dimensions / 2 else {
                throw GGUFError("rope_freqs.weight must hold \(dimensions / 2) f32 values")
            }
            let values = UnsafeBufferPointer(start: file.data(of: tensor).assumingMemoryBound(to: Float.self), count: dimensions / 2)
            guard values.allSatisfy({ $0.isFinite && $0 > 0 }) else { throw GGUFError("rope_freqs.weight holds a value that is not positive") }
            frequencyFactors = Array(values)
        }
    }

    /// The pair range YaRN blends over: pairs turning more than 32 times over the original
    /// context keep their angle, pairs turning less than once are interpolated fully.
    private static func yarn(dimensions: Int, originalContext: Int, base: Float, factor: Float) -> Yarn {
        func pair(turns: Float) -> Float {
            Float(dimensions) * log(Float(originalContext) / (turns * 2 * Float.pi)) / (2 * log(base))
        }
        let low = max(0, pair(turns: 32).rounded(.down))
        let high = min(Float(dimensions - 1), pair(turns: 1).rounded(.up))
        return Yarn(low: low, high: high, magnitude: 1 + 0.1 * log(factor))
    }

    /// Writes cos and sin of each rotating pair's angle at `position` in `layer` into `table`
    /// (`dimensions` floats: the cosines, then the sines).
    func angles(position: Int, layer: Int, into table: UnsafeMutablePointer<Float>) {
        let half = dimensions / 2
        let scale = positionScales[layer]
        // The angle shrinks by a constant factor per pair, multiplied up step by step as ggml
        // does (not pow per pair), so both engines rotate by the same float angles.
        let step = pow(bases[layer], -2 / Float(dimensions))
        var angle = Float(position)
        for i in 0..<half {
            defer { angle *= step }
            let original = frequencyFactors.map { angle / $0[i] } ?? angle
            var theta = scale == 1 ? original : scale * original
            var magnitude: Float = 1
            if let yarn {
                let ramp = 1 - min(1, max(0, (Float(i) - yarn.low) / max(0.001, yarn.high - yarn.low)))
                theta = theta * (1 - ramp) + original * ramp
                magnitude = yarn.magnitude
            }
            table[i] = cos(theta) * magnitude
            table[half + i] = sin(theta) * magnitude
        }
    }

    /// Rotates the leading `dimensions` values of one head by the angles of `table`.
    func rotate(_ head: UnsafeMutablePointer<Float>, by table: UnsafePointer<Float>) {
        let half = dimensions / 2
        let (first, partner) = style == .neox ? (1, half) : (2, 1)
        for i in 0..<half {
            let (c, s) = (table[i], table[half + i])
            let a = head[i * first]
            let b = head[i * first + partner]
            // Fused as llama.cpp's build fuses them (GCC contracts a·c − b·s into fma(a, c, −b·s)).
            head[i * first] = (-(b * s)).addingProduct(a, c)
            head[i * first + partner] = (b * c).addingProduct(a, s)
        }
    }
}
