/// Decodes Decodable types from a `JSONValue` tree.
///
/// Errors are `DecodingError`s whose coding path names the offending field, which the RPC
/// layer turns into `data.field` of an invalid-params error.
public struct JSONValueDecoder: Sendable {
    public init() {}

    public func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        try T(from: ValueDecoder(value: value, codingPath: []))
    }
}

struct ValueDecoder: Decoder {
    let value: JSONValue
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let object) = value else {
            throw mismatch(JSONObject.self, "an object", value, codingPath)
        }
        return KeyedDecodingContainer(KeyedContainer<Key>(object: object, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let array) = value else {
            throw mismatch([JSONValue].self, "an array", value, codingPath)
        }
        return UnkeyedContainer(array: array, codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        SingleContainer(value: value, codingPath: codingPath)
    }
}

// Coding paths are built only when an error needs one or a nested value is decoded: on the
// hot path (scalar fields) no path array is ever allocated.

private func mismatch(
    _ type: Any.Type, _ expected: String, _ value: JSONValue, _ path: @autoclosure () -> [any CodingKey]
) -> DecodingError {
    DecodingError.typeMismatch(
        type, .init(codingPath: path(), debugDescription: "expected \(expected), got \(value.typeName)"))
}

private func unboxString(_ value: JSONValue, path: @autoclosure () -> [any CodingKey]) throws -> String {
    guard case .string(let text) = value else { throw mismatch(String.self, "a string", value, path()) }
    return text
}

private func unboxBool(_ value: JSONValue, path: @autoclosure () -> [any CodingKey]) throws -> Bool {
    guard case .bool(let flag) = value else { throw mismatch(Bool.self, "a boolean", value, path()) }
    return flag
}

private func unboxDouble(_ value: JSONValue, path: @autoclosure () -> [any CodingKey]) throws -> Double {
    guard let number = value.doubleValue else { throw mismatch(Double.self, "a number", value, path()) }
    return number
}

/// Converts a JSON scalar to the requested Swift type, or throws a precise mismatch.
private func unbox<T: Decodable>(_ value: JSONValue, as type: T.Type, path: @autoclosure () -> [any CodingKey]) throws -> T {
    switch type {
    case is JSONValue.Type: return value as! T
    case is Bool.Type: return try unboxBool(value, path: path()) as! T
    case is String.Type: return try unboxString(value, path: path()) as! T
    case is Double.Type: return try unboxDouble(value, path: path()) as! T
    case is Float.Type: return Float(try unboxDouble(value, path: path())) as! T
    case let integer as any FixedWidthInteger.Type: return try unboxInteger(value, as: integer, path: path()) as! T
    default: return try T(from: ValueDecoder(value: value, codingPath: path()))
    }
}

private func unboxInteger<T: FixedWidthInteger>(
    _ value: JSONValue, as type: T.Type, path: @autoclosure () -> [any CodingKey]
) throws -> T {
    guard let wide = value.intValue else { throw mismatch(type, "an integer", value, path()) }
    guard let exact = T(exactly: wide) else {
        throw DecodingError.dataCorrupted(.init(codingPath: path(), debugDescription: "\(wide) does not fit in \(T.self)"))
    }
    return exact
}

