import Foundation
import GrokJSON
import GrokProtocol
import GrokRPC
import GrokStore
import Synchronization
import Testing

/// The memory store under SIGKILL: a daemon is killed at random moments while two clients
/// write, 200 times; after each kill the database passes `integrity_check` and holds every
/// message whose write a client saw acknowledged.
@Suite struct StoreCrashTests {
    @Test func everyAcknowledgedWriteSurvives200Kills() async throws {
        let daemon = try TestDaemon(config: #"{"model":"none","builtinPlugins":false}"#)
        let database = daemon.root + "/data/grok/grok.db"
        try daemon.start()
        try await daemon.waitUntilReady()
        let session = try await daemon.client().call(SessionCreate.self, .init(title: "crash test")).id
        _ = await daemon.stop(signal: SIGKILL)
        var acknowledged: [Int64: String] = [:]
        var random = SystemRandomNumberGenerator()
        for round in 0..<200 {
            try daemon.start()
            try await daemon.waitUntilReady()
            let seen = Acknowledged()
            let path = daemon.socketPath
            // Two writers, each appending one message after another until the daemon vanishes.
            let writers = (0..<2).map { writer in
                Task { [seen, session] in
                    guard let client = try? await RPCClient.connect(path: path) else { return }
                    for index in 0..<1000 {
                        let content = "round \(round) writer \(writer) message \(index)"
                        let message = [NewMessage(role: "user", content: content)]
                        guard let ids = try? await client.call(SessionAppend.self, .init(id: session, messages: message)) else { return }
                        seen.add(ids.ids[0], content)
                    }
                }
            }
            try await Task.sleep(for: .milliseconds(Int.random(in: 5...60, using: &random)))
            _ = await daemon.stop(signal: SIGKILL)
            for writer in writers { await writer.value }
            acknowledged.merge(seen.all) { $1 }
            // The daemon is gone: open the file as the next start would, and check it.
            let store = try Store(path: database)
            #expect(store.recovered == nil, "round \(round): the database was found corrupt")
            #expect(try store.integrityCheck() == "ok", "round \(round)")
            let stored = try #require(try store.session(owner: getuid(), id: session)).1
            let byID = Dictionary(uniqueKeysWithValues: stored.map { ($0.id, $0.content) })
            let lost = acknowledged.filter { byID[$0.key] != $0.value }
            #expect(lost.isEmpty, "round \(round): \(lost.count) acknowledged messages lost")
            if !lost.isEmpty { break }
        }
        #expect(acknowledged.count > 200, "the writers should have had their writes acknowledged")
    }
}

/// Writes the clients saw acknowledged: message id → content.
final class Acknowledged: Sendable {
    private let seen = Mutex<[Int64: String]>([:])
    func add(_ id: Int64, _ content: String) { seen.withLock { $0[id] = content } }
    var all: [Int64: String] { seen.withLock { $0 } }
}
