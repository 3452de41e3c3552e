import OrderedCollections

/// Encodes Encodable types into a `JSONValue` tree, fields in declaration order.
///
/// `nil` optionals are left out rather than written as `null`, as Swift's synthesised
/// `encodeIfPresent` asks.
public struct JSONValueEncoder: Sendable {
    public init() {}

    public func encode<T: Encodable>(_ value: T) throws -> JSONValue {
        if let json = value as? JSONValue { return json }
        let box = EncodingBox()
        try value.encode(to: ValueEncoder(box: box, codingPath: []))
        return box.resolve()
    }
}

/// A value that a container fills: a finished value, or an object/array still being filled.
final class EncodingBox {
    enum Content {
        case empty
        case value(JSONValue)
        case object(ObjectBox)
        case array(ArrayBox)
    }

    var content: Content = .empty

    func store(_ value: JSONValue) { content = .value(value) }

    func objectBox() -> ObjectBox {
        if case .object(let existing) = content { return existing }
        let made = ObjectBox()
        content = .object(made)
        return made
    }

    func arrayBox() -> ArrayBox {
        if case .array(let existing) = content { return existing }
        let made = ArrayBox()
        content = .array(made)
        return made
    }

    func resolve() -> JSONValue {
        switch content {
        case .empty: return .object([:])
        case .value(let value): return value
        case .object(let object):
            var members = JSONObject(minimumCapacity: object.members.count)
            for (key, slot) in object.members { members[key] = slot.resolve() }
            return .object(members)
        case .array(let array): return .array(array.elements.map { $0.resolve() })
        }
    }
}

/// A member or element: scalars are stored directly, so encoding them allocates no box.
enum EncodingSlot {
    case value(JSONValue)
    case box(EncodingBox)

    func resolve() -> JSONValue {
        switch self {
        case .value(let value): return value
        case .box(let box): return box.resolve()
        }
    }
}

final class ObjectBox {
    var members: OrderedDictionary<String, EncodingSlot> = [:]

    func store(_ value: JSONValue, at key: String) { members[key] = .value(value) }

    func slot(_ key: String) -> EncodingBox {
        if case .box(let existing)? = members[key] { return existing }
        let made = EncodingBox()
        members[key] = .box(made)
        return made
    }
}

final class ArrayBox {
    var elements: [EncodingSlot] = []

    func append(_ value: JSONValue) { elements.append(.value(value)) }

    func appendBox() -> EncodingBox {
        let made = EncodingBox()
        elements.append(.box(made))
        return made
    }
}

struct ValueEncoder: Encoder {
    let box: EncodingBox
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(KeyedContainer<Key>(object: box.objectBox(), codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        UnkeyedContainer(array: box.arrayBox(), codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleContainer(box: box, codingPath: codingPath)
    }
}

/// Turns a Swift value into a JSON value, using the direct form for the scalar types.
private func boxed<T: Encodable>(_ value: T, into box: EncodingBox, path: @autoclosure () -> [any CodingKey]) throws {
    switch value {
    case let json as JSONValue: box.store(json)
    case let text as String: box.store(.string(text))
    case let flag as Bool: box.store(.bool(flag))
    case let number as Int: box.store(.int(Int64(number)))
    case let number as any FixedWidthInteger:
        guard let exact = Int64(exactly: number) else {
            throw EncodingError.invalidValue(number, .init(codingPath: path(), debugDescription: "integer too large for JSON"))
        }
        box.store(.int(exact))
    case let number as Double: box.store(.double(number))
    case let number as Float: box.store(.double(Double(number)))
    default: try value.encode(to: ValueEncoder(box: box, codingPath: path()))
    }
}

private struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let object: ObjectBox
    let codingPath: [any CodingKey]

    mutating func encodeNil(forKey key: Key) throws { object.store(.null, at: key.stringValue) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try boxed(value, into: object.slot(key.stringValue), path: codingPath + [key])
    }

    // Direct forms for the common scalars, which synthesised Codable calls without generics.
    mutating func encode(_ value: String, forKey key: Key) throws { object.store(.string(value), at: key.stringValue) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { object.store(.bool(value), at: key.stringValue) }
    mutating func encode(_ value: Int, forKey key: Key) throws { object.store(.int(Int64(value)), at: key.stringValue) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { object.store(.int(value), at: key.stringValue) }
    mutating func encode(_ value: Double, forKey key: Key) throws { object.store(.double(value), at: key.stringValue) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
        -> KeyedEncodingContainer<NestedKey>
    {
        KeyedEncodingContainer(
            KeyedContainer<NestedKey>(object: object.slot(key.stringValue).objectBox(), codingPath: codingPath + [key]))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        UnkeyedContainer(array: object.slot(key.stringValue).arrayBox(), codingPath: codingPath + [key])
    }

    mutating func superEncoder() -> any Encoder {
        ValueEncoder(box: object.slot("super"), codingPath: codingPath)
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        ValueEncoder(box: object.slot(key.stringValue), codingPath: codingPath + [key])
    }
}

private struct UnkeyedContainer: UnkeyedEncodingContainer {
    let array: ArrayBox
    let codingPath: [any CodingKey]
    var count: Int { array.elements.count }

    mutating func encodeNil() throws { array.append(.null) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        try boxed(value, into: array.appendBox(), path: codingPath + [AnyKey(intValue: count)!])
    }

    mutating func encode(_ value: String) throws { array.append(.string(value)) }
    mutating func encode(_ value: Int) throws { array.append(.int(Int64(value))) }
    mutating func encode(_ value: Double) throws { array.append(.double(value)) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type)
        -> KeyedEncodingContainer<NestedKey>
    {
        KeyedEncodingContainer(KeyedContainer<NestedKey>(object: array.appendBox().objectBox(), codingPath: codingPath))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        UnkeyedContainer(array: array.appendBox().arrayBox(), codingPath: codingPath)
    }

    mutating func superEncoder() -> any Encoder { ValueEncoder(box: array.appendBox(), codingPath: codingPath) }
}

private struct SingleContainer: SingleValueEncodingContainer {
    let box: EncodingBox
    let codingPath: [any CodingKey]

    mutating func encodeNil() throws { box.store(.null) }
    mutating func encode<T: Encodable>(_ value: T) throws { try boxed(value, into: box, path: codingPath) }
}
