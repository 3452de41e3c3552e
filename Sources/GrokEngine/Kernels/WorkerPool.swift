import CGrokKernels
import Foundation
import Synchronization

/// The engine's own threads: `threads - 1` workers and the calling thread share each job.
///
/// A job is a number of chunks; every thread takes the next chunk until none are left, and
/// `run` returns when all are done. Workers spin briefly between jobs (a forward pass runs
/// about a hundred jobs per token, so a sleeping worker would cost more than the work) and
/// then sleep on a condition until the next job. Releasing the pool stops its threads.
public final class WorkerPool: @unchecked Sendable {
    public let threads: Int
    private let core: WorkerPoolCore

    public init(threads: Int) {
        self.threads = max(1, threads)
        core = WorkerPoolCore(threads: self.threads)
        for index in 1..<self.threads {
            // The thread owns the core, not the pool, so the pool can go away first.
            let thread = Thread { [core] in core.workerLoop() }
            thread.name = "grok.engine.\(index)"
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    deinit { core.stop() }

    /// Runs `body(chunk)` for every chunk in 0..<chunks across the pool; returns when all ran.
    /// Not reentrant: one job at a time (the engine's serial queue guarantees it).
    public func run(chunks: Int, _ body: (Int) -> Void) {
        guard chunks > 0 else { return }
        if threads == 1 || chunks == 1 {
            for chunk in 0..<chunks { body(chunk) }
            return
        }
        core.run(chunks: chunks, body)
    }
}

/// The state the pool's threads share; kept alive by them until `stop`.
private final class WorkerPoolCore: @unchecked Sendable {
    let threads: Int
    private let generation = Atomic<Int>(0)
    private let nextChunk = Atomic<Int>(0)
    private let finishedWorkers = Atomic<Int>(0)
    private let stopping = Atomic<Bool>(false)
    private let wakeUp = NSCondition()
    // Written by `run` before `generation` is bumped (release), read after it (acquire).
    private nonisolated(unsafe) var job: (Int) -> Void = { _ in }
    private nonisolated(unsafe) var chunkCount = 0
    /// Spin iterations before a waiting worker goes to sleep (tens of microseconds).
    private static let spinLimit = 20_000

    init(threads: Int) { self.threads = threads }

    func stop() {
        stopping.store(true, ordering: .releasing)
        generation.add(1, ordering: .releasing)
        wakeUp.lock()
        wakeUp.broadcast()
        wakeUp.unlock()
    }

    func run(chunks: Int, _ body: (Int) -> Void) {
        withoutActuallyEscaping(body) { body in
            job = body
            chunkCount = chunks
            nextChunk.store(0, ordering: .relaxed)
            finishedWorkers.store(0, ordering: .relaxed)
            generation.add(1, ordering: .releasing)
            wakeUp.lock()
            wakeUp.broadcast()
            wakeUp.unlock()
            drain(body, chunks)
            while finishedWorkers.load(ordering: .acquiring) < threads - 1 { grok_cpu_relax() }
            job = { _ in }
        }
    }

    private func drain(_ body: (Int) -> Void, _ chunks: Int) {
        while true {
            let chunk = nextChunk.add(1, ordering: .relaxed).oldValue
            guard chunk < chunks else { return }
            body(chunk)
        }
    }

    func workerLoop() {
        var seen = 0
        while true {
            seen = waitForJob(after: seen)
            if stopping.load(ordering: .acquiring) { return }
            drain(job, chunkCount)
            finishedWorkers.add(1, ordering: .releasing)
        }
    }

    private func waitForJob(after seen: Int) -> Int {
        for _ in 0..<Self.spinLimit {
            let current = generation.load(ordering: .acquiring)
            if current != seen { return current }
            grok_cpu_relax()  // the PAUSE hint on x86: this is a spin-wait
        }
        wakeUp.lock()
        defer { wakeUp.unlock() }
        while true {
            let current = generation.load(ordering: .acquiring)
            if current != seen { return current }
            wakeUp.wait()
        }
    }
}