private struct KeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let object: JSONObject
    let codingPath: [any CodingKey]

    var allKeys: [Key] { object.keys.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { object[key.stringValue] != nil }

    private func member(_ key: Key) throws -> JSONValue {
        guard let member = object[key.stringValue] else {
            throw DecodingError.keyNotFound(
                key, .init(codingPath: codingPath + [key], debugDescription: "missing required field"))
        }
        return member
    }

    func decodeNil(forKey key: Key) throws -> Bool { try member(key) == .null }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try unbox(try member(key), as: type, path: codingPath + [key])
    }

    func decode(_ type: String.Type, forKey key: Key) throws -> String {
        try unboxString(try member(key), path: codingPath + [key])
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool {
        try unboxBool(try member(key), path: codingPath + [key])
    }

    func decode(_ type: Double.Type, forKey key: Key) throws -> Double {
        try unboxDouble(try member(key), path: codingPath + [key])
    }

    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try int(key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try int(key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try int(key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try int(key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try int(key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try int(key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try int(key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try int(key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try int(key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try int(key) }

    private func int<T: FixedWidthInteger>(_ key: Key) throws -> T {
        try unboxInteger(try member(key), as: T.self, path: codingPath + [key])
    }

    // A present `null` counts as absent for optionals, as JSON-RPC clients expect.
    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let member = object[key.stringValue], member != .null else { return nil }
        return try unbox(member, as: type, path: codingPath + [key])
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        try ValueDecoder(value: try member(key), codingPath: codingPath + [key]).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try ValueDecoder(value: try member(key), codingPath: codingPath + [key]).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        ValueDecoder(value: object["super"] ?? .null, codingPath: codingPath)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        ValueDecoder(value: object[key.stringValue] ?? .null, codingPath: codingPath + [key])
    }
}

private struct IndexKey: CodingKey {
    let intValue: Int?
    let stringValue: String
    init(_ index: Int) { intValue = index; stringValue = String(index) }
    init?(stringValue: String) { return nil }
    init?(intValue: Int) { self.init(intValue) }
}

private struct UnkeyedContainer: UnkeyedDecodingContainer {
    let array: [JSONValue]
    let codingPath: [any CodingKey]
    var currentIndex = 0

    init(array: [JSONValue], codingPath: [any CodingKey]) {
        self.array = array
        self.codingPath = codingPath
    }

    var count: Int? { array.count }
    var isAtEnd: Bool { currentIndex >= array.count }

    private func path(_ index: Int) -> [any CodingKey] { codingPath + [IndexKey(index)] }

    /// The next element and its index.
    private mutating func next() throws -> (JSONValue, Int) {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(
                JSONValue.self, .init(codingPath: path(currentIndex), debugDescription: "array has too few elements"))
        }
        defer { currentIndex += 1 }
        return (array[currentIndex], currentIndex)
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, array[currentIndex] == .null else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let (element, index) = try next()
        return try unbox(element, as: type, path: path(index))
    }

    mutating func decode(_ type: String.Type) throws -> String {
        let (element, index) = try next()
        return try unboxString(element, path: path(index))
    }

    mutating func decode(_ type: Double.Type) throws -> Double {
        let (element, index) = try next()
        return try unboxDouble(element, path: path(index))
    }

    mutating func decode(_ type: Int.Type) throws -> Int { try int() }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try int() }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try int() }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try int() }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try int() }

    private mutating func int<T: FixedWidthInteger>() throws -> T {
        let (element, index) = try next()
        return try unboxInteger(element, as: T.self, path: path(index))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        let (element, index) = try next()
        return try ValueDecoder(value: element, codingPath: path(index)).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let (element, index) = try next()
        return try ValueDecoder(value: element, codingPath: path(index)).unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder {
        let (element, index) = try next()
        return ValueDecoder(value: element, codingPath: path(index))
    }
}

private struct SingleContainer: SingleValueDecodingContainer {
    let value: JSONValue
    let codingPath: [any CodingKey]

    func decodeNil() -> Bool { value == .null }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try unbox(value, as: type, path: codingPath) }
    func decode(_ type: Bool.Type) throws -> Bool { try unboxBool(value, path: codingPath) }
    func decode(_ type: String.Type) throws -> String { try unboxString(value, path: codingPath) }
    func decode(_ type: Double.Type) throws -> Double { try unboxDouble(value, path: codingPath) }
    func decode(_ type: Float.Type) throws -> Float { Float(try unboxDouble(value, path: codingPath)) }
    func decode(_ type: Int.Type) throws -> Int { try integer() }
    func decode(_ type: Int8.Type) throws -> Int8 { try integer() }
    func decode(_ type: Int16.Type) throws -> Int16 { try integer() }
    func decode(_ type: Int32.Type) throws -> Int32 { try integer() }
    func decode(_ type: Int64.Type) throws -> Int64 { try integer() }
    func decode(_ type: UInt.Type) throws -> UInt { try integer() }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try integer() }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try integer() }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try integer() }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try integer() }

    private func integer<T: FixedWidthInteger>() throws -> T { try unboxInteger(value, as: T.self, path: codingPath) }
}
