import GrokJSON
import GrokProtocol
import NIOCore
import NIOPosix
import Synchronization

/// A JSON-RPC client connection to a grok daemon over its Unix socket.
///
/// Calls may run concurrently; responses are matched by id and `$/progress` notifications go
/// to the progress handler of the call they name. Cancelling the Swift task of a call sends
/// `$/cancelRequest` for it.
public final class RPCClient: Sendable {
    public typealias ProgressHandler = @Sendable (JSONValue) -> Void

    private struct Pending {
        var continuation: CheckedContinuation<JSONValue, any Error>
        var progress: ProgressHandler?
        /// The request is on the wire; a cancel may follow it.
        var sent = false
        /// The caller's task was cancelled; the cancel goes out once the request has.
        var cancelRequested = false
    }

    private struct State {
        var nextID: Int64 = 0
        var pending: [RPCID: Pending] = [:]
        var closedError: (any Error)?
        /// The last error the daemon sent with id null; the reason if the connection then closes.
        var unattributedError: RPCError?
    }

    /// The connection is gone; pending and later calls fail with this.
    public struct ConnectionClosed: Error, CustomStringConvertible {
        public var description: String { "the daemon closed the connection" }
    }

    private let channel: NIOAsyncChannel<LineFrame, ByteBuffer>
    private let writer: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private let state = Mutex(State())

    private init(channel: NIOAsyncChannel<LineFrame, ByteBuffer>, writer: NIOAsyncChannelOutboundWriter<ByteBuffer>) {
        self.channel = channel
        self.writer = writer
    }

    /// Connects to the daemon at `path`.
    public static func connect(
        path: String, maxLineBytes: Int = 64 << 20, group: MultiThreadedEventLoopGroup = .singleton
    ) async throws -> RPCClient {
        let channel = try await ClientBootstrap(group: group).connect(unixDomainSocketPath: path) { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(
                    ByteToMessageHandler(LineFrameDecoder(maxLineBytes: maxLineBytes)))
                return try NIOAsyncChannel<LineFrame, ByteBuffer>(wrappingChannelSynchronously: channel)
            }
        }
        // The channel lives inside executeThenClose, run by the reader task; it hands the
        // client out once the writer is available and reads until the connection ends.
        return await withCheckedContinuation { ready in
            let task = Task {
                try? await channel.executeThenClose { inbound, outbound in
                    let client = RPCClient(channel: channel, writer: outbound)
                    ready.resume(returning: client)
                    await client.readLoop(inbound)
                }
            }
            _ = task
        }
    }

    /// Calls a typed method.
    public func call<M: RPCMethod>(
        _ method: M.Type, _ params: M.Params, progress: ProgressHandler? = nil
    ) async throws -> M.Result {
        let result = try await call(method: M.name, params: try JSONValueEncoder().encode(params), progress: progress)
        return try JSONValueDecoder().decode(M.Result.self, from: result)
    }

    /// Calls any method with raw params; throws `RPCError` when the daemon answers with one.
    ///
    /// Cancelling the calling task sends `$/cancelRequest`, always after the request itself,
    /// and the call then ends with the daemon's answer (normally -32800).
    public func call(method: String, params: JSONValue?, progress: ProgressHandler? = nil) async throws -> JSONValue {
        let id = state.withLock { state -> RPCID in
            state.nextID += 1
            return .number(state.nextID)
        }
        let message = RPCMessage.request(id: id, method: method, params: params)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let closed = state.withLock { state -> (any Error)? in
                    if let error = state.closedError { return error }
                    state.pending[id] = Pending(continuation: continuation, progress: progress)
                    return nil
                }
                if let closed {
                    continuation.resume(throwing: closed)
                    return
                }
                Task {
                    do {
                        try await self.send(message.json)
                        if self.markSent(id) { await self.sendCancel(id) }
                    } catch {
                        self.fail(id, with: error)
                    }
                }
            }
        } onCancel: {
            if self.markCancelRequested(id) { Task { await self.sendCancel(id) } }
        }
    }

    /// Records that the request went out; true when a cancel is waiting for that.
    private func markSent(_ id: RPCID) -> Bool {
        state.withLock { state in
            state.pending[id]?.sent = true
            return state.pending[id]?.cancelRequested ?? false
        }
    }

    /// Records a cancel; true when the request is already out, so the cancel can go now.
    private func markCancelRequested(_ id: RPCID) -> Bool {
        state.withLock { state in
            state.pending[id]?.cancelRequested = true
            return state.pending[id]?.sent ?? false
        }
    }

    private func sendCancel(_ id: RPCID) async {
        try? await notify(method: CancelRequest.name, params: ["id": id.json])
    }

    /// Sends a notification (no answer comes).
    public func notify(method: String, params: JSONValue?) async throws {
        try await send(RPCMessage.notification(method: method, params: params).json)
    }

    /// Sends one raw line (a newline is added); for tests and tools that speak the wire directly.
    public func send(_ json: JSONValue) async throws {
        var bytes = try JSONCodec.encode(json)
        bytes.append(UInt8(ascii: "\n"))
        try await writer.write(ByteBuffer(bytes: bytes))
    }

    /// Closes the connection; pending calls fail with `ConnectionClosed`.
    public func close() async {
        try? await channel.channel.close()
    }

    // MARK: reading

    private func readLoop(_ inbound: NIOAsyncChannelInboundStream<LineFrame>) async {
        do {
            for try await frame in inbound {
                guard case .line(let buffer) = frame,
                    let json = try? buffer.withUnsafeReadableBytes({ try JSONCodec.parse($0, maxDepth: 512) })
                else { continue }
                for message in json.arrayValue ?? [json] { route(RPCMessage(json: message)) }
            }
        } catch {}
        let (pending, reason) = state.withLock { state -> ([Pending], any Error) in
            let reason = state.closedError ?? state.unattributedError ?? ConnectionClosed()
            state.closedError = reason
            defer { state.pending = [:] }
            return (Array(state.pending.values), reason)
        }
        for call in pending { call.continuation.resume(throwing: reason) }
    }

    private func route(_ message: RPCMessage) {
        switch message {
        case .response(.null, .failure(let error)), .invalid(nil, let error), .invalid(.null?, let error):
            failAll(with: error)
        case .response(let id, let result):
            guard let call = state.withLock({ $0.pending.removeValue(forKey: id) }) else { return }
            call.continuation.resume(with: result.mapError { $0 as any Error })
        case .invalid(let id?, let error):
            guard let call = state.withLock({ $0.pending.removeValue(forKey: id) }) else { return }
            call.continuation.resume(throwing: error)
        case .notification(Progress.method, let params?):
            guard let id = params["id"].flatMap(RPCID.init(json:)),
                let handler = state.withLock({ $0.pending[id]?.progress })
            else { return }
            handler(params)
        default:
            break
        }
    }

    /// An error the daemon could not attach to one request (a line it could not read, or a
    /// refused connection): every waiting call fails with it, and so do later ones if the
    /// connection then closes.
    private func failAll(with error: RPCError) {
        let pending = state.withLock { state -> [Pending] in
            state.unattributedError = error
            defer { state.pending = [:] }
            return Array(state.pending.values)
        }
        for call in pending { call.continuation.resume(throwing: error) }
    }

    private func fail(_ id: RPCID, with error: any Error) {
        state.withLock { $0.pending.removeValue(forKey: id) }?.continuation.resume(throwing: error)
    }
}
