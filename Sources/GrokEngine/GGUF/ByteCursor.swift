/// Reads little-endian values from a byte range, checking every read against its end.
///
/// Lengths and counts come from the file, so every size is checked with overflow-safe
/// arithmetic before anything is read or allocated.
struct ByteCursor {
    let base: UnsafeRawPointer
    let end: Int
    private(set) var position: Int

    init(base: UnsafeRawPointer, count: Int, position: Int = 0) {
        self.base = base
        self.end = count
        self.position = position
    }

    mutating func skip(_ count: Int, _ what: @autoclosure () -> String) throws(GGUFError) {
        guard count >= 0, count <= end - position else {
            throw GGUFError("\(what()) at byte \(position) runs past the end of the file (\(end) bytes)")
        }
        position += count
    }

    mutating func read<T: FixedWidthInteger>(_ type: T.Type, _ what: @autoclosure () -> String) throws(GGUFError) -> T {
        let start = position
        try skip(MemoryLayout<T>.size, what())
        return T(littleEndian: base.loadUnaligned(fromByteOffset: start, as: T.self))
    }

    mutating func readFloat(_ what: @autoclosure () -> String) throws(GGUFError) -> Float {
        Float(bitPattern: try read(UInt32.self, what()))
    }

    mutating func readDouble(_ what: @autoclosure () -> String) throws(GGUFError) -> Double {
        Double(bitPattern: try read(UInt64.self, what()))
    }

    /// A GGUF string: u64 length, then that many bytes (not NUL-terminated).
    mutating func readString(_ what: @autoclosure () -> String, limit: Int) throws(GGUFError) -> String {
        let length = try read(UInt64.self, "length of \(what())")
        guard length <= UInt64(limit) else {
            throw GGUFError("\(what()) claims \(length) bytes, more than the \(limit) allowed")
        }
        let start = position
        try skip(Int(length), what())
        return String(decoding: UnsafeRawBufferPointer(start: base + start, count: Int(length)), as: UTF8.self)
    }
}
