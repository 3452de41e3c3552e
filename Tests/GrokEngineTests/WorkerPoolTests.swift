import Synchronization
import Testing
@testable import GrokEngine

/// The engine's worker threads: every chunk runs exactly once, jobs follow each other, and a
/// released pool stops its threads without touching freed memory.
@Suite struct WorkerPoolTests {
    @Test(arguments: [1, 2, 3])
    func everyChunkRunsOnce(threads: Int) {
        let pool = WorkerPool(threads: threads)
        for chunks in [0, 1, 2, 7, 1000] {
            // One slot per chunk: only the thread running a chunk touches its slot.
            let counts = UnsafeMutableBufferPointer<Int>.allocate(capacity: max(chunks, 1))
            defer { counts.deallocate() }
            counts.initialize(repeating: 0)
            pool.run(chunks: chunks) { counts[$0] += 1 }
            #expect(counts.prefix(chunks).allSatisfy { $0 == 1 }, "\(chunks) chunks")
        }
    }

    @Test func poolsComeAndGo() {
        let total = Atomic<Int>(0)
        for _ in 0..<50 {
            let pool = WorkerPool(threads: 3)
            pool.run(chunks: 64) { total.add($0, ordering: .relaxed) }
        }
        #expect(total.load(ordering: .relaxed) == 50 * (63 * 64 / 2))
    }
}
