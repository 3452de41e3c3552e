import Foundation
import GrokClient
import GrokJSON
import GrokProtocol
import GrokRPC
import Testing

/// Learning from feedback through the real daemon, model and docs plugin: rated answers that
/// used passages rerank later searches for the same uid only; the learned state survives a
/// restart and `learn.reset` forgets it; ratings that say "too long" make answers brief
/// unless the user set a style; a comment asking for a language is followed unless the user
/// set one.
@Suite(.serialized) struct LearningTests {
    static let nobody: UInt32 = 65534

    /// Two files that both match questions about rotating logs: code and prose.
    static func indexNotes(_ daemon: TestDaemon, _ client: RPCClient) async throws {
        #expect(try await PluginTests.ready(client, ["docs"]))
        let folder = daemon.root + "/notes"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try "# Log rotation\n\nThe daemon can rotate the log files every night and keeps seven of them.\n"
            .write(toFile: folder + "/logs.md", atomically: true, encoding: .utf8)
        try "func rotateLogFiles() { for file in logFiles { rotate(file); rotate(file + \".1\") } } // rotate log files log\n"
            .write(toFile: folder + "/Rotate.swift", atomically: true, encoding: .utf8)
        _ = try await client.call(ToolsCall.self, .init(name: "docs.index", arguments: ["path": .string(folder)]))
    }

    static func search(_ client: RPCClient) async throws -> [RetrievalSearch.Passage] {
        try await client.call(RetrievalSearch.self, .init(query: "how do I rotate log files", k: 2)).passages
    }

    @Test func ratedAnswersRerankTheirUsersSearchesAndSurviveARestart() async throws {
        let daemon = try await TestDaemon.started(arguments: ["--model", EngineMethodsTests.defaultModelPath, "--allow-uid", "\(Self.nobody)"])
        defer { withExtendedLifetime(daemon) {} }
        var client = try await daemon.client()
        try await Self.indexNotes(daemon, client)
        let before = try await Self.search(client)
        #expect(before.count == 2 && before.allSatisfy { $0.rankScore == nil }, "untrained: the retriever's order, \(before)")
        // Answers that used the passages, rated; the answers' passages are recorded with them.
        let questions = ["How do I rotate log files?", "When does the daemon rotate the log files?", "Rotate the logs how?",
                         "Which log files get rotated?", "How many rotated log files are kept?", "Can log files rotate at night?",
                         "Rotating log files: how often?", "Is log rotation automatic?", "What rotates the log files?"]
        // Enough ratings for the learned order to earn trust: it has to beat the retriever's
        // order on these answers by more than chance before it is applied.
        for question in questions {
            let answer = try await client.call(Chat.self, .init(message: question, options: ChatTests.greedy(6), retrieval: .object(["k": 2])))
            #expect(answer.citations.count == 2)
            _ = try await client.call(FeedbackSubmit.self, .init(messageId: answer.messageId, rating: 1, correction: "It keeps seven of them, rotated every night."))
        }
        let learned = try await client.call(LearnStatus.self, NoParams())
        #expect(learned.ranking.examples == 18 && learned.ranking.trust > 0, "\(learned.ranking)")
        #expect(learned.ranking.sources.contains { $0.source.hasSuffix("/logs.md") && $0.helped == 9 }, "\(learned.ranking.sources)")
        let after = try await Self.search(client)
        #expect(after.first?.source.hasSuffix("/logs.md") == true && after.allSatisfy { $0.rankScore != nil }, "\(after) \(learned.ranking)")
        // The raw order is still there for whoever asks for it.
        let raw = try await client.call(RetrievalSearch.self, .init(query: "how do I rotate log files", k: 2, learned: false)).passages
        #expect(raw.map(\.source) == before.map(\.source) && raw.allSatisfy { $0.rankScore == nil })
        // Another uid's searches are not touched by this one's feedback (checked when the tests
        // run as root, which can start a client as another uid).
        if getuid() == 0 { try await Self.expectUntouched(daemon, order: before.map(\.source)) }
        // A restart keeps what was learned.
        await client.close()
        _ = await daemon.stop()
        try daemon.start(arguments: ["--model", EngineMethodsTests.defaultModelPath])
        try await daemon.waitUntilReady()
        client = try await daemon.client()
        #expect(try await PluginTests.ready(client, ["docs"]))
        let restarted = try await client.call(LearnStatus.self, NoParams())
        #expect(restarted.ranking.examples == 18 && restarted.ranking.weights == learned.ranking.weights && restarted.ranking.trust == learned.ranking.trust)
        #expect(try await Self.search(client).map(\.source) == after.map(\.source))
        // Forgetting brings back the retriever's order.
        let socket = ["--socket", daemon.socketPath, "--no-autostart"]
        let (status, output) = try await ExampleClientTests.run(TestDaemon.grokctl, ["learn", "reset"] + socket, environment: daemon.environment)
        #expect(status == 0 && (try? JSONCodec.parse(string: output))?["rankingExamples"] == 18, "\(output)")
        #expect(try await client.call(LearnStatus.self, NoParams()).ranking.examples == 0)
        let forgotten = try await Self.search(client)
        #expect(forgotten.map(\.source) == before.map(\.source) && forgotten.allSatisfy { $0.rankScore == nil })
        await client.close()
    }

