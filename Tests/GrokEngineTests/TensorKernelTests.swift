import Dispatch
import Foundation
import Testing
@testable import GrokEngine

/// Tensor types: the reference dequantisation against hand-made blocks whose values are worked out
/// here, the fast dot kernels against the reference on random blocks, and 16-bit float conversion.
@Suite struct TensorKernelTests {
    static let supported: [GGMLType] = [.f32, .f16, .bf16, .q8_0, .q4_0, .q4_1, .q5_0, .q5_1, .iq4_nl, .q2_K, .q3_K, .q4_K, .q5_K,
                                        .q6_K, .iq4_xs]
    /// The types the Swift kernels of `Dot` handle (the engine computes through the C kernels).
    static let dotTypes: [GGMLType] = [.f32, .f16, .bf16, .q8_0, .q4_0, .q5_0, .q4_K, .q5_K, .q6_K]

    // MARK: Type table

    @Test func typeTableMatchesGGML() {
        let expected: [(GGMLType, UInt32, String, Int, Int)] = [
            (.f32, 0, "f32", 1, 4), (.f16, 1, "f16", 1, 2), (.bf16, 30, "bf16", 1, 2),
            (.q4_0, 2, "q4_0", 32, 18), (.q5_0, 6, "q5_0", 32, 22), (.q8_0, 8, "q8_0", 32, 34),
            (.q4_K, 12, "q4_K", 256, 144), (.q5_K, 13, "q5_K", 256, 176), (.q6_K, 14, "q6_K", 256, 210),
            (.q4_1, 3, "q4_1", 32, 20), (.q5_1, 7, "q5_1", 32, 24), (.iq4_nl, 20, "iq4_nl", 32, 18),
            (.q2_K, 10, "q2_K", 256, 84), (.q3_K, 11, "q3_K", 256, 110), (.iq4_xs, 23, "iq4_xs", 256, 136),
        ]
        for (type, raw, name, elements, bytes) in expected {
            #expect(type.rawValue == raw)
            #expect(GGMLType(rawValue: raw) == type)
            #expect(type.name == name)
            #expect(type.blockElements == elements)
            #expect(type.blockBytes == bytes)
            #expect(type.isSupported)
        }
        #expect(!GGMLType.q8_1.isSupported && !GGMLType.q8_K.isSupported && !GGMLType.iq2_xs.isSupported && !GGMLType.iq3_s.isSupported)
        #expect(GGMLType(rawValue: 4) == nil && GGMLType(rawValue: 31) == nil && GGMLType(rawValue: 40) == nil)
        #expect(Set(GGMLType.allCases.filter(\.isSupported)) == Set(Self.supported))
    }

    @Test func rowBytesChecksWholeBlocksAndOverflow() {
        #expect(GGMLType.q8_0.rowBytes(elements: 640) == 680)
        #expect(GGMLType.q4_K.rowBytes(elements: 2048) == 8 * 144)
        #expect(GGMLType.f32.rowBytes(elements: 7) == 28)
        #expect(GGMLType.f16.rowBytes(elements: 0) == 0)
        #expect(GGMLType.q8_0.rowBytes(elements: 33) == nil)
        #expect(GGMLType.q6_K.rowBytes(elements: 128) == nil)
        #expect(GGMLType.f32.rowBytes(elements: -4) == nil)
        #expect(GGMLType.q8_K.rowBytes(elements: Int.max - Int.max % 256) == nil)
        #expect(GGMLType.f64.rowBytes(elements: Int.max / 4) == nil)
    }

    // MARK: 16-bit floats

