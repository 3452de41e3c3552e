/// `daemon.ping`: the cheapest round trip.
public enum DaemonPing: RPCMethod {
    public static let name = "daemon.ping"
    public typealias Params = NoParams

    public struct Result: Codable, Sendable, Equatable {
        public var pong: Bool
        public init(pong: Bool = true) { self.pong = pong }
    }
}

/// `daemon.status`: what the daemon is and how busy it is.
public enum DaemonStatus: RPCMethod {
    public static let name = "daemon.status"
    public typealias Params = NoParams

    public struct Result: Codable, Sendable {
        public var version: String
        public var protocolVersion: String
        public var pid: Int32
        public var uptimeMs: Int64
        public var socket: String
        public var connections: Int
        public var requestsServed: Int64
        public var inFlight: Int
        /// The model and its state ("loading", "ready", "failed: …"); absent without a model.
        public var model: ModelStatus?
        /// The plugins and their states (empty when none are configured).
        public var plugins: [PluginInfo]?
        /// The memory database.
        public var store: StoreStatus?
        public init(
            version: String, protocolVersion: String, pid: Int32, uptimeMs: Int64, socket: String,
            connections: Int, requestsServed: Int64, inFlight: Int, model: ModelStatus? = nil
        ) {
            self.model = model
            self.version = version
            self.protocolVersion = protocolVersion
            self.pid = pid
            self.uptimeMs = uptimeMs
            self.socket = socket
            self.connections = connections
            self.requestsServed = requestsServed
            self.inFlight = inFlight
        }
    }
}

extension DaemonStatus {
    public struct ModelStatus: Codable, Sendable {
        public var path: String
        /// "loading", "ready" or "failed: …".
        public var state: String
        /// Once ready: the kernels' instruction set and the engine's threads.
        public var engine: String?
        /// Once ready: generations running on the shared engine, and waiting for a slot.
        public var running: Int?
        public var queued: Int?
        /// Once ready: the KV-cache budget and what holds it.
        public var kvCache: KVCacheStatus?
        /// Once ready: speculative decoding since the model loaded.
        public var speculation: SpeculationStatus?
        public init(
            path: String, state: String, engine: String? = nil, running: Int? = nil, queued: Int? = nil,
            kvCache: KVCacheStatus? = nil, speculation: SpeculationStatus? = nil
        ) {
            self.path = path
            self.state = state
            self.engine = engine
            self.running = running
            self.queued = queued
            self.kvCache = kvCache
            self.speculation = speculation
        }
    }

    /// Tokens greedy generations drafted by prompt lookup and had the model verify, how many
    /// it confirmed (each a decode step saved), and the share confirmed.
    public struct SpeculationStatus: Codable, Sendable, Equatable {
        public var draftedTokens: Int
        public var acceptedTokens: Int
        public var acceptanceRate: Double
        public init(draftedTokens: Int, acceptedTokens: Int) {
            self.draftedTokens = draftedTokens
            self.acceptedTokens = acceptedTokens
            acceptanceRate = draftedTokens > 0 ? Double(acceptedTokens) / Double(draftedTokens) : 0
        }
    }

    /// The memory database: where, whether it serves ("ready" or "unavailable: …"), and where a
    /// corrupt file found at start was moved.
    public struct StoreStatus: Codable, Sendable, Equatable {
        public var path: String
        public var state: String
        public var recoveredFrom: String?
        public init(path: String, state: String, recoveredFrom: String?) {
            self.path = path
            self.state = state
            self.recoveredFrom = recoveredFrom
        }
    }

    /// KV-cache bytes: reserved for running generations (the most each can need), kept for
    /// follow-up requests (the prompt cache), and the budget for both.
    public struct KVCacheStatus: Codable, Sendable, Equatable {
        public var reservedBytes: Int
        public var keptBytes: Int
        public var budgetBytes: Int
        public init(reservedBytes: Int, keptBytes: Int, budgetBytes: Int) {
            self.reservedBytes = reservedBytes
            self.keptBytes = keptBytes
            self.budgetBytes = budgetBytes
        }
    }
}

/// `daemon.shutdown`: graceful stop; only the uid the daemon runs as may ask.
public enum DaemonShutdown: RPCMethod {
    public static let name = "daemon.shutdown"
    public typealias Params = NoParams

    public struct Result: Codable, Sendable {
        public var shuttingDown: Bool
        public init(shuttingDown: Bool = true) { self.shuttingDown = shuttingDown }
    }
}

/// `daemon.sleep`: waits, streaming `tick` progress; exercises streaming and cancellation.
public enum DaemonSleep: RPCMethod {
    public static let name = "daemon.sleep"

    public struct Params: Codable, Sendable, StreamableParams {
        public var ms: Int
        public var stream: Bool?
        /// Milliseconds between progress notifications when streaming (default 100).
        public var intervalMs: Int?
        public init(ms: Int, stream: Bool? = nil, intervalMs: Int? = nil) {
            self.ms = ms
            self.stream = stream
            self.intervalMs = intervalMs
        }
    }

    public struct Result: Codable, Sendable {
        public var sleptMs: Int
        public init(sleptMs: Int) { self.sleptMs = sleptMs }
    }

    /// The payload of each `tick` progress notification.
    public struct Tick: Codable, Sendable {
        public var elapsedMs: Int
        public var totalMs: Int
        public init(elapsedMs: Int, totalMs: Int) {
            self.elapsedMs = elapsedMs
            self.totalMs = totalMs
        }
    }
}
