import GrokProtocol
import Synchronization

/// The requests one connection has running, so they can be counted, found by id and cancelled.
final class InFlightRegistry: Sendable {
    enum Admission: Equatable {
        case admitted
        case full
        case duplicate
    }

    /// Stops a running request (cancels its task).
    typealias Canceller = @Sendable () -> Void

    private struct Entry {
        var task: Canceller?
        var cancelRequested = false
    }

    private struct State {
        var entries: [Key: Entry] = [:]
        var anonymousCounter: UInt64 = 0
        var closed = false
        var drainWaiters: [CheckedContinuation<Void, Never>] = []
    }

    /// A request's key: its id, or a private number for notifications and null ids.
    enum Key: Hashable {
        case id(RPCID)
        case anonymous(UInt64)
    }

    private let limit: Int
    private let state = Mutex(State())

    init(limit: Int) {
        self.limit = limit
    }

    var count: Int { state.withLock { $0.entries.count } }

    /// A key for a request without a usable id.
    func anonymousKey() -> Key {
        state.withLock {
            $0.anonymousCounter += 1
            return .anonymous($0.anonymousCounter)
        }
    }

    /// Reserves a slot before the request starts.
    func admit(_ key: Key) -> Admission {
        state.withLock { state in
            if state.entries[key] != nil { return .duplicate }
            if state.entries.count >= limit { return .full }
            state.entries[key] = Entry()
            return .admitted
        }
    }

    /// Hands over the task that runs an admitted request; cancels it at once if a cancel or
    /// a disconnect arrived in between.
    func attach(_ key: Key, task: @escaping Canceller) {
        let cancelNow = state.withLock { state -> Bool in
            guard state.entries[key] != nil else { return true }
            state.entries[key]!.task = task
            return state.entries[key]!.cancelRequested || state.closed
        }
        if cancelNow { task() }
    }

    func finish(_ key: Key) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.entries.removeValue(forKey: key)
            guard state.entries.isEmpty else { return [] }
            defer { state.drainWaiters = [] }
            return state.drainWaiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once no request is running (the connection may then close).
    func drained() async {
        await withCheckedContinuation { continuation in
            let idle = state.withLock { state -> Bool in
                if state.entries.isEmpty { return true }
                state.drainWaiters.append(continuation)
                return false
            }
            if idle { continuation.resume() }
        }
    }

    /// Cancels the request with this id; false when no such request is running.
    @discardableResult
    func cancel(_ id: RPCID) -> Bool {
        let task = state.withLock { state -> Canceller?? in
            guard state.entries[.id(id)] != nil else { return nil }
            state.entries[.id(id)]!.cancelRequested = true
            return .some(state.entries[.id(id)]!.task)
        }
        guard let task else { return false }
        task?()
        return true
    }

    /// Cancels everything, now and whatever is attached later (the client is gone).
    func cancelAll() {
        let tasks = state.withLock { state -> [Canceller] in
            state.closed = true
            return state.entries.values.compactMap(\.task)
        }
        for task in tasks { task() }
    }
}
