import GrokEngine

/// Random tensor data of every type the engine computes with, generated in the file's own
/// encoding: quantised blocks are drawn directly (random quants, scales chosen from the target
/// spread) rather than by quantising floats, so no quantiser is needed and every bit pattern of
/// the quants occurs.
///
/// Each matrix dequantises to values of mean ≈ 0 and standard deviation ≈ `deviation`. Where a
/// format's quants are not centred (q4_0's −8…7, q6_K's −32…31) the block's scale takes a random
/// sign; K-quants' minimums are chosen to cancel their sub-blocks' means.
enum TinyWeights {
    /// `rows` rows of `columns` elements of `type`, as the file stores them.
    static func matrix(_ type: GGMLType, columns: Int, rows: Int, deviation σ: Double, random: inout TinyRandom) -> [UInt8] {
        let count = columns * rows
        precondition(columns % type.blockElements == 0, "rows of \(columns) do not fit \(type.name) blocks")
        var out: [UInt8] = []
        out.reserveCapacity(type.rowBytes(elements: count) ?? 0)
        switch type {
        case .f32:
            for _ in 0..<count { appendFloat(&out, Float(σ * random.noise())) }
        case .f16:
            for _ in 0..<count { appendHalf(&out, σ * random.noise()) }
        case .bf16:
            for _ in 0..<count { append(&out, bfloat16(Float(σ * random.noise()))) }
        default:
            for _ in 0..<count / type.blockElements { block(type, σ, &random, into: &out) }
        }
        return out
    }

    /// F32 data of the given values.
    static func floats(_ values: [Float]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(values.count * 4)
        for value in values { appendFloat(&out, value) }
        return out
    }

    // Standard deviations of the centred quants when uniform: an integer uniform on −a…a has
    // variance a(a + 1)/3, one on 0…n−1 has (n² − 1)/12 about its mean (plus ¼ off-centre).
    private static let q8Spread = (127.0 * 128 / 3).squareRoot()
    private static let q4Spread = (255.0 / 12 + 0.25).squareRoot()
    private static let q5Spread = (1023.0 / 12 + 0.25).squareRoot()
    private static let q6Spread = (4095.0 / 12 + 0.25).squareRoot()

    /// The 32-block formats vary their scale from block to block by a factor in [0.5, 1.5]
    /// (mean square 13/12, divided out so the spread stays σ).
    private static func blockScale(_ σ: Double, _ spread: Double, _ random: inout TinyRandom) -> Double {
        random.sign() * σ * (0.5 + random.unit()) / (spread * (13.0 / 12).squareRoot())
    }

    private static func block(_ type: GGMLType, _ σ: Double, _ random: inout TinyRandom, into out: inout [UInt8]) {
        switch type {
        case .q8_0:  // f16 d, int8 q[32]; x = d·q
            appendHalf(&out, blockScale(σ, q8Spread, &random))
            for _ in 0..<32 { out.append(UInt8(bitPattern: Int8(random.integer(in: -127...127)))) }
        case .q4_0:  // f16 d, 16 bytes of nibbles; x = d·(q − 8)
            appendHalf(&out, blockScale(σ, q4Spread, &random))
            out += random.bytes(16)
        case .q5_0:  // f16 d, 32 fifth bits, 16 bytes of nibbles; x = d·(q − 16)
            appendHalf(&out, blockScale(σ, q5Spread, &random))
            out += random.bytes(20)
        case .q4_K:
            kQuantBlock(σ, levels: 16, &random, into: &out)
            out += random.bytes(128)
        case .q5_K:
            kQuantBlock(σ, levels: 32, &random, into: &out)
            out += random.bytes(32 + 128)  // high bits, then nibbles
        case .q6_K:
            q6KBlock(σ, &random, into: &out)
        case .q4_1, .q5_1:  // f16 d, f16 m (centring the block), [32 fifth bits], nibbles; x = d·q + m
            let levels = type == .q4_1 ? 16.0 : 32.0
            let d = blockScale(σ, ((levels * levels - 1) / 12).squareRoot(), &random)
            appendHalf(&out, d)
            appendHalf(&out, -d * (levels - 1) / 2)
            out += random.bytes(type == .q4_1 ? 16 : 20)
        case .iq4_nl:  // f16 d, 16 bytes of indices into the non-linear table
            appendHalf(&out, blockScale(σ, iq4Spread, &random))
            out += random.bytes(16)
        case .q2_K:
            q2KBlock(σ, &random, into: &out)
        case .q3_K:
            q3KBlock(σ, &random, into: &out)
        case .iq4_xs:
            iq4XSBlock(σ, &random, into: &out)
        default:
            // A type the engine does not compute: random bytes, for files it must refuse.
            precondition(!type.isSupported, "no random blocks for \(type.name)")
            out += random.bytes(type.blockBytes)
        }
    }