    @Test func answersFollowTheLengthAndLayoutAskedForUnlessTheUserSetAStyle() async throws {
        let (daemon, client) = try await EngineMethodsTests.daemonWithDefaultModel()
        defer { withExtendedLifetime(daemon) {} }
        let brief = "Answer briefly"
        let question = Chat.Params(message: "What is a monad?", retrieval: "off")
        #expect(try await !client.call(ChatPromptPreview.self, question).prompt.contains(brief))
        // The user's own default options without a token limit leave the taste to learn.
        _ = try await client.call(PrefsSet.self, .init(key: "options", value: ["temperature": 0]))
        for message in ["What is a monad?", "What is a functor?"] {
            let answer = try await client.call(Chat.self, .init(message: message, retrieval: "off"))
            _ = try await client.call(FeedbackSubmit.self, .init(messageId: answer.messageId, rating: -1, comment: "Too long."))
        }
        let taste = try await client.call(LearnStatus.self, NoParams()).taste
        #expect(taste.preset == "brief" && !taste.overridden, "\(taste)")
        // The first answer (balanced) counts against balanced; both count for brief, the second
        // having been brief already.
        #expect(taste.ratings.first { $0.preset == "balanced" }?.down == 1 && taste.ratings.first { $0.preset == "brief" }?.up == 2)
        #expect(try await client.call(ChatPromptPreview.self, question).prompt.contains(brief))
        // A comment asking for a layout is followed too.
        let bullets = "Lay the answer out as bullet points.", plain = "Write plain text, without Markdown."
        #expect(try await client.call(LearnStatus.self, NoParams()).taste.format == nil)
        let listed = try await client.call(Chat.self, .init(message: "What is a monoid?", options: ChatTests.greedy(4), retrieval: "off"))
        _ = try await client.call(FeedbackSubmit.self, .init(messageId: listed.messageId, rating: 1, comment: "Good; use bullet points and no markdown"))
        let format = try await client.call(LearnStatus.self, NoParams()).taste.format
        #expect(format == ["layout": "bullets", "markup": "plain"], "\(String(describing: format))")
        let formatted = try await client.call(ChatPromptPreview.self, question).prompt
        #expect(formatted.contains(bullets) && formatted.contains(plain), "\(formatted)")
        // Beside tools (whose calls may be fenced blocks), no word on markup.
        let withTools = try await client.call(ChatPromptPreview.self, .init(message: question.message, retrieval: "off", tools: ["calc.eval"])).prompt
        #expect(withTools.contains(bullets) && !withTools.contains(plain), "\(withTools)")
        // What the user says wins over what was learned.
        _ = try await client.call(PrefsSet.self, .init(key: "style", value: "thorough, with examples"))
        let styled = try await client.call(ChatPromptPreview.self, question).prompt
        #expect(!styled.contains(brief) && !styled.contains(bullets) && !styled.contains(plain), "\(styled)")
        #expect(try await client.call(LearnStatus.self, NoParams()).taste.overridden)
        // A comment asking for a language: answers are asked to be in it, until the user's own
        // language preference says otherwise.
        let answer = try await client.call(Chat.self, .init(message: "What is a monoid?", options: ChatTests.greedy(4), retrieval: "off"))
        _ = try await client.call(FeedbackSubmit.self, .init(messageId: answer.messageId, rating: -1, comment: "Answer in German next time."))
        #expect(try await client.call(LearnStatus.self, NoParams()).taste.language == "German")
        #expect(try await client.call(ChatPromptPreview.self, question).prompt.contains("Answer in German."))
        _ = try await client.call(PrefsSet.self, .init(key: "language", value: "English"))
        #expect(try await !client.call(ChatPromptPreview.self, question).prompt.contains("Answer in German."))
        await client.close()
    }

    static func expectUntouched(_ daemon: TestDaemon, order: [String]) async throws {
        PeerHelper.openPermissions(of: daemon.socketPath, upTo: daemon.root)
        let theirs = try await PeerHelper.run(asUID: Self.nobody, socket: daemon.socketPath, line: """
            {"jsonrpc":"2.0","id":1,"method":"retrieval.search","params":{"query":"how do I rotate log files","k":2}}
            """)
        let passages = try JSONCodec.parse(string: theirs)["result"]?["passages"]?.arrayValue ?? []
        #expect(passages.count == 2 && passages.allSatisfy { $0["rankScore"] == nil }, "\(theirs)")
        #expect(passages.compactMap { $0["source"]?.stringValue } == order)
    }
}
