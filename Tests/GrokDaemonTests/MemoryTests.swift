import Foundation
import GrokJSON
import GrokProtocol
import GrokRPC
import Testing

/// The memory methods through grokd, for the caller's uid, on a real database file.
@Suite struct MemoryTests {
    @Test func sessionsPreferencesAndFeedbackRoundTrip() async throws {
        let daemon = try await TestDaemon.started(config: #"{"model":"none","builtinPlugins":false}"#)
        let client = try await daemon.client()
        let session = try await client.call(SessionCreate.self, .init(title: "trip planning"))
        let ids = try await client.call(SessionAppend.self, .init(id: session.id, messages: [
            NewMessage(role: "user", content: "Plan three days in Lisbon"),
            NewMessage(role: "assistant", content: "Day one: Alfama and the castle of São Jorge.", citations: [["citation": "guide.md:3"]]),
        ])).ids
        #expect(ids.count == 2 && ids[1] == ids[0] + 1)
        let got = try await client.call(SessionGet.self, .init(id: session.id))
        #expect(got.session.messageCount == 2 && got.messages.map(\.role) == ["user", "assistant"])
        #expect(got.messages[1].citations?.arrayValue?.first?["citation"] == "guide.md:3")
        let hits = try await client.call(SessionSearch.self, .init(query: "castle"))
        #expect(hits.hits.map(\.messageId) == [ids[1]] && hits.hits.first?.sessionTitle == "trip planning")
        let markdown = try await client.call(SessionExport.self, .init(id: session.id, format: "markdown")).content
        #expect(markdown.hasPrefix("# trip planning") && markdown.contains("## Assistant") && markdown.contains("- guide.md:3"))
        _ = try await client.call(SessionRename.self, .init(id: session.id, title: "Lisbon"))
        let fork = try await client.call(SessionFork.self, .init(id: session.id, upTo: ids[0]))
        #expect(fork.messageCount == 1 && fork.title == "Lisbon (fork)")
        _ = try await client.call(SessionArchive.self, .init(id: fork.id))
        let active = try await client.call(SessionList.self, .init()).sessions.map(\.id)
        let archived = try await client.call(SessionList.self, .init(archived: true)).sessions.map(\.id)
        #expect(active == [session.id] && archived == [fork.id])
        // Preferences: well-known keys are checked, others stored as given.
        _ = try await client.call(PrefsSet.self, .init(key: "name", value: "Ada"))
        _ = try await client.call(PrefsSet.self, .init(key: "options", value: ["temperature": 0.2]))
        do {
            _ = try await client.call(PrefsSet.self, .init(key: "options", value: ["temperature": "hot"]))
            Issue.record("a wrongly typed option must be refused")
        } catch let error as RPCError {
            #expect(error.code == RPCErrorCode.invalidParams && error.data?["field"] == "value.temperature")
        }
        #expect(try await client.call(PrefsList.self, NoParams()).prefs == ["name": "Ada", "options": ["temperature": 0.2]])
        // Feedback on a message, listed back; on an unknown message: not found.
        let rated = try await client.call(FeedbackSubmit.self, .init(messageId: ids[1], rating: 1, comment: "useful"))
        #expect(try await client.call(FeedbackList.self, .init()).feedback.map(\.id) == [rated.id])
        do {
            _ = try await client.call(FeedbackSubmit.self, .init(messageId: 999_999, rating: -1))
            Issue.record("feedback on an unknown message must be refused")
        } catch let error as RPCError {
            #expect(error.code == RPCErrorCode.notFound)
        }
        _ = try await client.call(SessionDelete.self, .init(id: session.id))
        do {
            _ = try await client.call(SessionGet.self, .init(id: session.id))
            Issue.record("a deleted session must be gone")
        } catch let error as RPCError {
            #expect(error.code == RPCErrorCode.notFound)
        }
        let store = try await client.call(DaemonStatus.self, NoParams()).store
        #expect(store?.state == "ready" && store?.path == daemon.root + "/data/grok/grok.db")
        await client.close()
    }

    /// A database that fails its check at start is moved aside (kept) and a fresh one serves.
    @Test func aCorruptDatabaseAtStartIsSetAside() async throws {
        let daemon = try TestDaemon(config: #"{"model":"none","builtinPlugins":false}"#)
        let database = daemon.root + "/data/grok/grok.db"
        try FileManager.default.createDirectory(atPath: daemon.root + "/data/grok", withIntermediateDirectories: true)
        try Data(repeating: 0xA5, count: 64 << 10).write(to: URL(fileURLWithPath: database))
        try daemon.start()
        try await daemon.waitUntilReady()
        let client = try await daemon.client()
        let store = try await client.call(DaemonStatus.self, NoParams()).store
        #expect(store?.state == "ready")
        let aside = try #require(store?.recoveredFrom)
        #expect(FileManager.default.fileExists(atPath: aside))
        #expect(try await client.call(SessionCreate.self, .init(title: "fresh")).title == "fresh")
        await client.close()
    }
}

extension MemoryTests {
    /// Under a file-size limit (the disk "full"): writes fail with a clear error, reads keep
    /// working, the daemon keeps serving; with room again (restarted without the limit) the
    /// writes work and everything acknowledged before is there.
    @Test func aFullDiskFailsWritesClearlyAndKeepsServingReads() async throws {
        let daemon = try TestDaemon(config: #"{"model":"none","builtinPlugins":false}"#)
        // 600 blocks of 512 bytes: a few hundred KB for the database and its log.
        try daemon.start(shellPrefix: "ulimit -f 600;")
        try await daemon.waitUntilReady()
        let client = try await daemon.client()
        let session = try await client.call(SessionCreate.self, .init(title: "big")).id
        let text = String(repeating: "lorem ipsum dolor sit amet ", count: 800)  // about 21 KB
        var stored: [Int64] = []
        var failure: RPCError?
        for _ in 0..<100 where failure == nil {
            do {
                stored += try await client.call(SessionAppend.self, .init(id: session, messages: [NewMessage(role: "user", content: text)])).ids
            } catch let error as RPCError {
                failure = error
            }
        }
        let error = try #require(failure, "the size limit was never reached")
        #expect(error.code == RPCErrorCode.internalError && error.data?["reason"] == "diskFull", "\(error)")
        #expect(error.message.contains("disk is full"))
        #expect(!stored.isEmpty)
        // Reads and everything else still work.
        let read = try await client.call(SessionGet.self, .init(id: session))
        #expect(read.messages.map(\.id) == stored)
        _ = try await client.call(DaemonPing.self, NoParams())  // answers (a failure throws)
        await client.close()
        _ = await daemon.stop()
        // Room again: restart without the limit.
        try daemon.start()
        try await daemon.waitUntilReady()
        let again = try await daemon.client()
        let more = try await again.call(SessionAppend.self, .init(id: session, messages: [NewMessage(role: "user", content: "fits now")])).ids
        let all = try await again.call(SessionGet.self, .init(id: session)).messages.map(\.id)
        #expect(all == stored + more)
        await again.close()
    }
}
