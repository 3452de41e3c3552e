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

/// A slot that a container fills: a finished value, or an object/array still being filled.
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
            for (key, box) in object.members { members[key] = box.resolve() }
            return .object(members)
        case .array(let array): return .array(array.elements.map { $0.resolve() })
        }
    }
}

final class ObjectBox {
    var members: OrderedDictionary<String, EncodingBox> = [:]

    func slot(_ key: String) -> EncodingBox {
        if let existing = members[key] { return existing }
        let made = EncodingBox()
        members[key] = made
        return made
    }
}

final class ArrayBox {
    var elements: [EncodingBox] = []

    func append() -> EncodingBox {
        let made = EncodingBox()
        elements.append(made)
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
private func boxed<T: Encodable>(_ value: T, into box: EncodingBox, path: [any CodingKey]) throws {
    switch value {
    case let json as JSONValue: box.store(json)
    case let text as String: box.store(.string(text))
    case let flag as Bool: box.store(.bool(flag))
    case let number as Int: box.store(.int(Int64(number)))
    case let number as Int64: box.store(.int(number))
    case let number as Int32: box.store(.int(Int64(number)))
    case let number as UInt32: box.store(.int(Int64(number)))
    case let number as UInt64:
        guard let exact = Int64(exactly: number) else {
            throw EncodingError.invalidValue(number, .init(codingPath: path, debugDescription: "integer too large for JSON"))
        }
        box.store(.int(exact))
    case let number as Double: box.store(.double(number))
    case let number as Float: box.store(.double(Double(number)))
    default: try value.encode(to: ValueEncoder(box: box, codingPath: path))
    }
}

private struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let object: ObjectBox
    let codingPath: [any CodingKey]

    mutating func encodeNil(forKey key: Key) throws { object.slot(key.stringValue).store(.null) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try boxed(value, into: object.slot(key.stringValue), path: codingPath + [key])
    }

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

    mutating func encodeNil() throws { array.append().store(.null) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        try boxed(value, into: array.append(), path: codingPath + [AnyKey(intValue: count)!])
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type)
        -> KeyedEncodingContainer<NestedKey>
    {
        KeyedEncodingContainer(KeyedContainer<NestedKey>(object: array.append().objectBox(), codingPath: codingPath))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        UnkeyedContainer(array: array.append().arrayBox(), codingPath: codingPath)
    }

    mutating func superEncoder() -> any Encoder { ValueEncoder(box: array.append(), codingPath: codingPath) }
}

private struct SingleContainer: SingleValueEncodingContainer {
    let box: EncodingBox
    let codingPath: [any CodingKey]

    mutating func encodeNil() throws { box.store(.null) }
    mutating func encode<T: Encodable>(_ value: T) throws { try boxed(value, into: box, path: codingPath) }
}
