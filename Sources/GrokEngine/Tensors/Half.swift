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

    /// Eight fp16 values at once, same results as `toFloat` (used for F16 tensors).
    ///
    /// Branch- and compare-free, as SIMD comparisons and selects are not vectorised for this
    /// target: both the normal result (exponent rebiased by an integer add) and the subnormal
    /// one (as in `toFloat`, through a normal Float, so no slow subnormal arithmetic) are formed
    /// and one is kept by a mask from the sign of (exponent bits − 1). Infinity and NaN
    /// (exponent 31) get all exponent bits set by a mask made with a carry: exponent bits + 0x400
    /// reach bit 15 only then.
    @inline(__always)
    public static func toFloat(_ bits: SIMD8<UInt16>) -> SIMD8<Float> {
        let wide = SIMD8<UInt32>(truncatingIfNeeded: bits)
        let shifted = (wide & 0x7FFF) &<< 13
        let normal = shifted &+ (112 << 23)
        let subnormal = (SIMD8<Float>(bitPattern: shifted &+ (113 << 23)) - 0x1p-14).bitPattern
        let isSubnormal = SIMD8<UInt32>(truncatingIfNeeded: SIMD8<Int32>(truncatingIfNeeded: (wide & 0x7C00) &- 1) &>> 31)
        let infinityOrNaN = (0 &- (((wide & 0x7C00) &+ 0x0400) &>> 15)) & 0x7F80_0000
        let magnitude = (normal & ~isSubnormal) | (subnormal & isSubnormal) | infinityOrNaN
        return SIMD8<Float>(bitPattern: magnitude | (wide & 0x8000) &<< 16)
    }

    /// Four fp16 values at once, as the eight-lane version (used for blocks' scales).
    @inline(__always)
    public static func toFloat(_ bits: SIMD4<UInt16>) -> SIMD4<Float> {
        let wide = SIMD4<UInt32>(truncatingIfNeeded: bits)
        let shifted = (wide & 0x7FFF) &<< 13
        let normal = shifted &+ (112 << 23)
        let subnormal = unsafeBitCast(unsafeBitCast(shifted &+ (113 << 23), to: SIMD4<Float>.self) - 0x1p-14, to: SIMD4<UInt32>.self)
        let isSubnormal = SIMD4<UInt32>(truncatingIfNeeded: SIMD4<Int32>(truncatingIfNeeded: (wide & 0x7C00) &- 1) &>> 31)
        let infinityOrNaN = (0 &- (((wide & 0x7C00) &+ 0x0400) &>> 15)) & 0x7F80_0000
        let magnitude = (normal & ~isSubnormal) | (subnormal & isSubnormal) | infinityOrNaN
        return unsafeBitCast(magnitude | (wide & 0x8000) &<< 16, to: SIMD4<Float>.self)
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

    /// `value` rounded to the nearest fp16 value (ties to even), as a Float: what storing it in
    /// an fp16 cache and reading it back gives, without the library call `Float16` costs here.
    @inline(__always)
    public static func round(_ value: Float) -> Float {
        let magnitude = abs(value)
        guard magnitude < 65520 else { return value.isNaN ? value : (value > 0 ? .infinity : -.infinity) }
        if magnitude < 0x1p-14 {
            // fp16 subnormals are multiples of 2^-24; scaling by a power of two is exact.
            return (value * 0x1p24).rounded(.toNearestOrEven) * 0x1p-24
        }
        let bits = value.bitPattern
        let rounded = bits &+ 0x0FFF &+ ((bits >> 13) & 1)
        return Float(bitPattern: rounded & ~0x1FFF)
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