    @Test func halfConvertsSpecialValues() {
        #expect(Half.toFloat(0x0000).bitPattern == Float(0).bitPattern)
        #expect(Half.toFloat(0x8000).bitPattern == Float(-0.0).bitPattern)
        #expect(Half.toFloat(0x3C00) == 1)
        #expect(Half.toFloat(0xC000) == -2)
        #expect(Half.toFloat(0x7BFF) == 65504)
        #expect(Half.toFloat(0x0001) == 0x1p-24)  // smallest subnormal
        #expect(Half.toFloat(0x03FF) == 0x1.FF8p-15)  // largest subnormal: 1023 · 2^-24
        #expect(Half.toFloat(0x0400) == 0x1p-14)  // smallest normal
        #expect(Half.toFloat(0x7C00) == .infinity)
        #expect(Half.toFloat(0xFC00) == -.infinity)
        #expect(Half.toFloat(0x7E00).isNaN)
        #expect(Half.toFloat(0x7C01).isNaN)
        #expect(Half.bfloat16ToFloat(0x3F80) == 1)
        #expect(Half.bfloat16ToFloat(0xC040) == -3)
        #expect(Half.bfloat16ToFloat(0x7F80) == .infinity)
        #expect(Half.bfloat16ToFloat(0x0001) == Float(bitPattern: 0x0001_0000))  // subnormal
        #expect(Half.fromFloat(1) == 0x3C00 && Half.fromFloat(65504) == 0x7BFF && Half.fromFloat(0x1p-24) == 0x0001)
    }

    /// Every one of the 65 536 fp16 patterns, scalar, SIMD8 and SIMD4, against Swift's `Float16`.
    @Test func halfMatchesFloat16Exhaustively() {
        for start in stride(from: 0, to: 65536, by: 8) {
            let bits = SIMD8<UInt16>((0..<8).map { UInt16(start + $0) })
            let vector = Half.toFloat(bits)
            let low = Half.toFloat(bits.lowHalf), high = Half.toFloat(bits.highHalf)
            for lane in 0..<8 {
                let expected = Float(Float16(bitPattern: bits[lane]))
                let scalar = Half.toFloat(bits[lane])
                if expected.isNaN {
                    #expect(scalar.isNaN && vector[lane].isNaN, "fp16 \(bits[lane])")
                } else {
                    #expect(scalar.bitPattern == expected.bitPattern, "fp16 \(bits[lane])")
                }
                #expect(vector[lane].bitPattern == scalar.bitPattern, "fp16 \(bits[lane]) SIMD8")
                #expect((lane < 4 ? low[lane] : high[lane - 4]).bitPattern == scalar.bitPattern, "fp16 \(bits[lane]) SIMD4")
            }
        }
    }

    // MARK: Reference dequantisation against hand-made blocks

    @Test func q8_0KnownBlock() {
        // d = 0.25 (fp16 0x3400); q = -128, -127, -1, 0, 1, 2, 127, then j − 16 for j = 7…31.
        var q: [Int8] = [-128, -127, -1, 0, 1, 2, 127]
        q += (7..<32).map { Int8($0 - 16) }
        let block: [UInt8] = [0x00, 0x34] + q.map { UInt8(bitPattern: $0) }
        let values = Self.dequantise(.q8_0, block, count: 32)
        #expect(Array(values[0..<7]) == [-32, -31.75, -0.25, 0, 0.25, 0.5, 31.75])
        #expect(values[16] == 0 && values[20] == 1 && values[31] == 3.75 && values[7] == -2.25)
        Self.expectOneHotDots(.q8_0, block, values)
    }

    @Test func q4_0KnownBlock() {
        // d = 2 (0x4000); byte j has low nibble j and high nibble 15 − j; both offset by 8.
        let block: [UInt8] = [0x00, 0x40] + (0..<16).map { UInt8($0) | UInt8(15 - $0) << 4 }
        let values = Self.dequantise(.q4_0, block, count: 32)
        let low: [Float] = [-16, -14, -12, -10, -8, -6, -4, -2, 0, 2, 4, 6, 8, 10, 12, 14]
        #expect(Array(values[0..<16]) == low)
        #expect(Array(values[16..<32]) == low.reversed())
        Self.expectOneHotDots(.q4_0, block, values)
    }

    @Test func q5_0KnownBlock() {
        // d = 1 (0x3C00); 5-bit value v(e) = 5e mod 32, stored low nibbles in qs (elements 0–15 low,
        // 16–31 high) and fifth bits in qh bit e; element = v − 16.
        let v = (0..<32).map { UInt8($0 * 5 % 32) }
        var qh: UInt32 = 0
        for e in 0..<32 where v[e] & 0x10 != 0 { qh |= 1 << UInt32(e) }
        let qs = (0..<16).map { (v[$0] & 0x0F) | (v[$0 + 16] & 0x0F) << 4 }
        let block: [UInt8] = [0x00, 0x3C] + withUnsafeBytes(of: qh.littleEndian, Array.init) + qs
        let values = Self.dequantise(.q5_0, block, count: 32)
        #expect(values[0] == -16 && values[4] == 4 && values[7] == -13 && values[20] == -12 && values[31] == 11)
        #expect(values == v.map { Float(Int($0) - 16) })
        Self.expectOneHotDots(.q5_0, block, values)
    }