    /// The head of a Q4_K/Q5_K super-block: f16 d, f16 dmin and eight sub-blocks' 6-bit scale
    /// and min packed in 12 bytes; x = d·scale·q − dmin·min with q uniform on 0…levels−1.
    /// Each min is chosen so that dmin·min ≈ d·scale·mean(q): every sub-block is centred.
    private static func kQuantBlock(_ σ: Double, levels: Int, _ random: inout TinyRandom, into out: inout [UInt8]) {
        let scales = (0..<8).map { _ in random.integer(in: 16...63) }
        let largest = Double(scales.max()!)
        let meanSquare = scales.reduce(0.0) { $0 + Double($1 * $1) } / 8
        let qSpread = (Double(levels * levels - 1) / 12).squareRoot()
        let qMean = Double(levels - 1) / 2
        let d = σ / (qSpread * meanSquare.squareRoot())
        // dmin sized so that the largest scale's sub-block needs the largest min, 63.
        let dmin = d * qMean * largest / 63
        let mins = scales.map { Int((63 * Double($0) / largest).rounded()) }
        appendHalf(&out, d)
        appendHalf(&out, dmin)
        out += packScalesAndMins(scales, mins)
    }

    /// ggml's 12-byte layout (the inverse of `get_scale_min_k4`): sub-blocks 0–3 keep scale and
    /// min in the low 6 bits of bytes 0–3 and 4–7; sub-blocks 4–7 keep their low 4 bits in the
    /// nibbles of bytes 8–11 and their top 2 bits in the top bits of bytes 0–7.
    static func packScalesAndMins(_ scales: [Int], _ mins: [Int]) -> [UInt8] {
        var packed = [UInt8](repeating: 0, count: 12)
        for j in 0..<4 {
            let (sc, m, scHigh, mHigh) = (UInt8(scales[j]), UInt8(mins[j]), UInt8(scales[j + 4]), UInt8(mins[j + 4]))
            packed[j] = sc | (scHigh >> 4) << 6
            packed[j + 4] = m | (mHigh >> 4) << 6
            packed[j + 8] = (scHigh & 0x0F) | (mHigh & 0x0F) << 4
        }
        return packed
    }

    /// Q6_K: 128 bytes of low nibbles, 64 of high bit pairs, 16 int8 scales, f16 d at the end;
    /// x = d·scale·(q − 32). The scales take random signs (so blocks are centred) and stay
    /// small enough that d is a normal f16 even for the smallest σ used.
    private static func q6KBlock(_ σ: Double, _ random: inout TinyRandom, into out: inout [UInt8]) {
        let scales = (0..<16).map { _ in Int(random.sign()) * random.integer(in: 8...40) }
        let meanSquare = scales.reduce(0.0) { $0 + Double($1 * $1) } / 16
        out += random.bytes(128 + 64)
        for scale in scales { out.append(UInt8(bitPattern: Int8(scale))) }
        appendHalf(&out, σ / (q6Spread * meanSquare.squareRoot()))
    }

    /// Root mean square of the IQ4_NL table (its values are not centred; scales take signs).
    private static let iq4Spread = (ReferenceDequantize.iq4Values.reduce(0.0) { $0 + Double($1) * Double($1) } / 16).squareRoot()

