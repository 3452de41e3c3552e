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
        case .q4_1: blockFunction = q4_1
        case .q5_0: blockFunction = q5_0
        case .q5_1: blockFunction = q5_1
        case .iq4_nl: blockFunction = iq4_nl
        case .q2_K: blockFunction = q2_K
        case .q3_K: blockFunction = q3_K
        case .iq4_xs: blockFunction = iq4_xs
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

    /// Q4_1 (20 bytes): f16 d, f16 m, uint8 qs[16] as in Q4_0 but unsigned; y = q · d + m.
    static func q4_1(_ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
        let d = half(x, 0)
        let m = half(x, 2)
        for j in 0..<16 {
            let q = byte(x, 4 + j)
            y[j] = Float(q & 0x0F) * d + m
            y[j + 16] = Float(q >> 4) * d + m
        }
    }

    /// Q5_1 (24 bytes): f16 d, f16 m, uint8 qh[4] (fifth bits as in Q5_0), uint8 qs[16];
    /// unsigned, y = q · d + m.
    static func q5_1(_ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
        let d = half(x, 0)
        let m = half(x, 2)
        let qh = UInt32(littleEndian: x.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
        for j in 0..<16 {
            let xh0 = UInt8(truncatingIfNeeded: ((qh >> UInt32(j)) << 4) & 0x10)
            let xh1 = UInt8(truncatingIfNeeded: (qh >> UInt32(j + 12)) & 0x10)
            let q = byte(x, 8 + j)
            y[j] = Float((q & 0x0F) | xh0) * d + m
            y[j + 16] = Float((q >> 4) | xh1) * d + m
        }
    }

    /// The sixteen values IQ4_NL and IQ4_XS indices stand for (a non-linear 4-bit grid).
    public static let iq4Values: [Int8] = [-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113]

    /// IQ4_NL (18 bytes): f16 d, uint8 qs[16] of indices laid out as Q4_0's nibbles; y = value · d.
    static func iq4_nl(_ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
        let d = half(x, 0)
        for j in 0..<16 {
            let q = byte(x, 2 + j)
            y[j] = d * Float(iq4Values[Int(q & 0x0F)])
            y[j + 16] = d * Float(iq4Values[Int(q >> 4)])
        }
    }

    // MARK: 256-element super-blocks (K-quants)

    /// Q2_K (84 bytes): uint8 scales[16] (per 16 outputs: scale in the low nibble, min in the
    /// high one), uint8 qs[64], f16 d, f16 dmin. Output 128h + 32s + l is bits 2s…2s+1 of
    /// qs[32h + l]; y = d·scale · q − dmin·min.
    static func q2_K(_ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
        let d = half(x, 80)
        let dmin = half(x, 82)
        for h in 0..<2 {
            for s in 0..<4 {
                for l in 0..<32 {
                    let index = 128 * h + 32 * s + l
                    let sc = byte(x, index / 16)
                    let q = (byte(x, 16 + 32 * h + l) >> UInt8(2 * s)) & 3
                    y[index] = d * Float(sc & 0x0F) * Float(q) - dmin * Float(sc >> 4)
                }
            }
        }
    }

    /// Q3_K (110 bytes): uint8 hmask[32], uint8 qs[64], uint8 scales[12], f16 d. Output
    /// 32g + l (g = 4h + s) has low bits 2s…2s+1 of qs[32h + l] and, unless bit g of hmask[l] is
    /// set, −4; sixteen 6-bit scales (offset 32): low nibbles in bytes 0–7 (sub-blocks 0–7 low,
    /// 8–15 high), high pairs in bytes 8–11 (sub-block j at bits 2·(j/4) of byte 8 + j % 4).
    static func q3_K(_ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
        let d = half(x, 108)
        let scales = x + 96
        for index in 0..<256 {
            let g = index / 32, l = index % 32
            let (h, s) = (g / 4, g % 4)
            let j = index / 16
            let low = j < 8 ? byte(scales, j) & 0x0F : byte(scales, j - 8) >> 4
            let high = (byte(scales, 8 + j % 4) >> UInt8(2 * (j / 4))) & 3
            let scale = Int(low | (high << 4)) - 32
            let q = Int((byte(x, 32 + 32 * h + l) >> UInt8(2 * s)) & 3) - (byte(x, l) >> UInt8(g) & 1 == 1 ? 0 : 4)
            y[index] = d * Float(scale) * Float(q)
        }
    }

    /// IQ4_XS (136 bytes): f16 d, uint16 scales_h, uint8 scales_l[4], uint8 qs[128]. Each 32
    /// outputs g use 16 bytes of indices laid out as IQ4_NL's and a 6-bit scale (offset 32):
    /// low nibble g % 2 of scales_l[g / 2], high pair at bits 2g of scales_h.
    static func iq4_xs(_ x: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
        let d = half(x, 0)
        let scalesHigh = UInt16(littleEndian: x.loadUnaligned(fromByteOffset: 2, as: UInt16.self))
        for g in 0..<8 {
            let low = (byte(x, 4 + g / 2) >> UInt8(4 * (g % 2))) & 0x0F
            let high = UInt8(truncatingIfNeeded: scalesHigh >> UInt16(2 * g)) & 3
            let dl = d * Float(Int(low | (high << 4)) - 32)
            for j in 0..<16 {
                let q = byte(x, 8 + 16 * g + j)
                y[32 * g + j] = dl * Float(iq4Values[Int(q & 0x0F)])
                y[32 * g + 16 + j] = dl * Float(iq4Values[Int(q >> 4)])
            }
        }
    }

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
