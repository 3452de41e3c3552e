/// Plain, obviously-correct dequantisation of every supported type, transcribing llama.cpp's
/// `dequantize_row_*` (ggml-quants.c) block by block, with the same operation order.
///
/// This is the yardstick the fast kernels in `Dot` are tested against, so it favours being easy
/// to check over speed: scalar loops, byte loads, and `Float16` (compiler-rt) for fp16 scales, a
/// conversion independent of the bit tricks in `Half`.
public enum ReferenceDequantize {
    /// Expands `count` elements of `type` at `source` into `into`.
    ///
    /// `count` must be a whole number of blocks (any count for F32, F16, BF16) and `type`
    /// supported; both are checked by the GGUF reader before weights get here.
    public static func row(_ type: GGMLType, _ source: UnsafeRawPointer, count: Int, into: UnsafeMutablePointer<Float>) {
        precondition(type.isSupported, "dequantisation of \(type.name) is not supported")
        precondition(count >= 0 && count % type.blockElements == 0, "\(count) elements are not whole \(type.name) blocks")
        let blockFunction: (UnsafeRawPointer, UnsafeMutablePointer<Float>) -> Void
        switch type {
        case .f32: blockFunction = f32
        case .f16: blockFunction = f16
        case .bf16: blockFunction = bf16
        case .q8_0: blockFunction = q8_0
        case .q4_0: blockFunction = q4_0
        case .q5_0: blockFunction = q5_0
        case .q4_K: blockFunction = q4_K
        case .q5_K: blockFunction = q5_K
        case .q6_K: blockFunction = q6_K
        default: preconditionFailure("dequantisation of \(type.name) is not supported")
        }
        for block in 0..<count / type.blockElements {
            blockFunction(source + block * type.blockBytes, into + block * type.blockElements)
        }
    }

    // MARK: Loads

    @inline(__always)
    static func byte(_ p: UnsafeRawPointer, _ offset: Int) -> UInt8 {
        p.load(fromByteOffset: offset, as: UInt8.self)
    }

    @inline(__always)
    static func signedByte(_ p: UnsafeRawPointer, _ offset: Int) -> Int8 {
        p.load(fromByteOffset: offset, as: Int8.self)
    }

    /// The little-endian fp16 at `offset`, through Swift's own `Float16`.
    @inline(__always)
    static func half(_ p: UnsafeRawPointer, _ offset: Int) -> Float {
        Float(Float16(bitPattern: p.loadUnaligned(fromByteOffset: offset, as: UInt16.self)))
    }

    // MARK: Plain types (one element per "block")

    static func f32(_ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
        y[0] = x.loadUnaligned(as: Float.self)
    }

    static func f16(_ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
        y[0] = half(x, 0)
    }

    /// bfloat16 is the top 16 bits of a Float.
    static func bf16(_ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
        y[0] = Float(bitPattern: UInt32(x.loadUnaligned(as: UInt16.self)) << 16)
    }

    // MARK: 32-element blocks

    /// Q8_0 (34 bytes): f16 d, int8 qs[32]; y = q · d.
    static func q8_0(_ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
        let d = half(x, 0)
        for j in 0..<32 {
            y[j] = Float(signedByte(x, 2 + j)) * d
        }
    }

    /// Q4_0 (18 bytes): f16 d, uint8 qs[16]; low nibble of byte j is element j, high nibble is
    /// element j + 16; both offset by 8.
    static func q4_0(_ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
        let d = half(x, 0)
        for j in 0..<16 {
            let q = byte(x, 2 + j)
            let x0 = Int32(q & 0x0F) - 8
            let x1 = Int32(q >> 4) - 8
            y[j] = Float(x0) * d
            y[j + 16] = Float(x1) * d
        }
    }

    /// Q5_0 (22 bytes): f16 d, uint8 qh[4] (a little-endian uint32 of fifth bits: bit j for
    /// element j), uint8 qs[16] as in Q4_0; offset by 16.
    static func q5_0(_ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
        let d = half(x, 0)
        let qh = UInt32(littleEndian: x.loadUnaligned(fromByteOffset: 2, as: UInt32.self))
        for j in 0..<16 {
            let xh0 = UInt8(truncatingIfNeeded: ((qh >> UInt32(j)) << 4) & 0x10)
            let xh1 = UInt8(truncatingIfNeeded: (qh >> UInt32(j + 12)) & 0x10)
            let q = byte(x, 6 + j)
            let x0 = Int32((q & 0x0F) | xh0) - 16
            let x1 = Int32((q >> 4) | xh1) - 16
            y[j] = Float(x0) * d
            y[j + 16] = Float(x1) * d
        }
    }

    // MARK: 256-element super-blocks (K-quants)