    /// Scales 10 + 7j and mins 63 − 5j for sub-blocks j = 0…7 (the upper four need the packed top
    /// bits), d = 0.5, dmin = 0.25: element e of sub-block j = 0.5·(10 + 7j)·q − 0.25·(63 − 5j).
    static let kScales = (0..<8).map { UInt8(10 + 7 * $0) }
    static let kMins = (0..<8).map { UInt8(63 - 5 * $0) }

    @Test func q4_KKnownBlock() {
        let q = (0..<256).map { UInt8($0 * 3 % 16) }
        var qs = [UInt8](repeating: 0, count: 128)
        for chunk in 0..<4 {
            for l in 0..<32 { qs[32 * chunk + l] = q[64 * chunk + l] | q[64 * chunk + l + 32] << 4 }
        }
        let block: [UInt8] = [0x00, 0x38, 0x00, 0x34] + Self.packKScales(Self.kScales, Self.kMins) + qs
        let values = Self.dequantise(.q4_K, block, count: 256)
        #expect(values[0] == -15.75 && values[33] == 11 && values[200] == 199.75 && values[255] == 376.5)
        for e in 0..<256 {
            let j = e / 32
            #expect(values[e] == 0.5 * Float(Self.kScales[j]) * Float(q[e]) - 0.25 * Float(Self.kMins[j]), "element \(e)")
        }
        Self.expectOneHotDots(.q4_K, block, values)
    }

    @Test func q5_KKnownBlock() {
        let q = (0..<256).map { UInt8($0 * 7 % 32) }
        var qh = [UInt8](repeating: 0, count: 32)
        var ql = [UInt8](repeating: 0, count: 128)
        for chunk in 0..<4 {
            for l in 0..<32 {
                let low = q[64 * chunk + l], high = q[64 * chunk + l + 32]
                ql[32 * chunk + l] = (low & 0x0F) | (high & 0x0F) << 4
                if low > 15 { qh[l] |= 1 << (2 * chunk) }
                if high > 15 { qh[l] |= 2 << (2 * chunk) }
            }
        }
        let block: [UInt8] = [0x00, 0x38, 0x00, 0x34] + Self.packKScales(Self.kScales, Self.kMins) + qh + ql
        let values = Self.dequantise(.q5_K, block, count: 256)
        #expect(values[0] == -15.75 && values[33] == 45 && values[200] == 615.75 && values[255] == 730.5)
        for e in 0..<256 {
            let j = e / 32
            #expect(values[e] == 0.5 * Float(Self.kScales[j]) * Float(q[e]) - 0.25 * Float(Self.kMins[j]), "element \(e)")
        }
        Self.expectOneHotDots(.q5_K, block, values)
    }

    @Test func q6_KKnownBlock() {
        // d = 0.5 (0x3800) stored last; scale of element e is e/16 − 8 (int8); 6-bit value
        // L(e) = 7e mod 64, offset by 32. Packed as llama.cpp's quantizer packs it.
        let L = (0..<256).map { UInt8($0 * 7 % 64) }
        var ql = [UInt8](repeating: 0, count: 128)
        var qh = [UInt8](repeating: 0, count: 64)
        for half in 0..<2 {
            let n = 128 * half
            for l in 0..<32 {
                ql[64 * half + l] = (L[n + l] & 0x0F) | (L[n + l + 64] & 0x0F) << 4
                ql[64 * half + l + 32] = (L[n + l + 32] & 0x0F) | (L[n + l + 96] & 0x0F) << 4
                qh[32 * half + l] = L[n + l] >> 4 | (L[n + l + 32] >> 4) << 2 | (L[n + l + 64] >> 4) << 4 | (L[n + l + 96] >> 4) << 6
            }
        }
        let scales = (0..<16).map { UInt8(bitPattern: Int8($0 - 8)) }
        let block: [UInt8] = ql + qh + scales + [0x00, 0x38]
        #expect(block.count == 210)
        let values = Self.dequantise(.q6_K, block, count: 256)
        #expect(values[0] == 128 && values[17] == -80.5 && values[100] == -28 && values[161] == 7)
        #expect(values[200] == 48 && values[255] == 87.5)
        for e in 0..<256 {
            #expect(values[e] == 0.5 * Float(e / 16 - 8) * Float(Int(L[e]) - 32), "element \(e)")
        }
        Self.expectOneHotDots(.q6_K, block, values)
    }

