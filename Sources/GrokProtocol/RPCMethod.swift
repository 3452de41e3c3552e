import GrokJSON

/// A method of grok's wire protocol: its name and the types of its params and result.
///
/// The daemon registers a handler per method type and clients call through the same type, so
/// both ends agree on the shapes at compile time.
public protocol RPCMethod: Sendable {
    associatedtype Params: Codable & Sendable
    associatedtype Result: Codable & Sendable
    static var name: String { get }
}

/// Params of a method that takes none (any object, or no params at all, is accepted).
public struct NoParams: Codable, Sendable, Equatable {
    public init() {}
}

/// The name of the streaming notification and the kinds it carries (DESIGN.md §3).
public enum Progress {
    public static let method = "$/progress"

    public enum Kind: String, Codable, Sendable {
        case queued, prefill, delta, toolCall, toolResult, retrieval
        /// Periodic progress of long work without tokens (daemon.sleep, later indexing).
        case tick
    }
}

/// Whether a request asked to stream: the `stream` field shared by every streaming method.
public protocol StreamableParams {
    var stream: Bool? { get }
}
