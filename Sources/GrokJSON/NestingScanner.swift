/// Measures how deep arrays and objects nest, without parsing.
///
/// jansson's own depth cap is fixed at build time (2048) and its parser recurses; scanning
/// first lets grok refuse deep documents with its own, configurable limit before any parsing
/// work, in one linear pass that allocates nothing.
enum NestingScanner {
    /// Returns true when no array or object in `bytes` nests deeper than `limit`.
    static func fits(_ bytes: UnsafeRawBufferPointer, limit: Int) -> Bool {
        var depth = 0
        var inString = false
        var escaped = false
        for byte in bytes {
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                if depth > limit { return false }
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                depth -= 1
            default:
                break
            }
        }
        return true
    }
}