    @Test func plainTypesKnownValues() {
        let f32: [Float] = [1.5, -2, 0x1p-130, .greatestFiniteMagnitude]
        #expect(Self.dequantise(.f32, f32.flatMap { withUnsafeBytes(of: $0, Array.init) }, count: 4) == f32)
        let f16: [UInt16] = [0x3C00, 0xC100, 0x0001, 0x7BFF]
        #expect(Self.dequantise(.f16, f16.flatMap { withUnsafeBytes(of: $0, Array.init) }, count: 4) == [1, -2.5, 0x1p-24, 65504])
        let bf16: [UInt16] = [0x3F80, 0xC020, 0x4049]
        #expect(Self.dequantise(.bf16, bf16.flatMap { withUnsafeBytes(of: $0, Array.init) }, count: 3) == [1, -2.5, 3.140625])
    }

    // MARK: Fast kernels against the reference

    /// `Dot.rowDot` against a double-precision Σ reference_i · x_i over random blocks.
    ///
    /// Bound: |fast − exact| ≤ 1e-4 · Σ|reference_i · x_i| + 1e-5. The kernels sum in Float with
    /// per-block partial sums, so their rounding error is at most about (terms per accumulator
    /// lane + block length) · 2^-24 of Σ|terms| — under 4e-5 relative for the largest case here
    /// (33 · 256 elements over 16 lanes); the 1e-5 absolute term covers rows that cancel to ~0.
    @Test(arguments: Self.dotTypes, [1, 3, 7, 33])
    func fastDotMatchesReference(_ type: GGMLType, blocks: Int) {
        var random = SplitMix64(seed: 0x5EED_0000 + UInt64(type.rawValue) << 8 + UInt64(blocks))
        for _ in 0..<4 {
            let count = blocks * type.blockElements
            let row = Self.randomRow(type, blocks: blocks, &random)
            let x = (0..<count).map { _ in Float.random(in: -1...1, using: &random) }
            let reference = Self.dequantise(type, row, count: count)
            #expect(reference.allSatisfy { $0.isFinite })
            var exact = 0.0, magnitude = 0.0
            for i in 0..<count {
                exact += Double(reference[i]) * Double(x[i])
                magnitude += abs(Double(reference[i]) * Double(x[i]))
            }
            let fast = row.withUnsafeBytes { Dot.rowDot(type, $0.baseAddress!, x, count: count) }
            #expect(abs(Double(fast) - exact) <= 1e-4 * magnitude + 1e-5, "\(type.name) × \(blocks): \(fast) vs \(exact)")
        }
    }

    /// Plain types also take counts that are not a multiple of the SIMD width.
    @Test(arguments: [GGMLType.f32, .f16, .bf16], [5, 17, 31, 1001])
    func plainDotHandlesTails(_ type: GGMLType, count: Int) {
        var random = SplitMix64(seed: 77 + UInt64(count))
        let row = Self.randomRow(type, blocks: count, &random)
        let x = (0..<count).map { _ in Float.random(in: -1...1, using: &random) }
        let reference = Self.dequantise(type, row, count: count)
        var exact = 0.0, magnitude = 0.0
        for i in 0..<count {
            exact += Double(reference[i]) * Double(x[i])
            magnitude += abs(Double(reference[i]) * Double(x[i]))
        }
        let fast = row.withUnsafeBytes { Dot.rowDot(type, $0.baseAddress!, x, count: count) }
        #expect(abs(Double(fast) - exact) <= 1e-4 * magnitude + 1e-5)
    }

