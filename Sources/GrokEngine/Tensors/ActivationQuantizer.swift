/// Rounds activations the way llama.cpp does before its integer dot products: to 8-bit
/// blocks (Q8_0 or Q8_1 beside the 32-element formats, Q8_K beside the 256-element ones).
///
/// Computing with the rounded values makes our logits agree with llama.cpp's to a few
/// hundredths of a nat, which is what the token-for-token tests hold us to; it is also the
/// input an integer kernel works on.
enum ActivationQuantizer {
    /// Replaces `count` values (a multiple of the block size) by their 8-bit rounding.
    static func round(_ x: UnsafeMutablePointer<Float>, count: Int, for weights: GGMLType) {
        switch weights {
        case .q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .iq4_nl:
            // Q8_1 (beside Q4_1/Q5_1) rounds the values as Q8_0 does; its extra sum is a scale.
            for start in stride(from: 0, to: count, by: 32) { roundQ8_0(x + start, min(32, count - start)) }
        case .q2_K, .q3_K, .q4_K, .q5_K, .q6_K, .iq4_xs:
            for start in stride(from: 0, to: count, by: 256) { roundQ8_K(x + start, min(256, count - start)) }
        default:
            break
        }
    }

    /// Q8_0: scale amax/127 kept as f16; values rounded to the nearest step.
    private static func roundQ8_0(_ x: UnsafeMutablePointer<Float>, _ n: Int) {
        var amax: Float = 0
        for i in 0..<n { amax = max(amax, abs(x[i])) }
        let d = amax / 127
        let inverse: Float = amax != 0 ? 127 / amax : 0
        let stored = Half.round(d)
        for i in 0..<n { x[i] = stored * (x[i] * inverse).rounded(.toNearestOrEven) }
    }

    /// Q8_K: the scale comes from the value of largest magnitude (with its sign), in f32.
    private static func roundQ8_K(_ x: UnsafeMutablePointer<Float>, _ n: Int) {
        var amax: Float = 0
        var extreme: Float = 0
        for i in 0..<n where abs(x[i]) > amax {
            amax = abs(x[i])
            extreme = x[i]
        }
        guard amax != 0 else {
            for i in 0..<n { x[i] = 0 }
            return
        }
        let inverseScale = -127 / extreme
        let d = 1 / inverseScale
        for i in 0..<n {
            let q = min(127, (inverseScale * x[i]).rounded(.toNearestOrEven))
            x[i] = d * q
        }
    }
}
