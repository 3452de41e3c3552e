import Foundation
import GrokJSON
import GrokProtocol
import GrokRPC
import Synchronization
import Testing

/// `chat` on the real model: a session is created and both turns stored; a follow-up sees the
/// earlier turn and reuses the session's prompt cache; retrieved passages are cited.
@Suite(.serialized) struct ChatTests {
    static func greedy(_ maxTokens: Int) -> Generate.Options {
        var options = Generate.Options()
        options.temperature = 0
        options.maxTokens = maxTokens
        return options
    }

    @Test func aConversationIsStoredAndFollowUpsReuseItsCache() async throws {
        let (daemon, client) = try await EngineMethodsTests.daemonWithModel()
        _ = try await client.call(PrefsSet.self, .init(key: "name", value: "Ada"))
        let first = try await client.call(Chat.self, .init(message: "Name three rivers of France.", options: Self.greedy(12), retrieval: "off"))
        #expect(first.usage.completionTokens > 0 && first.usage.cachedTokens == 0 && first.usage.droppedTurns == 0)
        let stored = try await client.call(SessionGet.self, .init(id: first.session))
        #expect(stored.session.title == "Name three rivers of France.")
        #expect(stored.messages.map(\.role) == ["user", "assistant"] && stored.messages[1].id == first.messageId)
        #expect(stored.messages[1].content == first.text && stored.messages[1].completionTokens == first.usage.completionTokens)
        // The follow-up carries the first exchange, and most of it comes from the prompt cache.
        let second = try await client.call(Chat.self, .init(session: first.session, message: "And one of Spain?", options: Self.greedy(8), retrieval: "off"))
        #expect(second.session == first.session)
        #expect(second.usage.promptTokens > first.usage.promptTokens + first.usage.completionTokens)
        #expect(second.usage.cachedTokens >= first.usage.promptTokens - 1, "\(second.usage)")
        #expect(try await client.call(SessionGet.self, .init(id: first.session)).messages.count == 4)
        // The same answer whoever asks: a new connection continues the session with its cache.
        let other = try await daemon.client()
        let third = try await other.call(Chat.self, .init(session: first.session, message: "Thanks.", options: Self.greedy(4), retrieval: "off"))
        #expect(third.usage.cachedTokens > second.usage.promptTokens / 2)
        // The user's default options (a preference) apply where the request gives none.
        _ = try await client.call(PrefsSet.self, .init(key: "options", value: ["maxTokens": 2, "temperature": 0]))
        let short = try await client.call(Chat.self, .init(message: "Count to ten.", retrieval: "off"))
        #expect(short.usage.completionTokens <= 2 && (short.finishReason == "length" || short.usage.completionTokens < 2))
        do {
            _ = try await client.call(Chat.self, .init(session: "s-unknown", message: "Hi"))
            Issue.record("an unknown session must be refused")
        } catch let error as RPCError {
            #expect(error.code == RPCErrorCode.notFound)
        }
        for c in [client, other] { await c.close() }
    }

    @Test func retrievedPassagesAreStreamedAndCited() async throws {
        let (daemon, client) = try await EngineMethodsTests.daemonWithModel()
        #expect(try await PluginTests.ready(client, ["docs"]))
        let folder = daemon.root + "/notes"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try "# Travel\n\nThe quokka lives on Rottnest Island, near Perth.\n".write(toFile: folder + "/travel.md", atomically: true, encoding: .utf8)
        _ = try await client.call(ToolsCall.self, .init(name: "docs.index", arguments: ["path": .string(folder)]))
        let kinds = Mutex<[String]>([])
        let answer = try await client.call(Chat.self, .init(message: "Where does the quokka live?", options: Self.greedy(8), stream: true)) { progress in
            if let kind = progress["kind"]?.stringValue { kinds.withLock { $0.append(kind) } }
        }
        #expect(answer.citations.first?.citation == folder + "/travel.md:1" && answer.citations.first?.number == 1)
        let seen = kinds.withLock { $0 }
        #expect(seen.first == "retrieval" && seen.dropFirst().allSatisfy { $0 == "delta" } && seen.count >= 2, "\(seen)")
        let stored = try await client.call(SessionGet.self, .init(id: answer.session)).messages.last
        #expect(stored?.citations?.arrayValue?.first?["citation"]?.stringValue == folder + "/travel.md:1")
        await client.close()
    }
}
