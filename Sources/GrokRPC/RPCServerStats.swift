import Synchronization

/// Live counters of a server, read by `daemon.status`.
public final class RPCServerStats: Sendable {
    private let openConnections = Atomic<Int>(0)
    private let served = Atomic<Int64>(0)
    private let running = Atomic<Int>(0)

    public init() {}

    /// Connections open now.
    public var connections: Int { openConnections.load(ordering: .relaxed) }
    /// Requests answered since start (notifications included once they ran).
    public var requestsServed: Int64 { served.load(ordering: .relaxed) }
    /// Requests running now, over all connections.
    public var inFlight: Int { running.load(ordering: .relaxed) }

    /// Counts a new connection; false (and not counted) when `limit` are open already.
    func connectionOpened(limit: Int) -> Bool {
        let now = openConnections.add(1, ordering: .relaxed).newValue
        if now > limit {
            openConnections.subtract(1, ordering: .relaxed)
            return false
        }
        return true
    }

    func connectionClosed() { openConnections.subtract(1, ordering: .relaxed) }
    func requestStarted() { running.add(1, ordering: .relaxed) }

    func requestFinished() {
        running.subtract(1, ordering: .relaxed)
        served.add(1, ordering: .relaxed)
    }
}
