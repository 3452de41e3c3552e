/// Turns token bytes into text as they come, holding back an incomplete UTF-8 character
/// until its last byte arrives (byte-fallback tokens split characters across tokens).
public struct StreamingDecoder: Sendable {
    private var pending: [UInt8] = []

    public init() {}

    /// Adds bytes; returns the text that is complete so far.
    public mutating func append(_ bytes: [UInt8]) -> String {
        pending += bytes
        let complete = pending.count - Self.incompleteTail(pending)
        guard complete > 0 else { return "" }
        let text = String(decoding: pending[..<complete], as: UTF8.self)
        pending.removeFirst(complete)
        return text
    }

    /// Whatever is left (repaired if it is not valid UTF-8).
    public mutating func finish() -> String {
        defer { pending = [] }
        return String(decoding: pending, as: UTF8.self)
    }

    /// How many bytes at the end start a character that is not finished yet.
    static func incompleteTail(_ bytes: [UInt8]) -> Int {
        guard !bytes.isEmpty else { return 0 }
        for back in 1...min(3, bytes.count) {
            let byte = bytes[bytes.count - back]
            if byte & 0xC0 == 0x80 { continue }  // continuation byte: keep looking for the lead
            let needed = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1
            return needed > back ? back : 0
        }
        return 0
    }
}
