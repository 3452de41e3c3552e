/// `$/cancelRequest {id}`: ends the named request of this connection with -32800.
public enum CancelRequest: RPCMethod {
    public static let name = "$/cancelRequest"

    public struct Params: Codable, Sendable {
        public var id: RPCID
        public init(id: RPCID) { self.id = id }
    }

    /// Only sent when the cancel was itself a request (it is normally a notification).
    public struct Result: Codable, Sendable {
        public var cancelled: Bool
    }
}

/// MCP's `notifications/cancelled {requestId, reason?}`, same effect as `$/cancelRequest`.
public enum CancelledNotification: RPCMethod {
    public static let name = "notifications/cancelled"

    public struct Params: Codable, Sendable {
        public var requestId: RPCID
        public var reason: String?
        public init(requestId: RPCID, reason: String? = nil) {
            self.requestId = requestId
            self.reason = reason
        }
    }

    public typealias Result = CancelRequest.Result
}
