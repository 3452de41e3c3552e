import GrokJSON

/// A JSON-RPC error object: what every failure on the wire becomes.
///
/// Build them with the factory functions, so the codes and the shape of `data` stay the same
/// everywhere (PROTOCOL.md lists them).
public struct RPCError: Error, Sendable, Hashable, Codable, CustomStringConvertible {
    public var code: Int
    public var message: String
    public var data: JSONValue?

    public init(code: Int, message: String, data: JSONValue? = nil) {
        self.code = code
        self.message = message
        self.data = data
    }

    public var description: String { "\(message) (\(code))" }
}

/// The numeric codes, JSON-RPC's own and grok's application range.
public enum RPCErrorCode {
    public static let parseError = -32700
    public static let invalidRequest = -32600
    public static let methodNotFound = -32601
    public static let invalidParams = -32602
    public static let internalError = -32603
    public static let cancelled = -32800

    public static let modelUnavailable = -32000
    public static let overloaded = -32001
    public static let contextTooLong = -32002
    public static let pluginFailure = -32003
    public static let permissionDenied = -32004
    public static let notFound = -32005
    public static let timeout = -32006
    public static let transferFailed = -32007
}

extension RPCError {
    public static func parseError(_ detail: String) -> RPCError {
        RPCError(code: RPCErrorCode.parseError, message: "Parse error: \(detail)")
    }

    public static func invalidRequest(_ detail: String, data: JSONValue? = nil) -> RPCError {
        RPCError(code: RPCErrorCode.invalidRequest, message: "Invalid request: \(detail)", data: data)
    }

    public static func lineTooLong(limit: Int) -> RPCError {
        invalidRequest("line longer than \(limit) bytes", data: ["limit": .int(Int64(limit))])
    }

    public static func tooDeep(limit: Int) -> RPCError {
        invalidRequest("nesting deeper than \(limit) levels", data: ["limit": .int(Int64(limit))])
    }

    public static func methodNotFound(_ method: String) -> RPCError {
        RPCError(code: RPCErrorCode.methodNotFound, message: "Method not found: \(method)", data: ["method": .string(method)])
    }

    /// Invalid params; `field` is the dotted path of the offending field when one is to blame.
    public static func invalidParams(_ detail: String, field: String? = nil) -> RPCError {
        RPCError(
            code: RPCErrorCode.invalidParams, message: "Invalid params: \(detail)",
            data: field.map { ["field": .string($0)] })
    }

    public static func internalError(_ detail: String) -> RPCError {
        RPCError(code: RPCErrorCode.internalError, message: "Internal error: \(detail)")
    }

    public static let cancelled = RPCError(code: RPCErrorCode.cancelled, message: "Request cancelled")

    public static func modelUnavailable(_ detail: String) -> RPCError {
        RPCError(code: RPCErrorCode.modelUnavailable, message: "Model unavailable: \(detail)")
    }

    public static func overloaded(_ detail: String, retryAfterMs: Int) -> RPCError {
        RPCError(
            code: RPCErrorCode.overloaded, message: "Overloaded: \(detail)",
            data: ["retryAfterMs": .int(Int64(retryAfterMs))])
    }

    public static func contextTooLong(promptTokens: Int, contextLength: Int) -> RPCError {
        RPCError(
            code: RPCErrorCode.contextTooLong,
            message: "Context too long: \(promptTokens) tokens do not fit in \(contextLength)",
            data: ["promptTokens": .int(Int64(promptTokens)), "contextLength": .int(Int64(contextLength))])
    }

    /// The KV cache a request needs exceeds the engine's whole cache budget.
    public static func cacheBudgetExceeded(neededBytes: Int, budgetBytes: Int) -> RPCError {
        RPCError(
            code: RPCErrorCode.contextTooLong,
            message: "Context too long: its KV cache needs \(neededBytes >> 20) MB, the engine's budget is \(budgetBytes >> 20) MB",
            data: ["neededBytes": .int(Int64(neededBytes)), "budgetBytes": .int(Int64(budgetBytes))])
    }

    public static func pluginFailure(plugin: String, _ detail: String) -> RPCError {
        RPCError(
            code: RPCErrorCode.pluginFailure, message: "Plugin failure: \(plugin): \(detail)",
            data: ["plugin": .string(plugin)])
    }

    public static func permissionDenied(_ detail: String) -> RPCError {
        RPCError(code: RPCErrorCode.permissionDenied, message: "Permission denied: \(detail)")
    }

    public static func notFound(_ what: String) -> RPCError {
        RPCError(code: RPCErrorCode.notFound, message: "Not found: \(what)")
    }

    public static func timeout(_ detail: String) -> RPCError {
        RPCError(code: RPCErrorCode.timeout, message: "Timeout: \(detail)")
    }

    /// A download (model.pull) failed: the network, the server, the disk or the checksum.
    public static func transferFailed(_ detail: String) -> RPCError {
        RPCError(code: RPCErrorCode.transferFailed, message: "Transfer failed: \(detail)")
    }
}
