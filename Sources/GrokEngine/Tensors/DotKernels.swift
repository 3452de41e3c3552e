/// Dot products of weight rows, in their stored (quantised) form, with a Float vector: the decode
/// hot path, where every weight byte is read once per token.
///
/// Each kernel decodes a block into SIMD registers and multiplies it into the accumulator
/// straight away, so no dequantised row is ever written to memory, and nothing is allocated.
/// Per-block scales are applied to a block's partial sum rather than to each element.
///
/// Written for the x86-64 baseline the package builds for (SSE2: no FMA, no byte-wise shifts,
/// no variable shifts), so: no `addingProduct` (it becomes a call to `fmaf` per lane without FMA),
/// byte lanes shifted only by constants, and per-lane bit tests done with scalar bit tricks.
/// The same code vectorises wider when the compiler is given a newer target CPU.
///
/// Every kernel is tested against `ReferenceDequantize` (TensorKernelTests).
public enum Dot {
    /// dot(dequantise(row), x) over `count` elements.
    ///
    /// `count` must be a whole number of `type`'s blocks (any count for F32, F16, BF16) and `type`
    /// supported; `row` holds `type.rowBytes(elements: count)` bytes and `x` `count` floats.
    public static func rowDot(_ type: GGMLType, _ row: UnsafeRawPointer, _ x: UnsafePointer<Float>, count: Int) -> Float {
        switch type {
        case .f32: f32(row, x, count)
        case .f16: f16(row, x, count)
        case .bf16: bf16(row, x, count)
        case .q8_0: q8_0(row, x, count)
        case .q4_0: q4_0(row, x, count)
        case .q5_0: q5_0(row, x, count)
        case .q4_K: q4_K(row, x, count)
        case .q5_K: q5_K(row, x, count)
        case .q6_K: q6_K(row, x, count)
        default: preconditionFailure("dot products of \(type.name) are not supported")
        }
    }

    /// out[r] = dot(row r, x) for every r in `rows`, where row r starts at
    /// `weights + r * type.rowBytes(elements: columns)`. `out` is indexed by absolute row number,
    /// so threads working on different ranges can share the same `out`.
    public static func matVec(
        _ type: GGMLType, weights: UnsafeRawPointer, rows: Range<Int>, columns: Int,
        x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>
    ) {
        guard let rowBytes = type.rowBytes(elements: columns) else {
            preconditionFailure("\(columns) columns are not whole \(type.name) blocks")
        }
        // One switch per call, then a loop the compiler specialises for the kernel.
        switch type {
        case .f32: eachRow(weights, rows, rowBytes, out) { f32($0, x, columns) }
        case .f16: eachRow(weights, rows, rowBytes, out) { f16($0, x, columns) }
        case .bf16: eachRow(weights, rows, rowBytes, out) { bf16($0, x, columns) }
        case .q8_0: eachRow(weights, rows, rowBytes, out) { q8_0($0, x, columns) }
        case .q4_0: eachRow(weights, rows, rowBytes, out) { q4_0($0, x, columns) }
        case .q5_0: eachRow(weights, rows, rowBytes, out) { q5_0($0, x, columns) }
        case .q4_K: eachRow(weights, rows, rowBytes, out) { q4_K($0, x, columns) }
        case .q5_K: eachRow(weights, rows, rowBytes, out) { q5_K($0, x, columns) }
        case .q6_K: eachRow(weights, rows, rowBytes, out) { q6_K($0, x, columns) }
        default: preconditionFailure("dot products of \(type.name) are not supported")
        }
    }

    @inline(__always)
    private static func eachRow(
        _ weights: UnsafeRawPointer, _ rows: Range<Int>, _ rowBytes: Int, _ out: UnsafeMutablePointer<Float>,
        _ kernel: (UnsafeRawPointer) -> Float
    ) {
        var row = weights + rows.lowerBound * rowBytes
        for r in rows {
            out[r] = kernel(row)
            row += rowBytes
        }
    }
}

// MARK: - Loads and conversions

