import GrokEngine

/// SplitMix64: a tiny seeded generator whose stream is the same on every machine and run, so
/// a seed names one model file byte for byte.
///
/// Every derived value below is integer arithmetic or a single correctly rounded IEEE operation
/// (no `log`, `sin` …, whose last bits differ between C libraries).
struct TinyRandom {
    private var source: SplitMix64

    init(seed: UInt64) { source = SplitMix64(seed: seed) }

    mutating func next() -> UInt64 { source.next() }

    /// Uniform in [0, 1), 53 bits.
    mutating func unit() -> Double { source.nextUnit() }

    /// Uniform with mean 0 and standard deviation 1 (on ±√3).
    mutating func noise() -> Double { (2 * unit() - 1) * 3.0.squareRoot() }

    /// Uniform in `range`.
    mutating func integer(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.count))
    }

    mutating func byte() -> UInt8 { UInt8(truncatingIfNeeded: next() >> 56) }

    mutating func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in byte() } }

    /// +1 or −1 with equal odds.
    mutating func sign() -> Double { next() >> 63 == 0 ? 1 : -1 }

    /// A generator for one named stream: each tensor gets its own, so adding or resizing one
    /// tensor leaves the others' values alone.
    static func stream(seed: UInt64, name: String) -> TinyRandom {
        // FNV-1a of the name, mixed with the seed.
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in name.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        var mixer = TinyRandom(seed: seed ^ hash)
        return TinyRandom(seed: mixer.next())
    }
}
