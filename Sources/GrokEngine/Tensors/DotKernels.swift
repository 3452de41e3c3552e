/// Dot products of weight rows, in their stored (quantised) form, with a Float vector: the decode
/// hot path, where every weight byte is read once per token. Nothing here allocates on the heap
/// (beyond what `withUnsafeTemporaryAllocation` decides for very long vectors) and no dequantised
/// row is ever written to memory.
///
/// Two families of kernels, both tested against `ReferenceDequantize` (TensorKernelTests):
///
/// - `rowDot`: one row against Float x. Decodes a block into Float SIMD lanes and multiplies it
///   in; per-block scales are applied to the block's partial sum.
/// - `matVec`: many rows against the same x. x is first rounded once to Int16, one step per 32
///   or 256 elements (`QuantizedVector`); then each 32-element block is an integer multiply-add
///   of its weights with x (SSE2 `pmaddwd`, which LLVM forms from the `madd` helpers below)
///   and one Float scale.
///   This is three to five times faster than decoding to Float. It is llama.cpp's scheme but
///   with 16-bit rather than 8-bit activations: each x moves by at most amax/65024 (≈ 2^-16 of
///   its scale group's largest |x|), and not at all (Q8_0) or by an ulp (Q8_K) when x was
///   already rounded the way llama.cpp rounds it.
///
/// Prefer `matVec` wherever one x meets more than a few rows.
///
/// Written for the x86-64 baseline the package builds for (SSE2: no FMA, no byte-wise or
/// variable shifts): no `addingProduct` (without FMA it becomes an `fmaf` call per lane), byte
/// lanes shifted only by constants, Q5_0's per-lane bit tests done by table lookup, and integer
/// to Float conversions done in 8-lane pieces (the 16-lane generic conversions are not inlined).
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
    /// so threads working on different ranges of rows can share one `out`.
    ///
    /// Quantised types go through the integer kernels (x rounded to Int16, see
    /// `QuantizedVector`); F32, F16 and BF16 use the Float kernels of `rowDot`. Each call rounds
    /// x once (a few hundred nanoseconds for 640 values), so threads may simply call it on their
    /// own row ranges.
    public static func matVec(
        _ type: GGMLType, weights: UnsafeRawPointer, rows: Range<Int>, columns: Int,
        x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>
    ) {
        guard let rowBytes = type.rowBytes(elements: columns) else {
            preconditionFailure("\(columns) columns are not whole \(type.name) blocks")
        }
        // One switch per call, then a row loop the compiler specialises for each kernel.
        switch type {
        case .f32: eachRow(weights, rows, rowBytes, out) { f32($0, x, columns) }
        case .f16: eachRow(weights, rows, rowBytes, out) { f16($0, x, columns) }
        case .bf16: eachRow(weights, rows, rowBytes, out) { bf16($0, x, columns) }
        case .q8_0, .q4_0, .q5_0, .q4_K, .q5_K, .q6_K:
            // Scale groups match the blocks llama.cpp rounds activations in beside these
            // weights (Q8_K's 256 for K-quants, Q8_0's 32 otherwise); see QuantizedVector.
            let group = type.blockElements == 256 ? 256 : 32
            QuantizedVector.with(x, count: columns, group: group) { v in
                switch type {
                case .q8_0: eachRow(weights, rows, rowBytes, out) { q8_0($0, v) }
                case .q4_0: eachRow(weights, rows, rowBytes, out) { q4_0($0, v) }
                case .q5_0:
                    let table = fifthBitOffsets
                    eachRow(weights, rows, rowBytes, out) { q5_0($0, v, table) }
                case .q4_K: eachRow(weights, rows, rowBytes, out) { q4_K($0, v) }
                case .q5_K: eachRow(weights, rows, rowBytes, out) { q5_K($0, v) }
                default: eachRow(weights, rows, rowBytes, out) { q6_K($0, v) }
                }
            }
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

// MARK: - Activations rounded to Int16

/// x rounded to Int16: x[i] ≈ scales[i / 32] · values[i], the step of each 32-element block
/// being amax / 32512 where amax is the largest |x| of its scale group (32 or 256 elements).
///
/// 32512 = 127 · 256 rather than 32767, so activations already rounded the way llama.cpp rounds
/// them (Q8_0: d·k per 32 with amax = 127·|d|; Q8_K: d·k per 256, likewise) are represented
/// exactly, as k · 256, when the group matches the rounding's block (`matVec` uses 256 for the
/// K-quants and 32 otherwise). Weights are at most 8 bits, so a 32-element block's Σ w·x stays
/// far inside Int32. A group whose largest |x| is below 2^-100 counts as zero (its reciprocal
/// step would overflow; its products are nil).
struct QuantizedVector {
    let values: UnsafePointer<Int16>
    /// One per 32-element block; NaN when the group holds an infinity or NaN, so results are NaN.
    let scales: UnsafePointer<Float>
    /// Σ x over each 32-element block, as rounded (scale · Σ values): the K-quants' min terms.
    let sums: UnsafePointer<Float>
    /// Number of 32-element blocks.
    let blockCount: Int

    /// Calls `body` with `x` (`count` elements, a multiple of `group`) rounded in scale groups
    /// of `group` (32 or 256) elements, in temporary storage.
    static func with<R>(_ x: UnsafePointer<Float>, count: Int, group: Int, _ body: (QuantizedVector) -> R) -> R {
        let blocks = count / 32
        return withUnsafeTemporaryAllocation(byteCount: 2 * count + 8 * blocks, alignment: 16) { buffer in
            let base = buffer.baseAddress!
            let values = base.bindMemory(to: Int16.self, capacity: count)
            let scales = (base + 2 * count).bindMemory(to: Float.self, capacity: 2 * blocks)
            for start in stride(from: 0, to: count, by: group) {
                let (inverse, scale) = step(x + start, count: group)
                for block in start / 32..<(start + group) / 32 {
                    scales[block] = scale
                    scales[blocks + block] = scale * Float(round(x + 32 * block, inverse, into: values + 32 * block))
                }
            }
            return body(QuantizedVector(values: values, scales: scales, sums: scales + blocks, blockCount: blocks))
        }
    }

    /// 32512 / amax and amax / 32512 for `count` values; (0, 0) when they are all (nearly) zero
    /// and (0, NaN) when any is infinite or NaN.
    @inline(__always)
    private static func step(_ x: UnsafePointer<Float>, count: Int) -> (inverse: Float, scale: Float) {
        var amax: Float = 0
        var finite = true
        for i in 0..<count {
            amax = max(amax, x[i].magnitude)
            finite = finite && x[i].isFinite
        }
        guard finite else { return (0, .nan) }
        return amax >= 0x1p-100 ? (32512 / amax, amax / 32512) : (0, 0)
    }

    /// Rounds 32 values to multiples of 1 / `inverse`; returns the sum of the rounded integers.
    @inline(__always)
    private static func round(_ x: UnsafePointer<Float>, _ inverse: Float, into q: UnsafeMutablePointer<Int16>) -> Int32 {
        guard inverse != 0 else {
            q.update(repeating: 0, count: 32)
            return 0
        }
        var sum: Int32 = 0
        for i in 0..<32 {
            // Adding 1.5 · 2^23 rounds to an integer (to nearest, ties to even) held in the low
            // mantissa bits; |x · inverse| ≤ 32512 < 2^22, so the low 16 bits are it, exactly.
            let rounded = Int16(truncatingIfNeeded: (x[i] * inverse + 12_582_912).bitPattern)
            q[i] = rounded
            sum &+= Int32(rounded)
        }
        return sum
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

    /// Signed bytes to floats, eight lanes at a time (inlined, unlike the 16-lane conversion).
    @inline(__always)
    static func floats(_ v: SIMD16<Int8>) -> SIMD16<Float> {
        SIMD16(lowHalf: SIMD8<Float>(v.lowHalf), highHalf: SIMD8<Float>(v.highHalf))
    }

    /// Small unsigned values (`q` ≤ 63) minus `offset`, as signed bytes: the subtraction cannot
    /// wrap for these ranges, and doing it on bytes saves work on every wider lane.
    @inline(__always)
    static func centred(_ q: SIMD16<UInt8>, minus offset: UInt8) -> SIMD16<Int8> {
        SIMD16<Int8>(truncatingIfNeeded: q &- offset)
    }

    /// Unsigned values below 128 as signed bytes (same bits).
    @inline(__always)
    static func signed(_ q: SIMD16<UInt8>) -> SIMD16<Int8> {
        SIMD16<Int8>(truncatingIfNeeded: q)
    }

    /// For each byte value b, eight bytes: byte k is 0 when bit k of b is set and −16 (0xF0)
    /// when it is clear. Adding it to Q5_0's nibbles gives (nibble | fifth bit · 16) − 16 in one
    /// byte addition. A table, because computing the spread inline lets LLVM reason about the
    /// few bits that can be set and rewrite the byte arithmetic into far longer code.
    nonisolated(unsafe) static let fifthBitOffsets: UnsafePointer<UInt64> = {
        let table = UnsafeMutablePointer<UInt64>.allocate(capacity: 256)
        for byte in 0..<256 {
            var offsets: UInt64 = 0
            for k in 0..<8 where byte & (1 << k) == 0 { offsets |= 0xF0 << (8 * UInt64(k)) }
            table[byte] = offsets
        }
        return UnsafePointer(table)
    }()

    /// Q5_0 values for the 16 nibbles `q` whose fifth bits are the low 16 bits of `bits`,
    /// centred on 0 (−16…15).
    @inline(__always)
    static func q5Values(_ q: SIMD16<UInt8>, _ bits: UInt32, _ table: UnsafePointer<UInt64>) -> SIMD16<Int8> {
        let offsets = SIMD2<UInt64>(table[Int(bits & 0xFF)], table[Int((bits >> 8) & 0xFF)])
        return SIMD16<Int8>(truncatingIfNeeded: q &+ unsafeBitCast(offsets, to: SIMD16<UInt8>.self))
    }

    /// Σ of pairs of products of 8 signed bytes and 8 Int16 into 4 Int32 lanes: LLVM turns this
    /// into one `pmaddwd` (both factors fit 16 bits, so no product or pair sum can overflow).
    @inline(__always)
    static func madd(_ w: SIMD8<Int8>, _ x: SIMD8<Int16>) -> SIMD4<Int32> {
        let products = SIMD8<Int32>(truncatingIfNeeded: w) &* SIMD8<Int32>(truncatingIfNeeded: x)
        return products.evenHalf &+ products.oddHalf
    }

    /// 16 weights times the 16 Int16 at `x` (16-byte aligned), folded into 4 Int32 lanes.
    @inline(__always)
    static func madd(_ w: SIMD16<Int8>, _ x: UnsafePointer<Int16>) -> SIMD4<Int32> {
        let raw = UnsafeRawPointer(x)
        // Aligned loads (every offset used is a multiple of 8 values in 16-byte aligned storage)
        // let SSE2 fold them into `pmaddwd`'s memory operand.
        return madd(w.lowHalf, raw.load(as: SIMD8<Int16>.self))
            &+ madd(w.highHalf, raw.load(fromByteOffset: 16, as: SIMD8<Int16>.self))
    }

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

    /// Integer partial sums times a Float scale.
    @inline(__always)
    static func scaled(_ sums: SIMD4<Int32>, _ scale: Float) -> SIMD4<Float> {
        SIMD4<Float>(sums) * scale
    }

    /// Q6_K's int8 sub-block scale `index` as a Float.
    @inline(__always)
    static func q6Scale(_ sc: UnsafeRawPointer, _ index: Int) -> Float {
        Float(sc.load(fromByteOffset: index, as: Int8.self))
    }
}

// MARK: - Float kernels: plain types

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
        sixteenBit(row, x, count, wide: Half.toFloat, narrow: Half.toFloat)
    }

    static func bf16(_ row: UnsafeRawPointer, _ x: UnsafePointer<Float>, _ count: Int) -> Float {
        sixteenBit(row, x, count, wide: Half.bfloat16ToFloat, narrow: Half.bfloat16ToFloat)
    }

    /// Rows of 16-bit floats (f16 or bf16, told apart by their decoders), eight lanes at a time.
    @inline(__always)
    private static func sixteenBit(
        _ row: UnsafeRawPointer, _ x: UnsafePointer<Float>, _ count: Int,
        wide: (SIMD8<UInt16>) -> SIMD8<Float>, narrow: (UInt16) -> Float
    ) -> Float {
        var acc = SIMD8<Float>()
        var i = 0
        while i + 8 <= count {
            let w = wide(row.loadUnaligned(fromByteOffset: 2 * i, as: SIMD8<UInt16>.self))
            acc += w * UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
            i += 8
        }
        var sum = acc.sum()
        while i < count {
            sum += narrow(row.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)) * x[i]
            i += 1
        }
        return sum
    }
}