extension Dot {
    /// 16 floats of x from element `i`.
    @inline(__always)
    static func floats(_ x: UnsafePointer<Float>, _ i: Int) -> SIMD16<Float> {
        UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self)
    }

    @inline(__always)
    static func bytes(_ p: UnsafeRawPointer, _ offset: Int) -> SIMD16<UInt8> {
        p.loadUnaligned(fromByteOffset: offset, as: SIMD16<UInt8>.self)
    }

    @inline(__always)
    static func half(_ p: UnsafeRawPointer, _ offset: Int) -> Float {
        Half.toFloat(p.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    /// Unsigned small values (`q` in 0…63) minus `offset`, as floats. Subtracting in bytes (which
    /// cannot wrap for these ranges) saves a float subtraction per lane.
    @inline(__always)
    static func centred(_ q: SIMD16<UInt8>, minus offset: UInt8) -> SIMD16<Float> {
        SIMD16<Float>(SIMD16<Int8>(truncatingIfNeeded: q &- offset))
    }

    /// Byte k (0…7) of the result is 0x10 when bit k of `bits` is set, else 0: Q5_0's fifth bits
    /// spread to byte lanes without per-lane shifts. The multiply copies the byte into all eight
    /// bytes; the mask keeps bit k in byte k; adding 0x7F carries any set bit into bit 7 (never
    /// across bytes, as 0x80 + 0x7F = 0xFF).
    @inline(__always)
    static func spreadBits(_ bits: UInt32) -> UInt64 {
        let copies = (UInt64(bits & 0xFF) &* 0x0101_0101_0101_0101) & 0x8040_2010_0804_0201
        return (((copies &+ 0x7F7F_7F7F_7F7F_7F7F) >> 7) & 0x0101_0101_0101_0101) << 4
    }

    /// 16 byte lanes: 0x10 where bit j of the 16 bits `bits` is set.
    @inline(__always)
    static func fifthBits(_ bits: UInt32) -> SIMD16<UInt8> {
        unsafeBitCast(SIMD2<UInt64>(spreadBits(bits), spreadBits(bits >> 8)), to: SIMD16<UInt8>.self)
    }
}

// MARK: - Plain types

extension Dot {
    static func f32(_ row: UnsafeRawPointer, _ x: UnsafePointer<Float>, _ count: Int) -> Float {
        var acc0 = SIMD16<Float>(), acc1 = SIMD16<Float>()
        var i = 0
        while i + 32 <= count {
            acc0 += row.loadUnaligned(fromByteOffset: 4 * i, as: SIMD16<Float>.self) * floats(x, i)
            acc1 += row.loadUnaligned(fromByteOffset: 4 * i + 64, as: SIMD16<Float>.self) * floats(x, i + 16)
            i += 32
        }
        var sum = (acc0 + acc1).sum()
        while i < count {
            sum += row.loadUnaligned(fromByteOffset: 4 * i, as: Float.self) * x[i]
            i += 1
        }
        return sum
    }

    static func f16(_ row: UnsafeRawPointer, _ x: UnsafePointer<Float>, _ count: Int) -> Float {
        var acc = SIMD8<Float>()
        var i = 0
        while i + 8 <= count {
            let w = Half.toFloat(row.loadUnaligned(fromByteOffset: 2 * i, as: SIMD8<UInt16>.self))
            acc += w * UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
            i += 8
        }
        var sum = acc.sum()
        while i < count {
            sum += Half.toFloat(row.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)) * x[i]
            i += 1
        }
        return sum
    }

    static func bf16(_ row: UnsafeRawPointer, _ x: UnsafePointer<Float>, _ count: Int) -> Float {
        var acc = SIMD8<Float>()
        var i = 0
        while i + 8 <= count {
            let w = Half.bfloat16ToFloat(row.loadUnaligned(fromByteOffset: 2 * i, as: SIMD8<UInt16>.self))
            acc += w * UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
            i += 8
        }
        var sum = acc.sum()
        while i < count {
            sum += Half.bfloat16ToFloat(row.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)) * x[i]
            i += 1
        }
        return sum
    }
}

// MARK: - 32-element blocks

extension Dot {
    /// Q8_0: f16 d, int8 qs[32]. Σ d · (q · x) per block.
    static func q8_0(_ row: UnsafeRawPointer, _ x: UnsafePointer<Float>, _ count: Int) -> Float {
        var acc = SIMD16<Float>()
        var block = row
        var xs = x
        for _ in 0..<count / 32 {
            let d = half(block, 0)
            let q0 = SIMD16<Float>(block.loadUnaligned(fromByteOffset: 2, as: SIMD16<Int8>.self))
            let q1 = SIMD16<Float>(block.loadUnaligned(fromByteOffset: 18, as: SIMD16<Int8>.self))
            acc += (q0 * floats(xs, 0) + q1 * floats(xs, 16)) * d
            block += 34
            xs += 32
        }
        return acc.sum()
    }

