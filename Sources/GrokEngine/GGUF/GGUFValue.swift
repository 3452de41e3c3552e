/// One metadata value of a GGUF file.
public enum GGUFValue: Sendable, Equatable {
    case uint(UInt64)
    case int(Int64)
    case float(Double)
    case bool(Bool)
    case string(String)
    case array([GGUFValue])

    public var intValue: Int? {
        switch self {
        case .uint(let value): return Int(exactly: value)
        case .int(let value): return Int(exactly: value)
        default: return nil
        }
    }

    public var doubleValue: Double? {
        switch self {
        case .float(let value): return value
        case .uint(let value): return Double(value)
        case .int(let value): return Double(value)
        default: return nil
        }
    }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    public var arrayValue: [GGUFValue]? {
        if case .array(let value) = self { return value }
        return nil
    }
}

/// Where a tensor's data lies in the mapped file, and what it holds.
public struct GGUFTensor: Sendable {
    public let name: String
    /// Dimensions, innermost (row length) first, as ggml orders them.
    public let dimensions: [Int]
    public let type: GGMLType
    /// Offset from the start of the data section.
    public let offset: Int
    public let byteCount: Int

    public var elementCount: Int { dimensions.reduce(1, *) }
    /// Elements per row (the innermost dimension).
    public var rowLength: Int { dimensions.first ?? 0 }
    public var rowCount: Int { dimensions.dropFirst().reduce(1, *) }
}