// MARK: - Float kernels: quantised types

extension Dot {
    /// Q8_0: f16 d, int8 qs[32]. Σ d · (q · x) per block.
    static func q8_0(_ row: UnsafeRawPointer, _ x: UnsafePointer<Float>, _ count: Int) -> Float {
        var acc = SIMD16<Float>()
        var block = row
        var xs = x
        for _ in 0..<count / 32 {
            let q0 = floats(block.loadUnaligned(fromByteOffset: 2, as: SIMD16<Int8>.self))
            let q1 = floats(block.loadUnaligned(fromByteOffset: 18, as: SIMD16<Int8>.self))
            acc += (q0 * floats(xs, 0) + q1 * floats(xs, 16)) * half(block, 0)
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
            let qs = bytes(block, 2)
            let low = floats(centred(qs & 0x0F, minus: 8))
            let high = floats(centred(qs &>> 4, minus: 8))
            acc += (low * floats(xs, 0) + high * floats(xs, 16)) * half(block, 0)
            block += 18
            xs += 32
        }
        return acc.sum()
    }

    /// Q5_0: f16 d, uint32 fifth bits (bit j for element j), 16 bytes of nibbles, offset 16.
    static func q5_0(_ row: UnsafeRawPointer, _ x: UnsafePointer<Float>, _ count: Int) -> Float {
        let table = fifthBitOffsets
        var acc = SIMD16<Float>()
        var block = row
        var xs = x
        for _ in 0..<count / 32 {
            let qh = UInt32(littleEndian: block.loadUnaligned(fromByteOffset: 2, as: UInt32.self))
            let qs = bytes(block, 6)
            let low = floats(q5Values(qs & 0x0F, qh, table))
            let high = floats(q5Values(qs &>> 4, qh >> 16, table))
            acc += (low * floats(xs, 0) + high * floats(xs, 16)) * half(block, 0)
            block += 22
            xs += 32
        }
        return acc.sum()
    }

