import GrokJSON

/// A JSON-RPC request id: a number, a string, or (discouraged, but legal) null.
public enum RPCID: Sendable, Hashable, CustomStringConvertible {
    case number(Int64)
    case string(String)
    case null

    /// Reads an id from the wire; nil when the value is not a legal id (object, array, bool, fraction).
    public init?(json: JSONValue) {
        switch json {
        case .int(let number): self = .number(number)
        case .double(let number):
            guard let whole = Int64(exactly: number) else { return nil }
            self = .number(whole)
        case .string(let text): self = .string(text)
        case .null: self = .null
        default: return nil
        }
    }

    public var json: JSONValue {
        switch self {
        case .number(let number): return .int(number)
        case .string(let text): return .string(text)
        case .null: return .null
        }
    }

    public var description: String {
        switch self {
        case .number(let number): return String(number)
        case .string(let text): return "\"\(text)\""
        case .null: return "null"
        }
    }
}

extension RPCID: Codable {
    public init(from decoder: any Decoder) throws {
        let json = try JSONValue(from: decoder)
        guard let id = RPCID(json: json) else {
            throw DecodingError.typeMismatch(
                RPCID.self, .init(codingPath: decoder.codingPath, debugDescription: "an id is a string or an integer"))
        }
        self = id
    }

    public func encode(to encoder: any Encoder) throws { try json.encode(to: encoder) }
}
