import GrokJSON
import GrokProtocol

/// The dispatch table: method name → handler. Each capability registers its own methods.
public struct MethodTable: Sendable {
    /// A handler on raw JSON params, producing the raw JSON result.
    public typealias Handler = @Sendable (JSONValue?, RequestContext) async throws -> JSONValue

    private var handlers: [String: Handler] = [:]

    public init() {}

    /// Methods every connection answers itself, outside any table: cancellation.
    public static let connectionMethods = [CancelRequest.name, CancelledNotification.name]

    /// The registered method names, sorted.
    public var methodNames: [String] { handlers.keys.sorted() }

    public func handler(for method: String) -> Handler? { handlers[method] }

    /// Registers a typed handler; params are decoded (errors become -32602 naming the field)
    /// and the result encoded for it.
    public mutating func register<M: RPCMethod>(
        _ method: M.Type, _ body: @escaping @Sendable (M.Params, RequestContext) async throws -> M.Result
    ) {
        precondition(handlers[M.name] == nil, "method \(M.name) registered twice")
        handlers[M.name] = { params, context in
            let decoded = try ParamsDecoding.decode(M.Params.self, from: params)
            return try JSONValueEncoder().encode(try await body(decoded, context))
        }
    }
}

/// Turns wire params into a typed value, mapping every failure to an invalid-params error.
public enum ParamsDecoding {
    public static func decode<P: Decodable>(_ type: P.Type, from params: JSONValue?) throws(RPCError) -> P {
        let object: JSONValue
        switch params {
        case nil, .array([]): object = .object([:])
        case .array: throw .invalidParams("params must be an object with named fields")
        case let value?: object = value
        }
        do {
            return try JSONValueDecoder().decode(type, from: object)
        } catch let error as DecodingError {
            throw invalidParams(from: error)
        } catch {
            throw .invalidParams("\(error)")
        }
    }

    static func invalidParams(from error: DecodingError) -> RPCError {
        switch error {
        case .keyNotFound(let key, let context):
            let path = (context.codingPath.map(\.stringValue) + [key.stringValue]).removingDuplicateTail()
            return .invalidParams("missing required field \"\(path)\"", field: path)
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return .invalidParams("field \"\(path)\": \(context.debugDescription)", field: path.isEmpty ? nil : path)
        @unknown default:
            return .invalidParams("\(error)")
        }
    }
}

extension Array where Element == String {
    /// keyNotFound's path already ends with the key on some decoders; join without repeating it.
    fileprivate func removingDuplicateTail() -> String {
        var parts = self
        if parts.count >= 2, parts[parts.count - 1] == parts[parts.count - 2] { parts.removeLast() }
        return parts.joined(separator: ".")
    }
}
