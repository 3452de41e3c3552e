import Foundation

/// The small numeric operations of a transformer step, on contiguous Float buffers.
enum VectorMath {
    /// x ← x / sqrt(mean(x²) + eps) · weight, for `rows` rows of `weight.count` elements.
    static func rmsNorm(_ x: UnsafeMutablePointer<Float>, rows: Int, weight: [Float], epsilon: Float) {
        let width = weight.count
        weight.withUnsafeBufferPointer { w in
            for row in 0..<rows {
                let v = x + row * width
                // Summed in double, as ggml does, so the scale agrees to the last bit.
                var sum: Double = 0
                for i in 0..<width { sum += Double(v[i] * v[i]) }
                let scale = 1 / (Float(sum / Double(width)) + epsilon).squareRoot()
                for i in 0..<width { v[i] = v[i] * scale * w[i] }
            }
        }
    }

    /// out ← rmsNorm(x) without touching x.
    static func rmsNorm(from x: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, rows: Int, weight: [Float], epsilon: Float) {
        out.update(from: x, count: rows * weight.count)
        rmsNorm(out, rows: rows, weight: weight, epsilon: epsilon)
    }

    /// SiLU (x · sigmoid x), as ggml computes it in f32.
    @inline(__always) static func silu(_ x: Float) -> Float { x / (1 + exp(-x)) }

    /// out[i] ← out[i] + bias[i % bias.count], for rows of `bias.count` values.
    static func addBias(_ bias: [Float], to out: UnsafeMutablePointer<Float>, rows: Int) {
        let width = bias.count
        for row in 0..<rows {
            let v = out + row * width
            for i in 0..<width { v[i] += bias[i] }
        }
    }

    /// GELU, tanh approximation (what Gemma was trained with), looked up at f16 precision
    /// like ggml's table so that results match llama.cpp's.
    @inline(__always) static func gelu(_ x: Float) -> Float {
        if x <= -10 { return 0 }
        if x >= 10 { return x }
        return geluTable[Int(Half.fromFloat(x))]
    }

    /// GELU of every f16 value, rounded to f16 (ggml's table). The polynomial is fused as
    /// llama.cpp's GCC build fuses it: 1 + a·x·x becomes fma(a·x, x, 1).
    static let geluTable: [Float] = (0...UInt16.max).map { bits in
        let h = Half.toFloat(bits)
        guard h.isFinite else { return h }
        let inner: Float = 0.797_884_56 * h * Float(1).addingProduct(0.044_715 * h, h)
        return Half.round(0.5 * h * (1 + tanh(inner)))
    }
}