    /// The 6-bit scale and min of sub-block `j` (0–7) from K-quants' 12 packed scale bytes
    /// (ggml's `get_scale_min_k4`): sub-blocks 0–3 use the low 6 bits of bytes 0–7; 4–7 take
    /// nibbles of bytes 8–11 and the top two bits of bytes 0–7.
    static func scaleMin(_ q: UnsafeRawPointer, _ j: Int) -> (scale: UInt8, min: UInt8) {
        if j < 4 {
            return (byte(q, j) & 63, byte(q, j + 4) & 63)
        }
        let scale = (byte(q, j + 4) & 0x0F) | ((byte(q, j - 4) >> 6) << 4)
        let minimum = (byte(q, j + 4) >> 4) | ((byte(q, j) >> 6) << 4)
        return (scale, minimum)
    }

    /// Q4_K (144 bytes): f16 d, f16 dmin, uint8 scales[12], uint8 qs[128]. Each 64 outputs use 32
    /// bytes: low nibbles with sub-block scale/min 2i, then high nibbles with 2i + 1;
    /// y = d·scale · q − dmin·min.
    static func q4_K(_ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
        let d = half(x, 0)
        let dmin = half(x, 2)
        let scales = x + 4
        var q = x + 16
        var out = y
        for pair in 0..<4 {
            let (sc1, m1) = scaleMin(scales, 2 * pair)
            let (sc2, m2) = scaleMin(scales, 2 * pair + 1)
            let d1 = d * Float(sc1), min1 = dmin * Float(m1)
            let d2 = d * Float(sc2), min2 = dmin * Float(m2)
            for l in 0..<32 { out[l] = d1 * Float(byte(q, l) & 0x0F) - min1 }
            for l in 0..<32 { out[32 + l] = d2 * Float(byte(q, l) >> 4) - min2 }
            q += 32
            out += 64
        }
    }

    /// Q5_K (176 bytes): f16 d, f16 dmin, uint8 scales[12], uint8 qh[32], uint8 qs[128]. As Q4_K,
    /// plus a fifth bit (worth 16) for output l of 64-chunk i in bit 2i (low nibbles) or 2i + 1
    /// (high nibbles) of qh[l].
    static func q5_K(_ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
        let d = half(x, 0)
        let dmin = half(x, 2)
        let scales = x + 4
        let qh = x + 16
        var ql = x + 48
        var out = y
        var u1: UInt8 = 1
        var u2: UInt8 = 2
        for pair in 0..<4 {
            let (sc1, m1) = scaleMin(scales, 2 * pair)
            let (sc2, m2) = scaleMin(scales, 2 * pair + 1)
            let d1 = d * Float(sc1), min1 = dmin * Float(m1)
            let d2 = d * Float(sc2), min2 = dmin * Float(m2)
            for l in 0..<32 {
                let high: UInt8 = byte(qh, l) & u1 != 0 ? 16 : 0
                out[l] = d1 * Float((byte(ql, l) & 0x0F) + high) - min1
            }
            for l in 0..<32 {
                let high: UInt8 = byte(qh, l) & u2 != 0 ? 16 : 0
                out[32 + l] = d2 * Float((byte(ql, l) >> 4) + high) - min2
            }
            ql += 32
            out += 64
            u1 <<= 2
            u2 <<= 2
        }
    }

    /// Q6_K (210 bytes): uint8 ql[128] (low nibbles), uint8 qh[64] (2-bit high parts),
    /// int8 scales[16] (one per 16 outputs), f16 d at the end (offset 208). Each 128 outputs use
    /// 64 ql bytes, 32 qh bytes and 8 scales; values are offset by 32.
    static func q6_K(_ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
        let d = half(x, 208)
        var ql = x
        var qh = x + 128
        var sc = x + 192
        var out = y
        for _ in 0..<2 {
            for l in 0..<32 {
                let group = l / 16
                let h = byte(qh, l)
                let q1 = Int8(bitPattern: (byte(ql, l) & 0x0F) | (((h >> 0) & 3) << 4)) - 32
                let q2 = Int8(bitPattern: (byte(ql, l + 32) & 0x0F) | (((h >> 2) & 3) << 4)) - 32
                let q3 = Int8(bitPattern: (byte(ql, l) >> 4) | (((h >> 4) & 3) << 4)) - 32
                let q4 = Int8(bitPattern: (byte(ql, l + 32) >> 4) | (((h >> 6) & 3) << 4)) - 32
                out[l] = d * Float(signedByte(sc, group)) * Float(q1)
                out[l + 32] = d * Float(signedByte(sc, group + 2)) * Float(q2)
                out[l + 64] = d * Float(signedByte(sc, group + 4)) * Float(q3)
                out[l + 96] = d * Float(signedByte(sc, group + 6)) * Float(q4)
            }
            out += 128
            ql += 64
            qh += 32
            sc += 8
        }
    }
}
