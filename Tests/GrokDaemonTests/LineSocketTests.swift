import Foundation
import GrokClient
import Synchronization
import Testing

/// The blocking line socket that tests, benchmarks and readiness probes use.
@Suite struct LineSocketTests {
    /// A connection that fails must close its descriptor once: a second close would shut
    /// whatever another thread opened under the same number in between (seen in CI as a
    /// readiness probe's "send failed: Bad file descriptor").
    @Test func aFailedConnectClosesOnlyItsOwnDescriptor() async throws {
        let missing = try TestDaemon.makeTemporaryDirectory() + "/nobody-listens.sock"
        let stop = Atomic<Bool>(false)
        let prober = Thread {
            while !stop.load(ordering: .relaxed) { _ = try? LineSocket(path: missing) }
        }
        prober.start()
        defer { stop.store(true, ordering: .relaxed) }
        var lost = 0
        for _ in 0..<20_000 {
            var ends: [CInt] = [0, 0]
            guard pipe(&ends) == 0 else { continue }
            // Both ends must still be ours when we close them.
            if fcntl(ends[0], F_GETFD) < 0 || fcntl(ends[1], F_GETFD) < 0 { lost += 1 }
            if close(ends[0]) != 0 { lost += 1 }
            if close(ends[1]) != 0 { lost += 1 }
        }
        #expect(lost == 0, "\(lost) descriptors were closed by someone else")
    }
}