    /// Σ over a 32-element sub-block of q · x, and Σ x (for the min term); q ≤ 31.
    @inline(__always)
    static func subBlockProducts(
        _ q0: SIMD16<UInt8>, _ q1: SIMD16<UInt8>, _ xs: UnsafePointer<Float>
    ) -> (products: SIMD16<Float>, xSum: SIMD16<Float>) {
        let x0 = floats(xs, 0), x1 = floats(xs, 16)
        return (floats(signed(q0)) * x0 + floats(signed(q1)) * x1, x0 + x1)
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
                let low = subBlockProducts(a & 0x0F, b & 0x0F, xs)
                let high = subBlockProducts(a &>> 4, b &>> 4, xs + 32)
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
            // Shifting qh right by one per half-chunk brings the next bit to bit 0 of every byte.
            var h0 = bytes(block, 16), h1 = bytes(block, 32)
            var q = block + 48
            for pair in 0..<4 {
                let a = bytes(q, 0), b = bytes(q, 16)
                let low = subBlockProducts((a & 0x0F) | ((h0 & 1) &<< 4), (b & 0x0F) | ((h1 & 1) &<< 4), xs)
                h0 = h0 &>> 1
                h1 = h1 &>> 1
                let high = subBlockProducts((a &>> 4) | ((h0 & 1) &<< 4), (b &>> 4) | ((h1 & 1) &<< 4), xs + 32)
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

    /// Q6_K's four 16-lane groups of values for lanes l = 16·group …: elements l, l + 32, l + 64,
    /// l + 96 of a 128-element half (ql: 64 bytes, qh: 32 bytes), centred on 0 (−32…31).
    @inline(__always)
    static func q6Values(_ ql: UnsafeRawPointer, _ qh: UnsafeRawPointer, _ group: Int)
        -> (SIMD16<Int8>, SIMD16<Int8>, SIMD16<Int8>, SIMD16<Int8>) {
        let a = bytes(ql, 16 * group), b = bytes(ql, 32 + 16 * group), h = bytes(qh, 16 * group)
        return (
            centred((a & 0x0F) | ((h & 0x03) &<< 4), minus: 32),
            centred((b & 0x0F) | ((h & 0x0C) &<< 2), minus: 32),
            centred((a &>> 4) | (h & 0x30), minus: 32),
            centred((b &>> 4) | ((h & 0xC0) &>> 2), minus: 32)
        )
    }

    /// Q6_K: ql[128] low nibbles, qh[64] 2-bit high parts, int8 scales[16], f16 d at byte 208.
    /// Each 128-element half uses 64 ql bytes, 32 qh bytes and 8 scales; lane group g of a half
    /// uses scales g, g + 2, g + 4, g + 6.
    static func q6_K(_ row: UnsafeRawPointer, _ x: UnsafePointer<Float>, _ count: Int) -> Float {
        var acc = SIMD16<Float>()
        var block = row
        var xs = x
        for _ in 0..<count / 256 {
            let d = half(block, 208)
            for part in 0..<2 {
                let ql = block + 64 * part, qh = block + 128 + 32 * part, sc = block + 192 + 8 * part
                for group in 0..<2 {
                    let (q1, q2, q3, q4) = q6Values(ql, qh, group)
                    let y = xs + 16 * group
                    acc += floats(q1) * floats(y, 0) * (d * q6Scale(sc, group))
                        + floats(q2) * floats(y, 32) * (d * q6Scale(sc, group + 2))
                        + floats(q3) * floats(y, 64) * (d * q6Scale(sc, group + 4))
                        + floats(q4) * floats(y, 96) * (d * q6Scale(sc, group + 6))
                }
                xs += 128
            }
            block += 210
        }
        return acc.sum()
    }
}

// MARK: - Integer kernels (matVec)

extension Dot {
    /// Σ over 32-element blocks of d · xScale · Σ(q · xq), for the block types with an fp16 d at
    /// byte 0 (`Block` says how big a block is and how to form its Σ(q · xq) as 4 Int32 lanes).
    ///
    /// Blocks are finished four at a time: the four lane sums are folded into one vector and the
    /// four fp16 scales converted together, which cuts the per-block overhead of these short
    /// kernels. A remainder of fewer than four blocks is finished one by one. (Generic rather
    /// than taking a closure: closures this size were left as calls, specialisation inlines.)
    @inline(__always)
    static func blocks32<Block: Block32>(_ row: UnsafeRawPointer, _ v: QuantizedVector, _ context: Block) -> Float {
        let blockBytes = Block.bytes
        var acc = SIMD4<Float>()
        var block = row
        var b = 0
        while b + 4 <= v.blockCount {
            let xq = v.values + 32 * b
            let b1 = block + blockBytes, b2 = block + 2 * blockBytes, b3 = block + 3 * blockBytes
            let sums = laneSums(
                context.sum(block, xq), context.sum(b1, xq + 32), context.sum(b2, xq + 64), context.sum(b3, xq + 96))
            let d = Half.toFloat(SIMD4<UInt16>(halfBits(block), halfBits(b1), halfBits(b2), halfBits(b3)))
            acc += SIMD4<Float>(sums) * d * UnsafeRawPointer(v.scales + b).loadUnaligned(as: SIMD4<Float>.self)
            block += 4 * blockBytes
            b += 4
        }
        var total = acc.sum()
        while b < v.blockCount {
            let sum = context.sum(block, v.values + 32 * b)
            total += Float(sum[0] &+ sum[1] &+ sum[2] &+ sum[3]) * (half(block, 0) * v.scales[b])
            block += blockBytes
            b += 1
        }
        return total
    }

    /// Lane i of the result is the sum of the lanes of the i-th argument.
    @inline(__always)
    static func laneSums(_ a: SIMD4<Int32>, _ b: SIMD4<Int32>, _ c: SIMD4<Int32>, _ d: SIMD4<Int32>) -> SIMD4<Int32> {
        let ab = SIMD8(lowHalf: a, highHalf: b), cd = SIMD8(lowHalf: c, highHalf: d)
        let pairs = SIMD8(lowHalf: ab.evenHalf &+ ab.oddHalf, highHalf: cd.evenHalf &+ cd.oddHalf)
        return pairs.evenHalf &+ pairs.oddHalf
    }

    @inline(__always)
    static func halfBits(_ p: UnsafeRawPointer) -> UInt16 {
        p.loadUnaligned(as: UInt16.self)
    }

    /// Q8_0 against rounded x.
    static func q8_0(_ row: UnsafeRawPointer, _ v: QuantizedVector) -> Float {
        blocks32(row, v, Q8_0Block())
    }

    /// Q4_0 against rounded x.
    static func q4_0(_ row: UnsafeRawPointer, _ v: QuantizedVector) -> Float {
        blocks32(row, v, Q4_0Block())
    }

    /// Q5_0 against rounded x. `table` is `fifthBitOffsets`, fetched once per matVec rather than
    /// once per row.
    static func q5_0(_ row: UnsafeRawPointer, _ v: QuantizedVector, _ table: UnsafePointer<UInt64>) -> Float {
        blocks32(row, v, Q5_0Block(table: table))
    }

    /// Q4_K against rounded x: sub-block j adds d·sc_j·xScale_j·Σ(q·xq) − dmin·m_j·Σx_j. The eight
    /// multipliers and the min term are computed once per super-block as 8-lane vectors.
    static func q4_K(_ row: UnsafeRawPointer, _ v: QuantizedVector) -> Float {
        var acc = SIMD4<Float>(), minAcc = SIMD8<Float>()
        var block = row
        for xb in stride(from: 0, to: v.blockCount, by: 8) {
            let (sc, m) = scalesAndMins(block + 4)
            let multipliers = SIMD8<Float>(sc) * floats8(v.scales + xb) * half(block, 0)
            minAcc += SIMD8<Float>(m) * floats8(v.sums + xb) * half(block, 2)
            let q = block + 16, xq = v.values + 32 * xb
            acc += q4KPair(q, xq, multipliers, 0) + q4KPair(q, xq, multipliers, 1)
            acc += q4KPair(q, xq, multipliers, 2) + q4KPair(q, xq, multipliers, 3)
            block += 144
        }
        return acc.sum() - minAcc.sum()
    }

    /// Sub-blocks 2·pair (low nibbles) and 2·pair + 1 (high nibbles) of a Q4_K super-block.
    @inline(__always)
    static func q4KPair(_ q: UnsafeRawPointer, _ xq: UnsafePointer<Int16>, _ multipliers: SIMD8<Float>, _ pair: Int) -> SIMD4<Float> {
        let a = bytes(q, 32 * pair), b = bytes(q, 32 * pair + 16)
        let x = xq + 64 * pair
        let low = madd(signed(a & 0x0F), x) &+ madd(signed(b & 0x0F), x + 16)
        let high = madd(signed(a &>> 4), x + 32) &+ madd(signed(b &>> 4), x + 48)
        return scaled(low, multipliers[2 * pair]) + scaled(high, multipliers[2 * pair + 1])
    }

    static func q5_K(_ row: UnsafeRawPointer, _ v: QuantizedVector) -> Float {
        var acc = SIMD4<Float>(), minAcc = SIMD8<Float>()
        var block = row
        for xb in stride(from: 0, to: v.blockCount, by: 8) {
            let (sc, m) = scalesAndMins(block + 4)
            let multipliers = SIMD8<Float>(sc) * floats8(v.scales + xb) * half(block, 0)
            minAcc += SIMD8<Float>(m) * floats8(v.sums + xb) * half(block, 2)
            let h0 = bytes(block, 16), h1 = bytes(block, 32)
            let q = block + 48, xq = v.values + 32 * xb
            acc += q5KPair(q, h0, h1, xq, multipliers, 0) + q5KPair(q, h0, h1, xq, multipliers, 1)
            acc += q5KPair(q, h0, h1, xq, multipliers, 2) + q5KPair(q, h0, h1, xq, multipliers, 3)
            block += 176
        }
        return acc.sum() - minAcc.sum()
    }

    /// As `q4KPair`, with fifth bits 2·pair (low nibbles) and 2·pair + 1 (high) of qh's bytes.
    @inline(__always)
    static func q5KPair(
        _ q: UnsafeRawPointer, _ h0: SIMD16<UInt8>, _ h1: SIMD16<UInt8>, _ xq: UnsafePointer<Int16>,
        _ multipliers: SIMD8<Float>, _ pair: Int
    ) -> SIMD4<Float> {
        let a = bytes(q, 32 * pair), b = bytes(q, 32 * pair + 16)
        let x = xq + 64 * pair
        let lowShift = UInt8(2 * pair), highShift = UInt8(2 * pair + 1)
        let low = madd(signed((a & 0x0F) | (((h0 &>> lowShift) & 1) &<< 4)), x)
            &+ madd(signed((b & 0x0F) | (((h1 &>> lowShift) & 1) &<< 4)), x + 16)
        let high = madd(signed((a &>> 4) | (((h0 &>> highShift) & 1) &<< 4)), x + 32)
            &+ madd(signed((b &>> 4) | (((h1 &>> highShift) & 1) &<< 4)), x + 48)
        return scaled(low, multipliers[2 * pair]) + scaled(high, multipliers[2 * pair + 1])
    }

    /// Q6_K against rounded x: each 16-element group adds d·sc·xScale·Σ(q·xq); a group never
    /// straddles two 32-element blocks of x. In a 128-element half, scale i (0–7) covers lane
    /// group i % 2 of values set i / 2, which lies in x block i / 2 of the half.
    static func q6_K(_ row: UnsafeRawPointer, _ v: QuantizedVector) -> Float {
        var acc = SIMD4<Float>()
        var block = row
        for xb in stride(from: 0, to: v.blockCount, by: 8) {
            let d = half(block, 208)
            for part in 0..<2 {
                let ql = block + 64 * part, qh = block + 128 + 32 * part
                let scales = SIMD8<Float>(block.loadUnaligned(fromByteOffset: 192 + 8 * part, as: SIMD8<Int8>.self))
                let x4 = UnsafeRawPointer(v.scales + xb + 4 * part).loadUnaligned(as: SIMD4<Float>.self)
                let xScales = SIMD8<Float>(x4[0], x4[0], x4[1], x4[1], x4[2], x4[2], x4[3], x4[3])
                let multipliers = scales * xScales * d
                let xq = v.values + 32 * (xb + 4 * part)
                acc += q6KGroup(ql, qh, xq, multipliers, 0) + q6KGroup(ql, qh, xq, multipliers, 1)
            }
            block += 210
        }
        return acc.sum()
    }

    /// Lane group `group` (16 lanes) of the four value sets of a Q6_K half.
    @inline(__always)
    static func q6KGroup(
        _ ql: UnsafeRawPointer, _ qh: UnsafeRawPointer, _ xq: UnsafePointer<Int16>, _ multipliers: SIMD8<Float>, _ group: Int
    ) -> SIMD4<Float> {
        let (q1, q2, q3, q4) = q6Values(ql, qh, group)
        let x = xq + 16 * group
        let first = scaled(madd(q1, x), multipliers[group]) + scaled(madd(q2, x + 32), multipliers[group + 2])
        return first + scaled(madd(q3, x + 64), multipliers[group + 4]) + scaled(madd(q4, x + 96), multipliers[group + 6])
    }

    /// 8 floats at `p`.
    @inline(__always)
    static func floats8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }
}

// MARK: - 32-element block types for `Dot.blocks32`

/// A 32-element block type with an fp16 scale at byte 0, for the integer kernels.
protocol Block32 {
    /// Bytes per block.
    static var bytes: Int { get }
    /// Σ q · xq over the block's 32 values, as 4 Int32 lanes.
    func sum(_ block: UnsafeRawPointer, _ xq: UnsafePointer<Int16>) -> SIMD4<Int32>
}

/// Q8_0: int8 qs[32] after d.
struct Q8_0Block: Block32 {
    static var bytes: Int { 34 }

