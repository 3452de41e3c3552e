/// Per-connection and per-server limits (DESIGN.md §3); all configurable.
public struct RPCLimits: Sendable, Equatable, Codable {
    /// Longest accepted line in bytes, newline excluded.
    public var maxLineBytes: Int
    /// Deepest accepted nesting of arrays and objects.
    public var maxDepth: Int
    /// Requests one connection may have running at once.
    public var maxInFlight: Int
    /// Connections served at once.
    public var maxConnections: Int
    /// On shutdown, how long in-flight requests may run before they are cancelled.
    public var drainTimeoutMs: Int

    public init(
        maxLineBytes: Int = 8 << 20, maxDepth: Int = 64, maxInFlight: Int = 64, maxConnections: Int = 256,
        drainTimeoutMs: Int = 5_000
    ) {
        self.maxLineBytes = maxLineBytes
        self.maxDepth = maxDepth
        self.maxInFlight = maxInFlight
        self.maxConnections = maxConnections
        self.drainTimeoutMs = drainTimeoutMs
    }

    public static let `default` = RPCLimits()
}
