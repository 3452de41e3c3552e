import GrokJSON
import GrokProtocol
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// A JSON-RPC server on a Unix socket: accepts connections, checks who connected, and hands
/// each connection its own `RPCConnection`.
public final class RPCServer: Sendable {
    /// Where to listen.
    public enum Listener: Sendable, Equatable {
        /// Bind a new socket at this path (the path must not exist).
        case path(String)
        /// Serve an already bound and listening socket (systemd socket activation).
        case descriptor(CInt)
    }

    public struct Configuration: Sendable {
        public var limits: RPCLimits
        /// Peer uids allowed to connect; everyone else is refused before any method runs.
        public var allowedUIDs: Set<UInt32>

        public init(limits: RPCLimits = .default, allowedUIDs: Set<UInt32>) {
            self.limits = limits
            self.allowedUIDs = allowedUIDs
        }
    }

    private typealias Accepted = (NIOAsyncChannel<LineFrame, ByteBuffer>, PeerCredentials)

    public let stats = RPCServerStats()
    private let configuration: Configuration
    private let table: MethodTable
    private let logger: Logger
    private let serverChannel: NIOAsyncChannel<Accepted, Never>
    /// Open connections and whether shutdown began, under one lock so that no connection
    /// can register after shutdown took its list.
    private struct Registry {
        var connections: [UInt64: RPCConnection] = [:]
        var shuttingDown = false
    }

    private let registry = Mutex(Registry())
    private let nextConnectionID = Atomic<UInt64>(0)

    /// Binds (or adopts) the listening socket; call `run()` to serve.
    public init(
        listener: Listener, configuration: Configuration, table: MethodTable, logger: Logger,
        group: MultiThreadedEventLoopGroup = .singleton
    ) async throws {
        self.configuration = configuration
        self.table = table
        self.logger = logger
        let limits = configuration.limits
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
        let initializer: @Sendable (any Channel) -> EventLoopFuture<Accepted> = { channel in
            PeerCredentials.read(from: channel).flatMapThrowing { peer in
                try channel.pipeline.syncOperations.addHandler(
                    ByteToMessageHandler(LineFrameDecoder(maxLineBytes: limits.maxLineBytes)))
                let async = try NIOAsyncChannel<LineFrame, ByteBuffer>(wrappingChannelSynchronously: channel)
                return (async, peer)
            }
        }
        switch listener {
        case .path(let path):
            serverChannel = try await bootstrap.bind(unixDomainSocketPath: path, childChannelInitializer: initializer)
        case .descriptor(let descriptor):
            serverChannel = try await bootstrap.bind(descriptor, childChannelInitializer: initializer)
        }
    }

    /// Serves until `shutdown()`; returns once every connection has finished.
    public func run() async throws {
        try await serverChannel.executeThenClose { inbound in
            try await withThrowingDiscardingTaskGroup { group in
                for try await (channel, peer) in inbound {
                    group.addTask { await self.serve(channel, peer: peer) }
                }
            }
        }
    }

    /// Stops accepting, lets running requests finish for the drain timeout, then cancels them.
    public func shutdown() {
        let open = registry.withLock { registry -> [RPCConnection]? in
            guard !registry.shuttingDown else { return nil }
            registry.shuttingDown = true
            return Array(registry.connections.values)
        }
        guard let open else { return }
        serverChannel.channel.close(promise: nil)
        for connection in open { connection.channel.close(mode: .input, promise: nil) }
        let drain = TimeAmount.milliseconds(Int64(configuration.limits.drainTimeoutMs))
        serverChannel.channel.eventLoop.scheduleTask(in: drain) {
            // Out of time: cancel what still runs; its -32800 answers are written, then the
            // connections close.
            for connection in self.registry.withLock({ Array($0.connections.values) }) {
                connection.cancelAll()
                connection.channel.eventLoop.scheduleTask(in: .seconds(1)) { connection.channel.close(promise: nil) }
            }
        }
    }

    private func serve(_ channel: NIOAsyncChannel<LineFrame, ByteBuffer>, peer: PeerCredentials) async {
        let id = nextConnectionID.add(1, ordering: .relaxed).newValue
        do {
            try await channel.executeThenClose { inbound, outbound in
                guard let refusal = refusal(for: peer) else {
                    await serveAdmitted(channel.channel, id: id, peer: peer, inbound: inbound, outbound: outbound)
                    return
                }
                try await outbound.write(Self.line(.invalid(id: nil, error: refusal)))
            }
        } catch {
            logger.debug("connection ended with an error", metadata: ["conn": "\(id)", "error": "\(error)"])
        }
    }

    /// A message as one wire line.
    private static func line(_ message: RPCMessage) -> ByteBuffer {
        var bytes = (try? JSONCodec.encode(message.json)) ?? Array(#"{"jsonrpc":"2.0","id":null,"error":{"code":-32603,"message":"Internal error"}}"#.utf8)
        bytes.append(UInt8(ascii: "\n"))
        return ByteBuffer(bytes: bytes)
    }

    /// Why a peer may not be served, or nil when it may.
    private func refusal(for peer: PeerCredentials) -> RPCError? {
        guard configuration.allowedUIDs.contains(peer.uid) else {
            logger.warning("refused a connection from a uid not on the allow list", metadata: ["uid": "\(peer.uid)", "pid": "\(peer.pid)"])
            return .permissionDenied("uid \(peer.uid) may not use this daemon")
        }
        guard stats.connectionOpened(limit: configuration.limits.maxConnections) else {
            logger.warning("refused a connection: limit reached", metadata: ["limit": "\(configuration.limits.maxConnections)"])
            return .overloaded("more than \(configuration.limits.maxConnections) connections", retryAfterMs: 500)
        }
        return nil
    }

    private func serveAdmitted(
        _ channel: any Channel, id: UInt64, peer: PeerCredentials,
        inbound: NIOAsyncChannelInboundStream<LineFrame>, outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    ) async {
        defer { stats.connectionClosed() }
        let connection = RPCConnection(
            id: id, peer: peer, channel: channel, table: table, limits: configuration.limits, stats: stats,
            writer: outbound, logger: logger)
        let registered = registry.withLock { registry -> Bool in
            guard !registry.shuttingDown else { return false }
            registry.connections[id] = connection
            return true
        }
        guard registered else {
            try? await outbound.write(Self.line(.invalid(id: nil, error: .modelUnavailable("the daemon is shutting down"))))
            return
        }
        defer { _ = registry.withLock { $0.connections.removeValue(forKey: id) } }
        logger.debug("connection opened", metadata: ["conn": "\(id)", "uid": "\(peer.uid)", "pid": "\(peer.pid)"])
        await connection.serve(inbound)
        logger.debug("connection closed", metadata: ["conn": "\(id)"])
    }
}
