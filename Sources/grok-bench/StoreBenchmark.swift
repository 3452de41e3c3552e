import ArgumentParser
import Foundation
import GrokProtocol
import GrokStore

/// Memory-store figures on a real file: message inserts per second (one per transaction, and
/// many per transaction), then session listing and full-text search at 100,000 messages.
struct StoreBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store", abstract: "Message inserts/s; session list and search latency at 100,000 messages.")

    @Option(help: "Messages in the database for the latency figures.") var messages = 100_000

    func run() async throws {
        let folder = NSTemporaryDirectory() + "grok-bench-store-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = try Store(path: folder + "/grok.db")
        let words = ["river", "castle", "kernel", "matrix", "garden", "lisbon", "quokka", "socket", "plugin", "budget",
                     "engine", "window", "cache", "prompt", "token", "session", "memory", "search", "index", "paris"]
        func sentence(_ seed: Int) -> String {
            (0..<12).map { words[(seed &* 31 &+ $0 &* 7) % words.count] }.joined(separator: " ") + " number \(seed)"
        }
        let owner: UInt32 = 1000
        let first = try store.createSession(owner: owner, title: "single", model: nil)
        let single = 2000
        var seconds = time { for index in 0..<single { _ = try? store.append(owner: owner, session: first.id, messages: [NewMessage(role: "user", content: sentence(index))]) } }
        print("inserts, one message per transaction (synchronous=FULL): \(Measure.format(Double(single) / seconds, 0)) messages/s")
        let batch = 100
        var inserted = single
        var sessions: [String] = [first.id]
        seconds = time {
            while inserted < messages {
                guard let session = try? store.createSession(owner: owner, title: "session \(sessions.count)", model: nil) else { return }
                sessions.append(session.id)
                let turn = (0..<batch).map { NewMessage(role: $0 % 2 == 0 ? "user" : "assistant", content: sentence(inserted + $0)) }
                _ = try? store.append(owner: owner, session: session.id, messages: turn)
                inserted += batch
            }
        }
        print("inserts, \(batch) messages per transaction: \(Measure.format(Double(inserted - single) / seconds, 0)) messages/s",
              "(\(inserted) messages in \(sessions.count) sessions)")
        var listing: [Double] = []
        var cursor: Int64?
        for _ in 0..<300 {
            let start = ContinuousClock.now
            let (_, next) = try store.listSessions(owner: owner, archived: false, after: cursor, limit: 50)
            listing.append((ContinuousClock.now - start) / .microseconds(1))
            cursor = next
        }
        print("session list (50 a page, paging through) at \(inserted) messages: p50 \(Measure.format(Measure.percentile(listing, 0.5))) µs,",
              "p99 \(Measure.format(Measure.percentile(listing, 0.99))) µs")
        var searching: [Double] = []
        let queries = ["quokka castle", "\"river castle\"", "kernel", "lisbon garden budget", "number 4242", "plugin socket memory"]
        for round in 0..<50 {
            for query in queries {
                let start = ContinuousClock.now
                _ = try store.search(owner: owner, query: query, limit: 20)
                if round > 0 { searching.append((ContinuousClock.now - start) / .milliseconds(1)) }
            }
        }
        print("session search (FTS5, 20 hits) at \(inserted) messages: p50 \(Measure.format(Measure.percentile(searching, 0.5), 2)) ms,",
              "p99 \(Measure.format(Measure.percentile(searching, 0.99), 2)) ms")
    }

    private func time(_ body: () -> Void) -> Double {
        let start = ContinuousClock.now
        body()
        return (ContinuousClock.now - start) / .seconds(1)
    }
}
