/// Reads and writes JSON through jansson, between bytes and typed Codable values.
///
/// This is grok's one JSON entry point: the wire, the plugin ABI and the config file all go
/// through it, so limits and strictness are the same everywhere.
public enum JSONCodec {
    /// The nesting limit when the caller names none (DESIGN.md §3).
    public static let defaultMaxDepth = 64

    /// Parses a JSON text into a `JSONValue`.
    public static func parse(_ bytes: some JSONBytes, maxDepth: Int = defaultMaxDepth) throws(JSONCodecError) -> JSONValue {
        let result: Result<JSONValue, JSONCodecError> = bytes.withUnsafeBytes { raw in
            Result { () throws(JSONCodecError) in try Jansson.parse(raw, maxDepth: maxDepth) }
        }
        return try result.get()
    }

    /// Parses a JSON text straight into a Decodable type.
    public static func decode<T: Decodable>(
        _ type: T.Type, from bytes: some JSONBytes, maxDepth: Int = defaultMaxDepth
    ) throws -> T {
        try JSONValueDecoder().decode(type, from: parse(bytes, maxDepth: maxDepth))
    }

    /// Parses JSON text held in a String.
    public static func parse(string: String, maxDepth: Int = defaultMaxDepth) throws(JSONCodecError) -> JSONValue {
        try parse(Array(string.utf8), maxDepth: maxDepth)
    }

    /// Prints a value as compact JSON bytes (no newline).
    public static func encode(_ value: JSONValue) throws(JSONCodecError) -> [UInt8] {
        try Jansson.print(value)
    }

    /// Encodes an Encodable value as compact JSON bytes (no newline).
    public static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        try Jansson.print(JSONValueEncoder().encode(value))
    }

    /// Prints a value indented by two spaces, for people to read.
    public static func encodePretty(_ value: JSONValue) throws(JSONCodecError) -> String {
        String(decoding: try Jansson.print(value, pretty: true), as: UTF8.self)
    }

    /// Prints a value as a compact JSON string.
    public static func encodeToString(_ value: JSONValue) throws(JSONCodecError) -> String {
        String(decoding: try Jansson.print(value), as: UTF8.self)
    }
}

/// Byte containers the codec can read without copying.
public protocol JSONBytes {
    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R
}

extension Array: JSONBytes where Element == UInt8 {}
extension ArraySlice: JSONBytes where Element == UInt8 {}
extension UnsafeRawBufferPointer: JSONBytes {
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R { try body(self) }
}