    /// `Dot.matVec` (integer kernels: x rounded to Int16 per scale group) against the same
    /// double-precision reference, on 6 rows of which it must fill rows 1–4 only.
    ///
    /// Bound: |fast − exact| ≤ 2e-5 · Σ|w_i| · amax_i + 1e-4 · Σ|w_i · x_i| + 1e-5, where amax_i
    /// is the largest |x| in element i's scale group (256 elements for K-quants, else 32).
    /// Rounding x to steps of amax/32512 moves each x_i by at most amax/65024 < 1.6e-5 · amax
    /// (first term); the rest is the Float accumulation bound of `fastDotMatchesReference`.
    @Test(arguments: Self.dotTypes, [1, 3, 7, 33])
    func matVecMatchesReference(_ type: GGMLType, blocks: Int) {
        var random = SplitMix64(seed: 0xAA00 + UInt64(type.rawValue) << 8 + UInt64(blocks))
        let columns = blocks * max(32, type.blockElements), rows = 6
        let rowBytes = type.rowBytes(elements: columns)!
        let matrix = (0..<rows).flatMap { _ in Self.randomRow(type, blocks: columns / type.blockElements, &random) }
        let x = (0..<columns).map { _ in Float.random(in: -1...1, using: &random) * (Bool.random(using: &random) ? 1 : 0.01) }
        var out = [Float](repeating: .nan, count: rows)
        matrix.withUnsafeBytes { weights in
            Dot.matVec(type, weights: weights.baseAddress!, rows: 1..<5, columns: columns, x: x, out: &out)
        }
        #expect(out[0].isNaN && out[5].isNaN)
        let group = type.blockElements == 256 ? 256 : 32
        let blockMax = (0..<columns).map { i in x[(i / group * group)..<(i / group * group + group)].map(\.magnitude).max()! }
        for r in 1..<5 {
            let w = Self.dequantise(type, Array(matrix[(r * rowBytes)..<((r + 1) * rowBytes)]), count: columns)
            var exact = 0.0, magnitude = 0.0, rounding = 0.0
            for i in 0..<columns {
                exact += Double(w[i]) * Double(x[i])
                magnitude += abs(Double(w[i]) * Double(x[i]))
                rounding += abs(Double(w[i])) * Double(blockMax[i])
            }
            let bound = 2e-5 * rounding + 1e-4 * magnitude + 1e-5
            #expect(abs(Double(out[r]) - exact) <= bound, "\(type.name) row \(r): \(out[r]) vs \(exact)")
        }
    }

    /// x already rounded as llama.cpp rounds activations, d·k with |k| ≤ 127 and some |k| = 127
    /// per block (Q8_0: 32 elements, fp16 d; Q8_K: 256 elements, Float d), is held as k · 256
    /// when the scale group is that block: exactly for Q8_0, to within an ulp of d for Q8_K
    /// (whose x = d·k are themselves rounded products).
    @Test(arguments: [32, 256])
    func roundingLlamaCppActivationsIsExact(group: Int) {
        var random = SplitMix64(seed: 5 + UInt64(group))
        var x: [Float] = [], k: [Int] = []
        for block in 0..<4 {
            let drawn = Float.random(in: 0.001...2, using: &random)
            let d = group == 32 ? Half.toFloat(Half.fromFloat(drawn)) : drawn
            var ks = (0..<group).map { _ in Int.random(in: -127...127, using: &random) }
            ks[block * 5] = block.isMultiple(of: 2) ? 127 : -127
            x += ks.map { Float($0) * d }
            k += ks
        }
        QuantizedVector.with(x, count: x.count, group: group) { v in
            for i in 0..<x.count {
                #expect(Int(v.values[i]) == 256 * k[i])
                let held = v.scales[i / 32] * Float(v.values[i])
                if group == 32 {
                    #expect(held == x[i])
                } else {
                    #expect(abs(held - x[i]) <= 2 * x[i].ulp)
                }
            }
        }
    }

    /// An infinity or NaN in x makes the rows it touches NaN; all-zero x, or x too small to
    /// round (below 2^-100), gives 0; nothing traps.
    @Test(arguments: [GGMLType.q8_0, .q4_K])
    func matVecPropagatesNonFiniteValues(_ type: GGMLType) {
        var random = SplitMix64(seed: 6)
        let columns = 512
        let row = Self.randomRow(type, blocks: columns / type.blockElements, &random)
        for poison in [Float.nan, .infinity, 0, 1e-35] {
            var x = [Float](repeating: 0, count: columns)
            x[300] = poison
            var out: [Float] = [1]
            row.withUnsafeBytes { Dot.matVec(type, weights: $0.baseAddress!, rows: 0..<1, columns: columns, x: x, out: &out) }
            #expect(poison.isFinite ? out[0] == 0 : out[0].isNaN)
        }
    }

