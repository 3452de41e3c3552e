/// `initialize`: optional handshake; tells the client who it talks to and what it can do.
public enum Initialize: RPCMethod {
    public static let name = "initialize"

    public struct Params: Codable, Sendable {
        public var clientInfo: ClientInfo?
        public var protocolVersion: String?
        public init(clientInfo: ClientInfo? = nil, protocolVersion: String? = nil) {
            self.clientInfo = clientInfo
            self.protocolVersion = protocolVersion
        }
    }

    public struct ClientInfo: Codable, Sendable {
        public var name: String
        public var version: String?
        public init(name: String, version: String? = nil) {
            self.name = name
            self.version = version
        }
    }

    public struct Result: Codable, Sendable {
        public var protocolVersion: String
        public var serverInfo: ServerInfo
        public var capabilities: Capabilities
        public init(protocolVersion: String, serverInfo: ServerInfo, capabilities: Capabilities) {
            self.protocolVersion = protocolVersion
            self.serverInfo = serverInfo
            self.capabilities = capabilities
        }
    }

    public struct ServerInfo: Codable, Sendable {
        public var name: String
        public var version: String
        public init(name: String, version: String) {
            self.name = name
            self.version = version
        }
    }

    public struct Capabilities: Codable, Sendable {
        public var streaming: Bool
        public var cancellation: Bool
        public var batches: Bool
        public var methods: [String]
        public var limits: Limits
        public init(streaming: Bool, cancellation: Bool, batches: Bool, methods: [String], limits: Limits) {
            self.streaming = streaming
            self.cancellation = cancellation
            self.batches = batches
            self.methods = methods
            self.limits = limits
        }
    }

    public struct Limits: Codable, Sendable {
        public var maxLineBytes: Int
        public var maxDepth: Int
        public var maxInFlight: Int
        public init(maxLineBytes: Int, maxDepth: Int, maxInFlight: Int) {
            self.maxLineBytes = maxLineBytes
            self.maxDepth = maxDepth
            self.maxInFlight = maxInFlight
        }
    }
}

/// The protocol version this build speaks (PROTOCOL.md, "Versioning").
public enum ProtocolVersion {
    public static let current = "2026-11"
}

/// The version of grok itself.
public enum GrokVersion {
    public static let current = "0.1.0"
}