    /// Q4_0: f16 d, 16 bytes of nibbles (low: elements 0–15, high: 16–31), offset 8.
    static func q4_0(_ row: UnsafeRawPointer, _ x: UnsafePointer<Float>, _ count: Int) -> Float {
        var acc = SIMD16<Float>()
        var block = row
        var xs = x
        for _ in 0..<count / 32 {
            let d = half(block, 0)
            let qs = bytes(block, 2)
            let low = centred(qs & 0x0F, minus: 8)
            let high = centred(qs &>> 4, minus: 8)
            acc += (low * floats(xs, 0) + high * floats(xs, 16)) * d
            block += 18
            xs += 32
        }
        return acc.sum()
    }

    /// Q5_0: f16 d, uint32 fifth bits (bit j for element j), 16 bytes of nibbles, offset 16.
    static func q5_0(_ row: UnsafeRawPointer, _ x: UnsafePointer<Float>, _ count: Int) -> Float {
        var acc = SIMD16<Float>()
        var block = row
        var xs = x
        for _ in 0..<count / 32 {
            let d = half(block, 0)
            let qh = UInt32(littleEndian: block.loadUnaligned(fromByteOffset: 2, as: UInt32.self))
            let qs = bytes(block, 6)
            let low = centred((qs & 0x0F) | fifthBits(qh), minus: 16)
            let high = centred((qs &>> 4) | fifthBits(qh >> 16), minus: 16)
            acc += (low * floats(xs, 0) + high * floats(xs, 16)) * d
            block += 22
            xs += 32
        }
        return acc.sum()
    }
}

// MARK: - 256-element super-blocks

extension Dot {
    /// The eight 6-bit scales (bytes 0–7) and eight mins (bytes 8–15) of a Q4_K/Q5_K super-block,
    /// unpacked from its 12 scale bytes four at a time (the word-wise form of ggml's
    /// `get_scale_min_k4`, as its SIMD paths do).
    @inline(__always)
    static func scalesAndMins(_ scales: UnsafeRawPointer) -> (scales: SIMD8<UInt8>, mins: SIMD8<UInt8>) {
        let w0 = scales.loadUnaligned(fromByteOffset: 0, as: UInt32.self)
        let w1 = scales.loadUnaligned(fromByteOffset: 4, as: UInt32.self)
        let w2 = scales.loadUnaligned(fromByteOffset: 8, as: UInt32.self)
        let low6: UInt32 = 0x3F3F_3F3F, low4: UInt32 = 0x0F0F_0F0F, low2: UInt32 = 0x0303_0303
        let scales0to3 = w0 & low6
        let scales4to7 = (w2 & low4) | (((w0 >> 6) & low2) << 4)
        let mins0to3 = w1 & low6
        let mins4to7 = ((w2 >> 4) & low4) | (((w1 >> 6) & low2) << 4)
        return (
            unsafeBitCast(SIMD2<UInt32>(scales0to3, scales4to7), to: SIMD8<UInt8>.self),
            unsafeBitCast(SIMD2<UInt32>(mins0to3, mins4to7), to: SIMD8<UInt8>.self)
        )
    }

    /// Σ over a 32-element sub-block's low or high nibbles times x, and Σ x (for the min term).
    @inline(__always)
    static func nibbleProducts(
        _ q0: SIMD16<UInt8>, _ q1: SIMD16<UInt8>, _ xs: UnsafePointer<Float>
    ) -> (products: SIMD16<Float>, xSum: SIMD16<Float>) {
        let x0 = floats(xs, 0), x1 = floats(xs, 16)
        return (SIMD16<Float>(q0) * x0 + SIMD16<Float>(q1) * x1, x0 + x1)
    }

