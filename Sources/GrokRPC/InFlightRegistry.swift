import GrokProtocol
import Synchronization

/// The requests one connection has running, so they can be counted, found by id and cancelled.
final class InFlightRegistry: Sendable {
    /// Stops a running request (cancels its task).
    typealias Canceller = @Sendable () -> Void

    /// A request's key: its id, or a private number for notifications and null ids.
    enum Key: Hashable, Sendable {
        case id(RPCID)
        case anonymous(UInt64)
    }

    /// One admitted request. The serial tells apart two requests that used the same id one
    /// after the other, so a late `attach` or `finish` never touches the newer one.
    struct Ticket: Hashable, Sendable {
        let key: Key
        let serial: UInt64
    }

    enum Refusal: Error {
        case full
        case duplicate
    }

    private struct Entry {
        let serial: UInt64
        var cancel: Canceller?
        var cancelRequested = false
    }

    private struct State {
        var entries: [Key: Entry] = [:]
        var serial: UInt64 = 0
        var closed = false
        /// Admitted requests whose answer is not written yet (their id may be free already).
        var unsettled = 0
        var drainWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let limit: Int
    private let state = Mutex(State())

    init(limit: Int) {
        self.limit = limit
    }

    var count: Int { state.withLock { $0.entries.count } }

    /// Reserves a slot before the request starts; `id` nil (or null) gets a private key.
    func admit(id: RPCID?) -> Result<Ticket, Refusal> {
        state.withLock { state in
            state.serial += 1
            let key: Key = id.flatMap { $0 == .null ? nil : .id($0) } ?? .anonymous(state.serial)
            if state.entries[key] != nil { return .failure(.duplicate) }
            if state.entries.count >= limit { return .failure(.full) }
            state.entries[key] = Entry(serial: state.serial)
            state.unsettled += 1
            return .success(Ticket(key: key, serial: state.serial))
        }
    }

    /// Hands over how to stop an admitted request; stops it at once if a cancel or a
    /// disconnect came first.
    func attach(_ ticket: Ticket, cancel: @escaping Canceller) {
        let cancelNow = state.withLock { state -> Bool in
            guard var entry = state.entries[ticket.key], entry.serial == ticket.serial else { return false }
            entry.cancel = cancel
            state.entries[ticket.key] = entry
            return entry.cancelRequested || state.closed
        }
        if cancelNow { cancel() }
    }

    /// The request has its answer: its id is free again (a client may reuse it as soon as it
    /// reads the answer, so this comes before the answer is written).
    func finish(_ ticket: Ticket) {
        state.withLock { state in
            guard state.entries[ticket.key]?.serial == ticket.serial else { return }
            state.entries.removeValue(forKey: ticket.key)
        }
    }

    /// The request's answer is written (or will never be): one less thing to wait for.
    func settle() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.unsettled -= 1
            guard state.unsettled == 0 else { return [] }
            defer { state.drainWaiters = [] }
            return state.drainWaiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once every admitted request is settled (the connection may then close).
    func drained() async {
        await withCheckedContinuation { continuation in
            let idle = state.withLock { state -> Bool in
                if state.unsettled == 0 { return true }
                state.drainWaiters.append(continuation)
                return false
            }
            if idle { continuation.resume() }
        }
    }

    /// Cancels the request with this id; false when no such request is running.
    @discardableResult
    func cancel(_ id: RPCID) -> Bool {
        let found = state.withLock { state -> (Bool, Canceller?) in
            guard var entry = state.entries[.id(id)] else { return (false, nil) }
            entry.cancelRequested = true
            state.entries[.id(id)] = entry
            return (true, entry.cancel)
        }
        found.1?()
        return found.0
    }

    /// Cancels everything, now and whatever is attached later (the client is gone).
    func cancelAll() {
        let cancellers = state.withLock { state -> [Canceller] in
            state.closed = true
            return state.entries.values.compactMap(\.cancel)
        }
        for cancel in cancellers { cancel() }
    }
}