    @inline(__always)
    func sum(_ block: UnsafeRawPointer, _ xq: UnsafePointer<Int16>) -> SIMD4<Int32> {
        Dot.madd(block.loadUnaligned(fromByteOffset: 2, as: SIMD16<Int8>.self), xq)
            &+ Dot.madd(block.loadUnaligned(fromByteOffset: 18, as: SIMD16<Int8>.self), xq + 16)
    }
}

/// Q4_0: 16 bytes of nibbles after d, offset by 8.
struct Q4_0Block: Block32 {
    static var bytes: Int { 18 }

    @inline(__always)
    func sum(_ block: UnsafeRawPointer, _ xq: UnsafePointer<Int16>) -> SIMD4<Int32> {
        let qs = Dot.bytes(block, 2)
        return Dot.madd(Dot.centred(qs & 0x0F, minus: 8), xq) &+ Dot.madd(Dot.centred(qs &>> 4, minus: 8), xq + 16)
    }
}

/// Q5_0: 32 fifth bits and 16 bytes of nibbles after d, offset by 16.
struct Q5_0Block: Block32 {
    static var bytes: Int { 22 }
    let table: UnsafePointer<UInt64>

    @inline(__always)
    func sum(_ block: UnsafeRawPointer, _ xq: UnsafePointer<Int16>) -> SIMD4<Int32> {
        let qh = UInt32(littleEndian: block.loadUnaligned(fromByteOffset: 2, as: UInt32.self))
        let qs = Dot.bytes(block, 6)
        return Dot.madd(Dot.q5Values(qs & 0x0F, qh, table), xq) &+ Dot.madd(Dot.q5Values(qs &>> 4, qh >> 16, table), xq + 16)
    }
}
