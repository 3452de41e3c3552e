import GrokJSON
import GrokProtocol
import Logging

/// What a method handler knows about the request it serves, and how it streams progress.
public struct RequestContext: Sendable {
    /// The request id; nil when the call was a notification (nothing will be answered).
    public let id: RPCID?
    public let method: String
    /// The connected client, as the kernel reported it.
    public let peer: PeerCredentials
    public let connectionID: UInt64
    /// A logger carrying this request's id in its metadata.
    public let logger: Logger
    let sendNotification: @Sendable (JSONValue) async throws -> Void

    public init(
        id: RPCID?, method: String, peer: PeerCredentials, connectionID: UInt64, logger: Logger,
        sendNotification: @escaping @Sendable (JSONValue) async throws -> Void
    ) {
        self.id = id
        self.method = method
        self.peer = peer
        self.connectionID = connectionID
        self.logger = logger
        self.sendNotification = sendNotification
    }

    /// Sends one `$/progress` notification `{id, kind, ...payload}` to the client.
    ///
    /// Throws `CancellationError` when the client can no longer be reached, so a handler that
    /// streams stops working for a client that went away.
    public func progress(_ kind: Progress.Kind, _ payload: some Encodable) async throws {
        guard let id else { return }
        try Task.checkCancellation()  // a cancelled request streams nothing more
        var params: JSONObject = ["id": id.json, "kind": .string(kind.rawValue)]
        if case .object(let fields) = try JSONValueEncoder().encode(payload) {
            params.merge(fields) { own, _ in own }
        }
        let message = RPCMessage.notification(method: Progress.method, params: .object(params))
        do {
            try await sendNotification(message.json)
        } catch {
            throw CancellationError()
        }
    }
}
