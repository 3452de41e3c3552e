import Dispatch
import Foundation
import GrokEngine
import GrokProtocol
import Synchronization

/// One loaded model and its shared engine (the scheduler, on a thread of its own).
///
/// Loading, and the model's small calls (tokenize, info), run on a serial queue of its own —
/// never a NIO event loop, never the cooperative pool; generations run on the scheduler.
final class ModelHost: Sendable {
    enum State: Sendable {
        case disabled
        case loading
        case ready(TextGenerator, Scheduler)
        case failed(String)
    }

    let path: String?
    private let state: Mutex<State>
    /// Requests holding the model (from choosing it to answering): an unload waits for them.
    private let users = Atomic<Int>(0)
    private let queue = DispatchQueue(label: "grok.engine", qos: .userInitiated)

    /// Starts loading `path` on the engine queue; nil means no model (methods answer -32000).
    init(path: String?, limits: SchedulerLimits = .default) {
        self.path = path
        state = Mutex(path == nil ? .disabled : .loading)
        guard let path else { return }
        queue.async { [self] in
            do {
                let generator = try TextGenerator(path: path)
                state.withLock { $0 = .ready(generator, Scheduler(generator: generator, limits: limits)) }
            } catch {
                state.withLock { $0 = .failed("\(error)") }
            }
        }
    }

    /// "disabled", "loading", "ready" or "failed: …", for status.
    var summary: String {
        switch state.withLock({ $0 }) {
        case .disabled: return "disabled"
        case .loading: return "loading"
        case .ready: return "ready"
        case .failed(let reason): return "failed: \(reason)"
        }
    }

    /// How the loaded engine computes, e.g. "avx512-vnni, native f16, 2 threads"; nil until ready.
    var engine: String? {
        guard case .ready(let generator, _) = state.withLock({ $0 }) else { return nil }
        return "\(Kernels.summary), \(generator.model.threads) threads"
    }

    /// Generations running and waiting on the shared engine; nil until ready.
    var load: (running: Int, queued: Int)? {
        guard case .ready(_, let scheduler) = state.withLock({ $0 }) else { return nil }
        return scheduler.load
    }

    /// KV-cache bytes held and the budget; nil until ready.
    var cacheBytes: DaemonStatus.KVCacheStatus? {
        guard case .ready(_, let scheduler) = state.withLock({ $0 }) else { return nil }
        let bytes = scheduler.cacheBytes
        return DaemonStatus.KVCacheStatus(reservedBytes: bytes.reserved, keptBytes: bytes.kept, budgetBytes: bytes.budget)
    }

    /// Speculative decoding so far; nil until ready.
    var speculation: DaemonStatus.SpeculationStatus? {
        guard case .ready(_, let scheduler) = state.withLock({ $0 }) else { return nil }
        let totals = scheduler.speculation
        return DaemonStatus.SpeculationStatus(draftedTokens: totals.drafted, acceptedTokens: totals.confirmed)
    }

    /// The shared engine, once the model is ready (a request that arrives while it loads waits
    /// for the load); otherwise the error to answer with.
    func scheduler() async throws -> Scheduler {
        if case .loading = state.withLock({ $0 }) {
            // Loading runs first on the queue: anything queued after it runs once it is done.
            await withCheckedContinuation { continuation in queue.async { continuation.resume() } }
        }
        switch state.withLock({ $0 }) {
        case .ready(_, let scheduler): return scheduler
        case .failed(let reason): throw RPCError.modelUnavailable(reason)
        case .disabled, .loading:
            throw RPCError.modelUnavailable(path == nil ? "this daemon runs without a model (--model none)" : "the model is not loaded")
        }
    }

    /// Stops the shared engine (running and queued generations end as cancelled).
    func shutdown() {
        if case .ready(_, let scheduler) = state.withLock({ $0 }) { scheduler.shutdown() }
    }

    /// Marks a request as holding the model until `release`.
    func lease() { users.add(1, ordering: .relaxed) }
    func release() { users.subtract(1, ordering: .relaxed) }

    /// Whether no request holds the model (every generation does, from start to answer).
    var isUnused: Bool { users.load(ordering: .relaxed) == 0 }

    /// Whether no request holds the model and nothing runs or waits on the engine.
    var isIdle: Bool {
        guard users.load(ordering: .relaxed) == 0 else { return false }
        guard let load else { return true }
        return load.running == 0 && load.queued == 0
    }

    /// Lets running and waiting generations finish, then stops the engine and lets go of the
    /// model (its memory is released when the last request holding it is done).
    func unload() async {
        if case .loading = state.withLock({ $0 }) {
            await withCheckedContinuation { continuation in queue.async { continuation.resume() } }
        }
        while !isIdle { try? await Task.sleep(for: .milliseconds(20)) }
        shutdown()
        state.withLock { $0 = .failed("unloaded") }
    }

    /// Runs `body` on the host's queue with the model, after loading has finished.
    func run<T: Sendable>(_ body: @escaping @Sendable (TextGenerator) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { [self] in
                switch state.withLock({ $0 }) {
                case .ready(let generator, _):
                    continuation.resume(with: Result { try body(generator) })
                case .failed(let reason):
                    continuation.resume(throwing: RPCError.modelUnavailable(reason))
                case .disabled, .loading:
                    continuation.resume(throwing: RPCError.modelUnavailable(
                        path == nil ? "this daemon runs without a model (--model none)" : "the model is not loaded"))
                }
            }
        }
    }
}