    // MARK: Speed (opt-in)

    /// Weight bandwidth of `Dot.matVec` over as many bytes as a 262144 × 640 Q8_0 matrix holds
    /// elements (the default model's output layer; K-quants use 2048-element rows, as the model's
    /// FFN-down weights do), one thread and two. Run with
    /// `GROK_KERNEL_BENCH=1 swift test -c release --filter TensorKernelTests/matVecSpeed`.
    @Test(.serialized, .enabled(if: ProcessInfo.processInfo.environment["GROK_KERNEL_BENCH"] != nil),
          arguments: [GGMLType.q8_0, .q4_K, .q5_0, .q6_K, .q4_0, .q5_K, .f16, .f32])
    func matVecSpeed(_ type: GGMLType) {
        let columns = type.blockElements == 256 ? 2048 : 640
        let rows = 262_144 * 640 / columns
        let bytes = rows * type.rowBytes(elements: columns)!
        let weights = Self.randomMatrix(type, bytes: bytes)
        defer { weights.deallocate() }
        var random = SplitMix64(seed: 2)
        let x = (0..<columns).map { _ in Float.random(in: -1...1, using: &random) }
        var out = [Float](repeating: 0, count: rows)
        for threads in [1, 2] {
            // Wall time, and the slowest thread's CPU time (less disturbed on a shared machine).
            var best = Double.infinity, bestCPU = Double.infinity
            for _ in 0..<7 {
                let start = DispatchTime.now().uptimeNanoseconds
                let cpu = UnsafeMutablePointer<Double>.allocate(capacity: threads)
                defer { cpu.deallocate() }
                out.withUnsafeMutableBufferPointer { o in
                    let outAddress = UInt(bitPattern: o.baseAddress!), weightAddress = UInt(bitPattern: weights)
                    let cpuAddress = UInt(bitPattern: cpu)
                    DispatchQueue.concurrentPerform(iterations: threads) { t in
                        let range = rows * t / threads..<rows * (t + 1) / threads
                        let before = Self.threadCPUTime()
                        Dot.matVec(type, weights: UnsafeRawPointer(bitPattern: weightAddress)!, rows: range, columns: columns, x: x,
                                   out: UnsafeMutablePointer(bitPattern: outAddress)!)
                        UnsafeMutablePointer<Double>(bitPattern: cpuAddress)![t] = Self.threadCPUTime() - before
                    }
                }
                best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
                bestCPU = min(bestCPU, (0..<threads).map { cpu[$0] }.max()!)
            }
            let gb = Double(bytes) / 1e9
            print("matVec \(type.name) \(rows)×\(columns), \(threads) thread(s): "
                + "\(String(format: "%.1f", best * 1000)) ms wall, \(String(format: "%.2f", gb / best)) GB/s of weights; "
                + "by CPU time \(String(format: "%.2f", gb / bestCPU)) GB/s")
        }
        #expect(out.allSatisfy { $0.isFinite })
    }

    static func threadCPUTime() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// `bytes` of random blocks of `type`, filled a word at a time (fp16 scales then set sanely).
    static func randomMatrix(_ type: GGMLType, bytes: Int) -> UnsafeMutableRawPointer {
        let weights = UnsafeMutableRawPointer.allocate(byteCount: bytes + 8, alignment: 64)
        var random = SplitMix64(seed: 1)
        for word in 0..<(bytes + 7) / 8 { weights.storeBytes(of: random.next(), toByteOffset: 8 * word, as: UInt64.self) }
        let scale = Half.fromFloat(0.01)
        switch type {
        case .f32: for i in 0..<bytes / 4 { weights.storeBytes(of: Float(i % 7) * 0.1, toByteOffset: 4 * i, as: Float.self) }
        case .f16: for i in 0..<bytes / 2 { weights.storeBytes(of: scale, toByteOffset: 2 * i, as: UInt16.self) }
        case .q6_K: for b in 0..<bytes / 210 { weights.storeBytes(of: scale, toByteOffset: 210 * b + 208, as: UInt16.self) }
        case .q4_K, .q5_K:
            for b in 0..<bytes / type.blockBytes {
                weights.storeBytes(of: scale, toByteOffset: type.blockBytes * b, as: UInt16.self)
                weights.storeBytes(of: scale, toByteOffset: type.blockBytes * b + 2, as: UInt16.self)
            }
        default:
            for b in 0..<bytes / type.blockBytes { weights.storeBytes(of: scale, toByteOffset: type.blockBytes * b, as: UInt16.self) }
        }
        return weights
    }