    /// Signed scales of magnitude 8…31 and their root mean square.
    private static func signedScales(_ count: Int, _ random: inout TinyRandom) -> (scales: [Int], rms: Double) {
        let scales = (0..<count).map { _ in Int(random.sign()) * random.integer(in: 8...31) }
        return (scales, (scales.reduce(0.0) { $0 + Double($1 * $1) } / Double(count)).squareRoot())
    }

    /// Q2_K: 16 bytes of 4-bit scale (low) and min (high) per 16 weights, 64 bytes of 2-bit
    /// quants, f16 d, f16 dmin; x = d·scale·q − dmin·min, each min centring its sub-block.
    private static func q2KBlock(_ σ: Double, _ random: inout TinyRandom, into out: inout [UInt8]) {
        let scales = (0..<16).map { _ in random.integer(in: 4...15) }
        let largest = Double(scales.max()!)
        let rms = (scales.reduce(0.0) { $0 + Double($1 * $1) } / 16).squareRoot()
        let d = σ / ((15.0 / 12).squareRoot() * rms)
        for scale in scales { out.append(UInt8(scale) | UInt8((15 * Double(scale) / largest).rounded()) << 4) }
        out += random.bytes(64)
        appendHalf(&out, d)
        appendHalf(&out, d * 1.5 * largest / 15)
    }

    /// Q3_K: 32 bytes of high bits, 64 of low bit pairs, sixteen 6-bit scales (offset 32) in 12
    /// bytes, f16 d; x = d·scale·q with q on −4…3 and signed scales.
    private static func q3KBlock(_ σ: Double, _ random: inout TinyRandom, into out: inout [UInt8]) {
        let (scales, rms) = signedScales(16, &random)
        out += random.bytes(32 + 64)
        var packed = [UInt8](repeating: 0, count: 12)
        for (j, scale) in scales.enumerated() {
            let stored = UInt8(scale + 32)
            packed[j % 8] |= (stored & 0x0F) << (j < 8 ? 0 : 4)
            packed[8 + j % 4] |= (stored >> 4) << UInt8(2 * (j / 4))
        }
        out += packed
        appendHalf(&out, σ / ((63.0 / 12 + 0.25).squareRoot() * rms))
    }

    /// IQ4_XS: f16 d, the 6-bit scales (offset 32) of eight 32-weight groups split into a
    /// 16-bit word of high pairs and 4 bytes of low nibbles, 128 bytes of table indices.
    private static func iq4XSBlock(_ σ: Double, _ random: inout TinyRandom, into out: inout [UInt8]) {
        let (scales, rms) = signedScales(8, &random)
        appendHalf(&out, σ / (iq4Spread * rms))
        var high: UInt16 = 0
        var low = [UInt8](repeating: 0, count: 4)
        for (g, scale) in scales.enumerated() {
            let stored = UInt8(scale + 32)
            low[g / 2] |= (stored & 0x0F) << UInt8(4 * (g % 2))
            high |= UInt16(stored >> 4) << UInt16(2 * g)
        }
        out += [UInt8(high & 0xFF), UInt8(high >> 8)] + low
        out += random.bytes(128)
    }

    // MARK: Encoding

    private static func append(_ out: inout [UInt8], _ value: UInt16) {
        out.append(UInt8(value & 0xFF))
        out.append(UInt8(value >> 8))
    }

    private static func appendHalf(_ out: inout [UInt8], _ value: Double) {
        append(&out, Float16(Float(value)).bitPattern)
    }

    private static func appendFloat(_ out: inout [UInt8], _ value: Float) {
        let bits = value.bitPattern
        for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8(truncatingIfNeeded: bits >> UInt32(shift))) }
    }

    /// bfloat16 is a Float's top half; rounded to nearest, ties to even (values here are finite).
    static func bfloat16(_ value: Float) -> UInt16 {
        let bits = value.bitPattern
        return UInt16(truncatingIfNeeded: (bits &+ 0x7FFF &+ ((bits >> 16) & 1)) >> 16)
    }
}
