/// A run of UTF-8 text decoded once into what the pre-tokenizers look at: its scalars, their
/// classes, and where each scalar starts in the bytes (so that words map back to byte ranges
/// without re-encoding anything).
struct ScalarText {
    private(set) var scalars: [UInt32] = []
    private(set) var classes: [ScalarClass] = []
    /// Byte offset of scalar `i` in the source; one more entry for the end.
    private(set) var byteOffsets: [Int] = []

    var count: Int { scalars.count }

    /// Decodes `bytes[range]`, which is valid UTF-8 (it comes from a Swift `String`, cut only
    /// at special tokens, which are whole characters).
    init(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) {
        scalars.reserveCapacity(range.count)
        classes.reserveCapacity(range.count)
        byteOffsets.reserveCapacity(range.count + 1)
        var index = range.lowerBound
        while index < range.upperBound {
            let lead = UInt32(bytes[index])
            var value: UInt32
            var length: Int
            switch lead {
            case 0..<0x80: value = lead; length = 1
            case 0xC0..<0xE0: value = lead & 0x1F; length = 2
            case 0xE0..<0xF0: value = lead & 0x0F; length = 3
            case 0xF0..<0xF8: value = lead & 0x07; length = 4
            default: value = 0xFFFD; length = 1  // not reachable for valid UTF-8
            }
            if length > 1 {
                if index + length > range.upperBound {
                    value = 0xFFFD
                    length = 1
                } else {
                    for offset in 1..<length { value = value << 6 | UInt32(bytes[index + offset] & 0x3F) }
                }
            }
            scalars.append(value)
            classes.append(ScalarClass.of(value))
            byteOffsets.append(index)
            index += length
        }
        byteOffsets.append(range.upperBound)
    }
}