    // MARK: Helpers

    static func dequantise(_ type: GGMLType, _ data: [UInt8], count: Int) -> [Float] {
        var values = [Float](repeating: .nan, count: count)
        data.withUnsafeBytes { ReferenceDequantize.row(type, $0.baseAddress!, count: count, into: &values) }
        return values
    }

    /// For a hand-made block: `Dot.rowDot` with x = unit vector k must give exactly value k (all
    /// values here are exact in Float, and every other product is 0), and `Dot.matVec` value k
    /// to within 1e-6.
    static func expectOneHotDots(_ type: GGMLType, _ block: [UInt8], _ values: [Float]) {
        var x = [Float](repeating: 0, count: values.count)
        for k in 0..<values.count {
            x[k] = 1
            let dot = block.withUnsafeBytes { Dot.rowDot(type, $0.baseAddress!, x, count: values.count) }
            #expect(dot == values[k], "\(type.name) element \(k)")
            var viaMatVec: [Float] = [0]
            block.withUnsafeBytes { Dot.matVec(type, weights: $0.baseAddress!, rows: 0..<1, columns: values.count, x: x, out: &viaMatVec) }
            // x = 1 is held as 32512 steps of 1/32512, which is 1 to within a rounding or two.
            #expect(abs(viaMatVec[0] - values[k]) <= 1e-6 * abs(values[k]), "\(type.name) element \(k), matVec")
            x[k] = 0
        }
    }

    /// K-quant scale packing as llama.cpp's quantizers write it: sub-blocks 0–3 keep 6 bits in
    /// bytes 0–7; 4–7 put low nibbles in bytes 8–11 and their top two bits in bytes 0–7.
    static func packKScales(_ scales: [UInt8], _ mins: [UInt8]) -> [UInt8] {
        var packed = [UInt8](repeating: 0, count: 12)
        for j in 0..<8 {
            let ls = scales[j], lm = mins[j]
            if j < 4 {
                packed[j] = ls
                packed[j + 4] = lm
            } else {
                packed[j + 4] = (ls & 0x0F) | (lm & 0x0F) << 4
                packed[j - 4] |= (ls >> 4) << 6
                packed[j] |= (lm >> 4) << 6
            }
        }
        return packed
    }

    /// Random blocks: random quant bytes, fp16 scales in ±0.05 (bytes that hold f16 scales are
    /// overwritten); plain types get finite values (F16 across its whole range, subnormals too).
    static func randomRow(_ type: GGMLType, blocks: Int, _ random: inout SplitMix64) -> [UInt8] {
        var data = (0..<blocks * type.blockBytes).map { _ in UInt8.random(in: 0...255, using: &random) }
        func putHalf(_ value: UInt16, at offset: Int) {
            data[offset] = UInt8(value & 0xFF)
            data[offset + 1] = UInt8(value >> 8)
        }
        let scaleOffsets: [Int] = switch type {
        case .q8_0, .q4_0, .q5_0, .iq4_nl, .iq4_xs: [0]
        case .q4_1, .q5_1, .q4_K, .q5_K: [0, 2]
        case .q2_K: [80, 82]
        case .q3_K: [108]
        case .q6_K: [208]
        default: []
        }
        for block in 0..<blocks {
            let base = block * type.blockBytes
            switch type {
            case .f32:
                let value = Float.random(in: -4...4, using: &random)
                for (i, byte) in withUnsafeBytes(of: value, Array.init).enumerated() { data[base + i] = byte }
            case .f16:
                var bits = UInt16.random(in: 0...0xFFFF, using: &random)
                if bits & 0x7C00 == 0x7C00 { bits &= 0xBFFF }  // no infinities or NaNs
                putHalf(bits, at: base)
            case .bf16:
                putHalf(UInt16(Float.random(in: -4...4, using: &random).bitPattern >> 16), at: base)
            default:
                for offset in scaleOffsets {
                    putHalf(Half.fromFloat(Float.random(in: -0.05...0.05, using: &random)), at: base + offset)
                }
            }
        }
        return data
    }
}