    /// Q4_K: f16 d, f16 dmin, 12 scale bytes, 128 bytes of nibbles. Element = d·sc·q − dmin·m, so
    /// each 32-element sub-block adds d·sc·Σ(q·x) − dmin·m·Σx.
    static func q4_K(_ row: UnsafeRawPointer, _ x: UnsafePointer<Float>, _ count: Int) -> Float {
        var acc = SIMD16<Float>(), minAcc = SIMD16<Float>()
        var block = row
        var xs = x
        for _ in 0..<count / 256 {
            let d = half(block, 0), dmin = half(block, 2)
            let (sc, m) = scalesAndMins(block + 4)
            var q = block + 16
            for pair in 0..<4 {
                let a = bytes(q, 0), b = bytes(q, 16)
                let low = nibbleProducts(a & 0x0F, b & 0x0F, xs)
                let high = nibbleProducts(a &>> 4, b &>> 4, xs + 32)
                acc += low.products * (d * Float(sc[2 * pair])) + high.products * (d * Float(sc[2 * pair + 1]))
                minAcc += low.xSum * (dmin * Float(m[2 * pair])) + high.xSum * (dmin * Float(m[2 * pair + 1]))
                q += 32
                xs += 64
            }
            block += 144
        }
        return (acc - minAcc).sum()
    }

    /// Q5_K: as Q4_K with 32 bytes of fifth bits (after the scales) before the nibbles: for
    /// 64-chunk i, bit 2i of qh[l] tops up low nibble l and bit 2i + 1 high nibble l, by 16.
    static func q5_K(_ row: UnsafeRawPointer, _ x: UnsafePointer<Float>, _ count: Int) -> Float {
        var acc = SIMD16<Float>(), minAcc = SIMD16<Float>()
        var block = row
        var xs = x
        for _ in 0..<count / 256 {
            let d = half(block, 0), dmin = half(block, 2)
            let (sc, m) = scalesAndMins(block + 4)
            // Shifting qh right by 1 each half-chunk brings the next bit to bit 0 of every byte.
            var h0 = bytes(block, 16), h1 = bytes(block, 32)
            var q = block + 48
            for pair in 0..<4 {
                let a = bytes(q, 0), b = bytes(q, 16)
                let low = nibbleProducts((a & 0x0F) | ((h0 & 1) &<< 4), (b & 0x0F) | ((h1 & 1) &<< 4), xs)
                h0 = h0 &>> 1
                h1 = h1 &>> 1
                let high = nibbleProducts((a &>> 4) | ((h0 & 1) &<< 4), (b &>> 4) | ((h1 & 1) &<< 4), xs + 32)
                h0 = h0 &>> 1
                h1 = h1 &>> 1
                acc += low.products * (d * Float(sc[2 * pair])) + high.products * (d * Float(sc[2 * pair + 1]))
                minAcc += low.xSum * (dmin * Float(m[2 * pair])) + high.xSum * (dmin * Float(m[2 * pair + 1]))
                q += 32
                xs += 64
            }
            block += 176
        }
        return (acc - minAcc).sum()
    }

    /// Q6_K: ql[128] low nibbles, qh[64] 2-bit high parts, int8 scales[16], f16 d at byte 208.
    /// Each 128-element half uses 64 ql bytes, 32 qh bytes and 8 scales; 16 lanes l hold
    /// elements l, l + 32, l + 64, l + 96 (scales g, g + 2, g + 4, g + 6 for lane group g).
    static func q6_K(_ row: UnsafeRawPointer, _ x: UnsafePointer<Float>, _ count: Int) -> Float {
        var acc = SIMD16<Float>()
        var block = row
        var xs = x
        for _ in 0..<count / 256 {
            let d = half(block, 208)
            for part in 0..<2 {
                let ql = block + 64 * part, qh = block + 128 + 32 * part, sc = block + 192 + 8 * part
                for group in 0..<2 {
                    let a = bytes(ql, 16 * group), b = bytes(ql, 32 + 16 * group), h = bytes(qh, 16 * group)
                    let q1 = centred((a & 0x0F) | ((h & 0x03) &<< 4), minus: 32)
                    let q2 = centred((b & 0x0F) | ((h & 0x0C) &<< 2), minus: 32)
                    let q3 = centred((a &>> 4) | (h & 0x30), minus: 32)
                    let q4 = centred((b &>> 4) | ((h & 0xC0) &>> 2), minus: 32)
                    let y = xs + 16 * group
                    acc += q1 * floats(y, 0) * (d * scale(sc, group))
                        + q2 * floats(y, 32) * (d * scale(sc, group + 2))
                        + q3 * floats(y, 64) * (d * scale(sc, group + 4))
                        + q4 * floats(y, 96) * (d * scale(sc, group + 6))
                }
                xs += 128
            }
            block += 210
        }
        return acc.sum()
    }

    @inline(__always)
    private static func scale(_ sc: UnsafeRawPointer, _ index: Int) -> Float {
        Float(sc.load(fromByteOffset: index, as: Int8.self))
    }
}
