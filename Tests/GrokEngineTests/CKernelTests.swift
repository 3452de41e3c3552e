import CGrokKernels
import Foundation
import Testing
@testable import GrokEngine

/// The C kernels against their Swift reference twins, on every instruction-set level this CPU
/// has (levels must agree bit for bit; lowering the level is safe while other tests run,
/// because every level computes the same numbers).
@Suite(.serialized) struct CKernelTests {
    static let quantised: [GGMLType] = [.q8_0, .q4_0, .q4_1, .q5_0, .q5_1, .iq4_nl, .q2_K, .q3_K, .q4_K, .q5_K, .q6_K, .iq4_xs]
    static let plain: [GGMLType] = [.f32, .f16, .bf16]

    /// Activations as the kernel sees them: dequantised from the quantised bytes.
    static func activationValues(_ type: GGMLType, _ bytes: UnsafeRawPointer, count: Int) -> [Double] {
        switch type {
        case .q4_1, .q5_1:
            return (0..<count).map { i in
                // Q8_1: f16-rounded scale and scaled sum widened to f32, then 32 signed values.
                let block = bytes + (i / 32) * 40
                let d = block.loadUnaligned(as: Float.self)
                #expect(Float(Float16(d)) == d)
                return Double(d) * Double(block.load(fromByteOffset: 8 + i % 32, as: Int8.self))
            }
        case .q4_0, .q5_0, .q8_0, .iq4_nl:
            return (0..<count).map { i in
                // Our Q8_0 activation block: the f16-rounded scale widened to f32, then 32 values
                // stored +128 as unsigned bytes.
                let block = bytes + (i / 32) * 36
                let d = block.loadUnaligned(as: Float.self)
                #expect(Float(Float16(d)) == d)
                return Double(d) * Double(Int(block.load(fromByteOffset: 4 + i % 32, as: UInt8.self)) - 128)
            }
        case .q2_K, .q3_K, .q4_K, .q5_K, .q6_K, .iq4_xs:
            return (0..<count).map { i in
                let block = bytes + (i / 256) * 292
                let d = block.loadUnaligned(as: Float.self)
                return Double(d) * Double(block.load(fromByteOffset: 4 + i % 256, as: Int8.self))
            }
        case .f16: return (0..<count).map { Double(Half.toFloat(bytes.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self))) }
        case .bf16: return (0..<count).map { Double(Float(bitPattern: UInt32(bytes.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self)) << 16)) }
        default: return (0..<count).map { Double(bytes.loadUnaligned(fromByteOffset: 4 * $0, as: Float.self)) }
        }
    }

    /// Σ over blocks of m_w · (s − Σ activations): what Q8_1's rounded sum changes in a Q4_1 or
    /// Q5_1 product.
    static func minimumTerms(_ type: GGMLType, _ weights: [UInt8], row: Int, _ rowBytes: Int, _ x: UnsafeRawPointer, _ a: [Double]) -> Double {
        var total = 0.0
        for b in 0..<a.count / 32 {
            let offset = row * rowBytes + b * type.blockBytes + 2
            let m = Double(Half.toFloat(UInt16(weights[offset]) | UInt16(weights[offset + 1]) << 8))
            let s = Double((x + b * 40).loadUnaligned(fromByteOffset: 4, as: Float.self))
            total += m * (s - a[(32 * b)..<(32 * b + 32)].reduce(0, +))
        }
        return total
    }

    /// grok_matmul over 5 weight rows × 6 activation rows (a full tile of four and a tail), × 1 and 3
    /// (decoding: weights read straight from the row), and
    /// × 9 (past the 8 rows where Q6_K switches to llama.cpp's tiled rounding) against Σ reference
    /// weights × activations in Double. Bound: 1e-4 · Σ|terms| + 1e-5 (float accumulation over at
    /// most a few hundred partial sums); levels agree exactly.
    @Test(arguments: quantised + plain, [(1, 6), (3, 9), (9, 6), (2, 3), (2, 1)])
    func matmulMatchesReference(_ type: GGMLType, shape: (blocks: Int, cols: Int)) throws {
        let (blocks, cols) = shape
        var random = SplitMix64(seed: 0xC0DE + UInt64(type.rawValue) << 8 + UInt64(blocks))
        let count = blocks * (type.blockElements == 1 ? 64 : type.blockElements)
        let rows = 5
        let weights = (0..<rows).flatMap { _ in
            TensorKernelTests.randomRow(type, blocks: type.blockElements == 1 ? count : blocks, &random)
        }
        let rowBytes = weights.count / rows
        let x = (0..<cols * count).map { _ in Float.random(in: -2...2, using: &random) }
        let xBytes = grok_activation_row_bytes(Int32(type.rawValue), Int64(count))
        #expect(xBytes > 0)
        var xq = [UInt8](repeating: 0, count: xBytes * cols)
        xq.withUnsafeMutableBytes { out in
            for c in 0..<cols {
                grok_quantize_activation(Int32(type.rawValue), x.withUnsafeBufferPointer { $0.baseAddress! + c * count },
                                         out.baseAddress! + c * xBytes, Int64(count))
            }
        }
        var results: [[Float]] = []
        for level in Kernels.Level.allCases where Kernels.use(level) == level {
            var out = [Float](repeating: .nan, count: rows * cols)
            weights.withUnsafeBytes { w in
                xq.withUnsafeBytes { xs in
                    out.withUnsafeMutableBufferPointer { o in
                        grok_matmul(Int32(type.rawValue), w.baseAddress!, rowBytes, Int64(count), 0, Int64(rows),
                                    xs.baseAddress!, xBytes, Int64(cols), o.baseAddress!, Int64(rows))
                    }
                }
            }
            results.append(out)
        }
        Kernels.use(.avx512VNNI)
        #expect(results.count >= 1)
        for other in results.dropFirst() { #expect(other == results[0], "\(type.name): levels disagree") }
        for r in 0..<rows {
            let w = TensorKernelTests.dequantise(type, Array(weights[(r * rowBytes)..<((r + 1) * rowBytes)]), count: count)
            for c in 0..<cols {
                let a = xq.withUnsafeBytes { Self.activationValues(type, $0.baseAddress! + c * xBytes, count: count) }
                var exact = 0.0, magnitude = 0.0
                for i in 0..<count {
                    exact += Double(w[i]) * a[i]
                    magnitude += abs(Double(w[i]) * a[i])
                }
                if type == .q4_1 || type == .q5_1 {
                    // Q8_1 carries each block's Σ activations as its own f16 rounding (s), which
                    // the weights' minimum multiplies instead of the exact sum.
                    exact += xq.withUnsafeBytes { Self.minimumTerms(type, weights, row: r, rowBytes, $0.baseAddress! + c * xBytes, a) }
                }
                let fast = Double(results[0][c * rows + r])
                #expect(abs(fast - exact) <= 1e-4 * magnitude + 1e-5, "\(type.name) row \(r) col \(c): \(fast) vs \(exact)")
            }
        }
    }

    /// The packed layout (sixteen rows per block) gives grok_matmul's and
    /// grok_matmul_rows_alone's numbers bit for bit: 48 rows, column counts on both sides of
    /// llama.cpp's rounding switches (whole tiles of 4, 8 rows), groups of both rules in one
    /// call, ranges of whole groups of sixteen rows.
    @Test(arguments: [GGMLType.q8_0, .q4_0, .q5_0, .q4_1, .q5_1, .iq4_nl, .q4_K, .q6_K], [(2, 1), (3, 5), (2, 9), (1, 17)])
    func packedMatmulIsBitIdentical(_ type: GGMLType, shape: (blocks: Int, cols: Int)) throws {
        guard Kernels.use(.avx512VNNI) == .avx512VNNI else { return }  // packed kernels need AVX-512 VNNI
        #expect(grok_packed_preferred() != 0)
        let (blocks, cols) = shape
        var random = SplitMix64(seed: 0xFACE + UInt64(type.rawValue) << 8 + UInt64(blocks))
        let count = blocks * type.blockElements, rows = 48
        let weights = (0..<rows).flatMap { _ in TensorKernelTests.randomRow(type, blocks: blocks, &random) }
        let rowBytes = weights.count / rows
        let x = (0..<cols * count).map { _ in Float.random(in: -2...2, using: &random) }
        let xBytes = grok_activation_row_bytes(Int32(type.rawValue), Int64(count))
        var xq = [UInt8](repeating: 0, count: xBytes * cols)
        xq.withUnsafeMutableBytes { out in
            for c in 0..<cols {
                grok_quantize_activation(Int32(type.rawValue), x.withUnsafeBufferPointer { $0.baseAddress! + c * count },
                                         out.baseAddress! + c * xBytes, Int64(count))
            }
        }
        let packedBytes = grok_packed_bytes(Int32(type.rawValue), Int64(rows), Int64(count))
        #expect(packedBytes == rows * blocks * type.blockBytes)
        var packed = [UInt8](repeating: 0, count: packedBytes)
        weights.withUnsafeBytes { w in
            packed.withUnsafeMutableBytes { grok_pack(Int32(type.rawValue), w.baseAddress!, rowBytes, Int64(count), 0, 3, $0.baseAddress!) }
        }
        // Reference: the file-layout kernels, one call per group of rows.
        func product(_ r0: Int, _ r1: Int, groups: [grok_row_group], packed usePacked: Bool) -> [UInt32] {
            var out = [Float](repeating: 0, count: rows * cols)
            xq.withUnsafeBytes { xs in
                out.withUnsafeMutableBufferPointer { o in
                    if usePacked {
                        packed.withUnsafeBytes {
                            grok_matmul_packed(Int32(type.rawValue), $0.baseAddress!, Int64(count), Int64(r0), Int64(r1),
                                               xs.baseAddress!, xBytes, groups, Int64(groups.count), o.baseAddress!, Int64(rows))
                        }
                        return
                    }
                    weights.withUnsafeBytes { w in
                        for group in groups {
                            (group.alone != 0 ? grok_matmul_rows_alone : grok_matmul)(
                                Int32(type.rawValue), w.baseAddress!, rowBytes, Int64(count), Int64(r0), Int64(r1),
                                xs.baseAddress! + Int(group.start) * xBytes, xBytes, group.count,
                                o.baseAddress! + Int(group.start) * rows, Int64(rows))
                        }
                    }
                }
            }
            return out.map(\.bitPattern)
        }
        // One group of each rule, and (from 9 rows) rows alone followed by a batch group, as
        // decode rows and a prompt chunk share a step.
        var layouts: [[grok_row_group]] = [[grok_row_group(start: 0, count: Int64(cols), alone: 0)],
                                           [grok_row_group(start: 0, count: Int64(cols), alone: 1)]]
        if cols >= 9 {
            layouts.append([grok_row_group(start: 0, count: 3, alone: 1), grok_row_group(start: 3, count: Int64(cols - 3), alone: 0)])
        }
        for groups in layouts {
            let expected = product(0, rows, groups: groups, packed: false)
            #expect(expected.contains { $0 != 0 })
            #expect(product(0, rows, groups: groups, packed: true) == expected, "\(type.name) \(groups.map(\.count))")
            let middle = product(16, 32, groups: groups, packed: true)
            for r in 0..<rows {
                for c in 0..<cols {
                    #expect(middle[c * rows + r] == ((16..<32).contains(r) ? expected[c * rows + r] : 0))
                }
            }
        }
    }

    @Test func packedLayoutOnlyForWholeGroupsOfPackableTypes() {
        #expect(grok_packed_bytes(Int32(GGMLType.q8_0.rawValue), 32, 64) == 2 * 2 * 544)
        #expect(grok_packed_bytes(Int32(GGMLType.q8_0.rawValue), 24, 64) == 0)
        #expect(grok_packed_bytes(Int32(GGMLType.q8_0.rawValue), 32, 40) == 0)
        #expect(grok_packed_bytes(Int32(GGMLType.q4_K.rawValue), 32, 256) == 2 * 2304)
        #expect(grok_packed_bytes(Int32(GGMLType.q4_1.rawValue), 32, 64) == 2 * 2 * 320)
        #expect(grok_packed_bytes(Int32(GGMLType.q5_1.rawValue), 32, 64) == 2 * 2 * 384)
        #expect(grok_packed_bytes(Int32(GGMLType.iq4_nl.rawValue), 32, 64) == 2 * 2 * 288)
        #expect(grok_packed_bytes(Int32(GGMLType.q5_K.rawValue), 32, 256) == 0)
        #expect(grok_packed_bytes(Int32(GGMLType.iq4_xs.rawValue), 32, 256) == 0)
        #expect(grok_packed_bytes(Int32(GGMLType.f32.rawValue), 32, 256) == 0)
    }

    /// The C quantiser rounds exactly like the Swift twin (ActivationQuantizer, ggml's rounding).
    @Test(arguments: [GGMLType.q8_0, .q6_K])
    func quantisationMatchesSwiftTwin(_ type: GGMLType) {
        var random = SplitMix64(seed: 77 + UInt64(type.rawValue))
        let count = 512
        var x = (0..<count).map { _ in Float.random(in: -3...3, using: &random) }
        x[7] = 0; x[300] = -5
        let bytes = grok_activation_row_bytes(Int32(type.rawValue), Int64(count))
        var q = [UInt8](repeating: 0, count: bytes)
        q.withUnsafeMutableBytes { grok_quantize_activation(Int32(type.rawValue), x, $0.baseAddress!, Int64(count)) }
        let ours = q.withUnsafeBytes { Self.activationValues(type, $0.baseAddress!, count: count) }
        var twin = x
        twin.withUnsafeMutableBufferPointer { ActivationQuantizer.round($0.baseAddress!, count: count, for: type) }
        #expect(ours.map { Float($0) } == twin)
    }

    /// f32 → f16 rounds to nearest even like Float16's initialiser, including ties, subnormals,
    /// overflow to infinity and NaN; f16 → f32 is exact for every bit pattern.
    @Test func halfConversionsAreCorrectlyRounded() {
        for bits in UInt16.min...UInt16.max {
            let half = Float16(bitPattern: bits)
            let back = grok_f32_from_f16(bits)
            #expect(back.bitPattern == Float(half).bitPattern || (back.isNaN && half.isNaN))
        }
        var random = SplitMix64(seed: 16)
        var samples: [Float] = [0, -0, 65504, 65520, 65519.99, 1e-8, 5.96e-8, 2.98e-8, .infinity, -.infinity, 1.00048828125]
        samples += (0..<20_000).map { _ in Float(bitPattern: UInt32.random(in: 0x3000_0000...0x4800_0000, using: &random)) }
        for value in samples {
            let ours = grok_f16_from_f32(value)
            #expect(ours == Float16(value).bitPattern, "\(value)")
        }
        #expect(Float16(bitPattern: grok_f16_from_f32(.nan)).isNaN)
    }

    /// Attention against a plain Double reference (softmax of scores, weighted sum of values),
    /// within f16 precision; every level (and native f16 when present) agrees bit for bit.
    @Test(arguments: [1, 2, 7, 130])
    func attentionMatchesReference(positions: Int) {
        var random = SplitMix64(seed: 0xA77 + UInt64(positions))
        let size = 256, stride = 320
        func halves(_ n: Int, _ range: ClosedRange<Float>) -> [UInt16] {
            (0..<n).map { _ in Float16(Float.random(in: range, using: &random)).bitPattern }
        }
        let q = halves(size, -0.3...0.3)
        let keys = halves(positions * stride, -2...2)
        let values = halves(positions * stride, -3...3)
        var results: [[Float]] = []
        for level in Kernels.Level.allCases where Kernels.use(level) == level {
            var out = [Float](repeating: .nan, count: size)
            grok_attend_f16(q, keys, values, Int64(stride), Int64(positions), Int64(size), &out)
            results.append(out)
        }
        Kernels.use(.avx512VNNI)
        for other in results.dropFirst() { #expect(other == results[0]) }
        let f = { (bits: UInt16) in Double(Float16(bitPattern: bits)) }
        let scores = (0..<positions).map { p in (0..<size).reduce(0.0) { $0 + f(q[$1]) * f(keys[p * stride + $1]) } }
        let top = scores.max()!
        let weights = scores.map { exp($0 - top) }
        let total = weights.reduce(0, +)
        for i in 0..<size {
            let exact = (0..<positions).reduce(0.0) { $0 + weights[$1] * f(values[$1 * stride + i]) } / total
            #expect(abs(Double(results[0][i]) - exact) <= 4e-3 * 3 + 1e-3 * abs(exact), "element \(i)")
        }
    }
}
