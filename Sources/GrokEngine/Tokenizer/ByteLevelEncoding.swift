/// GPT-2's byte-level alphabet: every byte stands for one printable Unicode character, so that
/// a vocabulary of strings covers arbitrary bytes. Printable Latin-1 bytes stand for themselves;
/// the others (controls, space, DEL, NBSP, soft hyphen …) for U+0100 onwards, in byte order.
enum ByteLevelEncoding {
    /// The character each byte stands for.
    static let scalarOfByte: [UInt32] = {
        var table = [UInt32](repeating: 0, count: 256)
        var next: UInt32 = 256
        for byte in 0..<256 {
            if isPrintable(byte) {
                table[byte] = UInt32(byte)
            } else {
                table[byte] = next
                next += 1
            }
        }
        return table
    }()

    /// The UTF-8 bytes of the character each byte stands for (one or two bytes).
    static let utf8OfByte: [[UInt8]] = scalarOfByte.map { Array(String(Unicode.Scalar($0)!).utf8) }

    /// The byte a character stands for, indexed by scalar value (-1: none).
    static let byteOfScalar: [Int16] = {
        var table = [Int16](repeating: -1, count: 512)
        for (byte, scalar) in scalarOfByte.enumerated() { table[Int(scalar)] = Int16(byte) }
        return table
    }()

    /// The bytes a byte-level token text stands for. A character outside the alphabet (which a
    /// well-formed vocabulary never has) is kept as its own UTF-8 rather than dropped.
    static func decode(_ text: String, into output: inout [UInt8]) {
        for scalar in text.unicodeScalars {
            let value = Int(scalar.value)
            if value < byteOfScalar.count, byteOfScalar[value] >= 0 {
                output.append(UInt8(byteOfScalar[value]))
            } else {
                output.append(contentsOf: String(scalar).utf8)
            }
        }
    }

    private static func isPrintable(_ byte: Int) -> Bool {
        (0x21...0x7E).contains(byte) || (0xA1...0xAC).contains(byte) || (0xAE...0xFF).contains(byte)
    }
}
