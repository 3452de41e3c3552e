/// 16-bit float formats of GGUF files (IEEE fp16 scales and tensors, bfloat16 tensors) to Float.
///
/// Swift's `Float16` exists on x86-64 Linux, but without F16C enabled at compile time
/// `Float(Float16)` is a call into compiler-rt (`__extendhfsf2`) per value. The kernels convert one
/// scale per block in their inner loops, so they use this inlinable bit-manipulation version
/// instead; tests check it against `Float16` on all 65 536 bit patterns.
public enum Half {
    /// The IEEE binary16 value with bit pattern `bits`, exactly (zeros, subnormals, infinities,
    /// NaN payloads included).
    @inline(__always)
    public static func toFloat(_ bits: UInt16) -> Float {
        // Move exponent and mantissa into place, then rebias the exponent from 15 to 127.
        var word = UInt32(bits & 0x7FFF) << 13
        let exponent = word & (0x7C00 << 13)
        word &+= (127 - 15) << 23
        if exponent == 0x7C00 << 13 {
            // Infinity or NaN: push the exponent on to all ones (mantissa, so payload, kept).
            word &+= (128 - 16) << 23
        } else if exponent == 0 {
            // Zero or subnormal: treat it as 2^-14 · (1 + m) and take away the implicit 2^-14.
            word &+= 1 << 23
            word = (Float(bitPattern: word) - Float(bitPattern: 113 << 23)).bitPattern
        }
        return Float(bitPattern: word | UInt32(bits & 0x8000) << 16)
    }

    /// Eight fp16 values at once, same rules as `toFloat` (used for F16 tensors).
    @inline(__always)
    public static func toFloat(_ bits: SIMD8<UInt16>) -> SIMD8<Float> {
        let wide = SIMD8<UInt32>(truncatingIfNeeded: bits)
        var word = (wide & 0x7FFF) &<< 13
        let exponent = word & (0x7C00 << 13)
        word &+= (127 - 15) << 23
        word &+= SIMD8(repeating: 0).replacing(with: (128 - 16) << 23, where: exponent .== 0x7C00 << 13)
        let small = exponent .== 0
        let adjusted = SIMD8<Float>(bitPattern: word &+ (1 << 23)) - Float(bitPattern: 113 << 23)
        word.replace(with: adjusted.bitPattern, where: small)
        return SIMD8<Float>(bitPattern: word | (wide & 0x8000) &<< 16)
    }

    /// The bfloat16 value with bit pattern `bits`: the top half of a Float, exactly.
    @inline(__always)
    public static func bfloat16ToFloat(_ bits: UInt16) -> Float {
        Float(bitPattern: UInt32(bits) << 16)
    }

    /// Eight bfloat16 values at once.
    @inline(__always)
    public static func bfloat16ToFloat(_ bits: SIMD8<UInt16>) -> SIMD8<Float> {
        SIMD8<Float>(bitPattern: SIMD8<UInt32>(truncatingIfNeeded: bits) &<< 16)
    }

    /// The fp16 bit pattern nearest to `value` (round to nearest even, overflow to infinity),
    /// for writing test data and caches; not on any hot path.
    public static func fromFloat(_ value: Float) -> UInt16 {
        Float16(value).bitPattern
    }
}

extension SIMD8 where Scalar == Float {
    /// Reinterprets the bits of eight UInt32 lanes as floats.
    @inline(__always)
    init(bitPattern bits: SIMD8<UInt32>) {
        self = unsafeBitCast(bits, to: SIMD8<Float>.self)
    }

    /// The bits of each lane.
    @inline(__always)
    var bitPattern: SIMD8<UInt32> { unsafeBitCast(self, to: SIMD8<UInt32>.self) }
}
