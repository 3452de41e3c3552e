import Foundation
import GrokJSON
import GrokPlugins
import GrokProtocol
import GrokRPC
import Synchronization
import Testing

@testable import GrokDaemon

/// `chat` on the real default model (SmolLM2-135M-Instruct): a session is created and both turns stored; a follow-up sees the
/// earlier turn and reuses the session's prompt cache; retrieved passages are cited.
@Suite(.serialized) struct ChatTests {
    static func greedy(_ maxTokens: Int) -> Generate.Options {
        var options = Generate.Options()
        options.temperature = 0
        options.maxTokens = maxTokens
        return options
    }

    /// The default model is instruction-tuned: asked plain questions with the default sampling
    /// (only a seed given, so that the test repeats), it answers and ends at its end-of-turn
    /// token, and never writes out the system text (as the pretrained Gemma did).
    @Test func theDefaultModelAnswersAndEndsItsTurn() async throws {
        let (daemon, client) = try await EngineMethodsTests.daemonWithDefaultModel()
        defer { withExtendedLifetime(daemon) {} }
        #expect(try await client.call(ModelInfo.self, NoParams()).architecture == "llama")
        var options = Generate.Options()
        options.seed = 7
        let system = Self.wordRuns(ChatPrompt.system, length: 4)
        var answers: [String] = []
        for question in ["What is the capital of France?", "Name a primary colour.", "How many legs does a spider have?"] {
            let answer = try await client.call(Chat.self, .init(message: question, options: options, retrieval: "off"))
            #expect(answer.finishReason == "stop", "\(question) → \(answer.text)")
            #expect(!answer.text.isEmpty && !answer.text.contains("<|im_"), "\(question) → \(answer.text)")
            let echoed = system.intersection(Self.wordRuns(answer.text, length: 4))
            #expect(echoed.isEmpty, "\(question) → \(answer.text) (echoes \(echoed))")
            answers.append(answer.text)
        }
        #expect(answers[0].contains("Paris"), "\(answers[0])")
        await client.close()
    }

    /// Every run of `length` consecutive words of `text`, lowercased, without punctuation.
    static func wordRuns(_ text: String, length: Int) -> Set<String> {
        let words = text.lowercased().split { !$0.isLetter && !$0.isNumber && $0 != "'" }.map(String.init)
        guard words.count >= length else { return [] }
        return Set((0...(words.count - length)).map { words[$0..<($0 + length)].joined(separator: " ") })
    }

    @Test func aConversationIsStoredAndFollowUpsReuseItsCache() async throws {
        let (daemon, client) = try await EngineMethodsTests.daemonWithDefaultModel()
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
        let (daemon, client) = try await EngineMethodsTests.daemonWithDefaultModel()
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
        // {k, sources}: how many passages, from which plugins.
        let one = try await client.call(ChatPromptPreview.self, .init(message: "quokka island", retrieval: ["k": 1, "sources": ["docs"]]))
        #expect(one.citations.count == 1 && one.prompt.contains("[1] (\(folder)/travel.md:1)"), "\(one.prompt)")
        let none = try await client.call(ChatPromptPreview.self, .init(message: "quokka island", retrieval: ["sources": ["sysinfo"]]))
        #expect(none.citations.isEmpty && !none.prompt.contains("Passages:"))
        for bad: JSONValue in [["k": 50], ["sources": "docs"], ["q": 1], "sometimes"] {
            await #expect(throws: RPCError.self) { _ = try await client.call(ChatPromptPreview.self, .init(message: "x", retrieval: bad)) }
        }
        await client.close()
    }

    /// A required call of calc.eval: the call parses and fits the schema (the daemon checks it
    /// before the plugin runs), the plugin answers, the model answers after it; all streamed
    /// and stored. On Gemma 3 270M: the 135M default model does not write a usable expression
    /// (it loops on `{17} * {23} = …` until maxTokens; see the README).
    @Test func aRequiredToolCallIsWrittenRunAndAnswered() async throws {
        let (daemon, client) = try await EngineMethodsTests.daemonWithModel()
        defer { withExtendedLifetime(daemon) {} }
        #expect(try await PluginTests.ready(client, ["calc"]))
        let kinds = Mutex<[String]>([])
        let answer = try await client.call(
            Chat.self,
            .init(message: "What is 17 times 23?", options: Self.greedy(40), retrieval: "off", tools: ["calc.eval"], toolChoice: "required",
                  stream: true)
        ) { progress in
            if let kind = progress["kind"]?.stringValue { kinds.withLock { $0.append(kind) } }
        }
        let call = try #require(answer.toolCalls?.first)
        #expect(call.name == "calc.eval" && call.error == nil, "\(call)")
        let expression = call.arguments?["expression"]?.stringValue ?? ""
        #expect(!expression.isEmpty && call.arguments?.objectValue?.count == 1, "\(call.text)")
        #expect(call.result?.content.isEmpty == false, "\(call)")
        #expect(!answer.text.isEmpty && answer.usage.completionTokens > 0, "\(answer.text) \(answer.finishReason) \(call)")
        let seen = kinds.withLock { $0 }
        #expect(Array(seen.prefix(2)) == ["toolCall", "toolResult"] && seen.dropFirst(2).allSatisfy { $0 == "delta" }, "\(seen)")
        let stored = try await client.call(SessionGet.self, .init(id: answer.session)).messages.last
        #expect(stored?.toolCalls?.arrayValue?.first?["name"]?.stringValue == "calc.eval" && stored?.content == answer.text)
        // An unknown tool, or a required call without tools, is refused before the model runs.
        for params in [Chat.Params(message: "x", tools: ["calc.nothing"]), Chat.Params(message: "x", toolChoice: "required")] {
            await #expect(throws: RPCError.self) { _ = try await client.call(Chat.self, params) }
        }
        await client.close()
    }

    /// An answer corrected (or rated up) becomes an exemplar: the prompt of a similar question
    /// opens with it as an exchange, an unrelated one does not; `grokctl learn` shows and forgets it.
    @Test func approvedAnswersBecomeExemplarsForSimilarQuestions() async throws {
        let (daemon, client) = try await EngineMethodsTests.daemonWithDefaultModel()
        defer { withExtendedLifetime(daemon) {} }
        let first = try await client.call(Chat.self, .init(message: "How do I reverse a list in Python?", options: Self.greedy(8), retrieval: "off"))
        _ = try await client.call(FeedbackSubmit.self, .init(messageId: first.messageId, rating: 1, correction: "Use reversed(items) or items[::-1]."))
        #expect(try await client.call(LearnStatus.self, NoParams()).exemplars == 1)
        let similar = Chat.Params(message: "What is the way to reverse a Python list?", retrieval: "off")
        let shown = try await client.call(ChatPromptPreview.self, similar).prompt
        // The exemplar comes first, as an exchange: the question, then the approved answer, then the new question.
        let question = try #require(shown.range(of: "How do I reverse a list in Python?"), "\(shown)")
        let approved = try #require(shown.range(of: "Use reversed(items) or items[::-1]."), "\(shown)")
        let asked = try #require(shown.range(of: "What is the way to reverse a Python list?"), "\(shown)")
        #expect(question.upperBound < approved.lowerBound && approved.upperBound < asked.lowerBound, "\(shown)")
        #expect(shown[question.upperBound..<approved.lowerBound].contains("<|im_start|>assistant"), "the answer is the model's turn: \(shown)")
        #expect(shown.contains("earlier answers this user approved"))
        let unrelated = try await client.call(ChatPromptPreview.self, .init(message: "Tell me about the weather today", retrieval: "off")).prompt
        #expect(!unrelated.contains("earlier answers this user approved") && !unrelated.contains("reversed(items)"))
        // Beside tools, no exemplar (a template may put the tools into the first user turn).
        let withTools = try await client.call(ChatPromptPreview.self, .init(message: similar.message, retrieval: "off", tools: ["calc.eval"])).prompt
        #expect(!withTools.contains("reversed(items)"), "\(withTools)")
        // In the session where it was corrected, the correction takes the answer's place: the
        // exchange appears once, with the corrected answer.
        let sameSession = try await client.call(ChatPromptPreview.self, .init(session: first.session, message: similar.message, retrieval: "off")).prompt
        #expect(sameSession.components(separatedBy: "How do I reverse a list in Python?").count == 2, "\(sameSession)")
        #expect(sameSession.components(separatedBy: "Use reversed(items) or items[::-1].").count == 2, "\(sameSession)")
        #expect(!sameSession.contains("earlier answers this user approved"))
        let socket = ["--socket", daemon.socketPath, "--no-autostart"]
        let (status, output) = try await ExampleClientTests.run(TestDaemon.grokctl, ["learn", "status"] + socket, environment: daemon.environment)
        // Not on a terminal, grokctl prints the result as JSON.
        #expect(status == 0 && (try? JSONCodec.parse(string: output))?["exemplars"] == 1, "\(output)")
        let (_, reset) = try await ExampleClientTests.run(TestDaemon.grokctl, ["learn", "reset"] + socket, environment: daemon.environment)
        #expect((try? JSONCodec.parse(string: reset))?["forgotten"] == 1, "\(reset)")
        #expect(try await !client.call(ChatPromptPreview.self, similar).prompt.contains("reversed(items)"))
        #expect(try await client.call(LearnStatus.self, NoParams()).exemplars == 0)
        await client.close()
    }

    /// `format` with a JSON Schema: twenty different questions, twenty answers that parse and
    /// follow the schema.
    @Test func aFormatGivesJSONThatFollowsTheSchema() async throws {
        let (daemon, client) = try await EngineMethodsTests.daemonWithDefaultModel()
        defer { withExtendedLifetime(daemon) {} }
        let schema = try JSONCodec.parse(string: """
            {"type":"object","properties":{"answer":{"type":"string","minLength":1,"maxLength":60},
             "confidence":{"type":"number"},"keywords":{"type":"array","items":{"type":"string","maxLength":20},"maxItems":3}},
             "required":["answer","confidence"],"additionalProperties":false}
            """)
        let questions = [
            "What is the capital of France?", "How many legs does a spider have?", "Name a primary colour.",
            "What is 2 plus 2?", "Which planet is closest to the sun?", "What language is spoken in Brazil?",
            "Who wrote Hamlet?", "What is the boiling point of water in Celsius?", "Name a mammal that flies.",
            "What is the largest ocean?", "How many days are in a week?", "What gas do plants take in?",
            "What is the opposite of hot?", "Which animal says moo?", "What is frozen water called?",
            "Name a fruit that is yellow.", "How many sides does a triangle have?", "What do bees make?",
            "What is the chemical symbol for gold?", "Which season comes after winter?",
        ]
        // Room for the longest value the schema allows, so every answer can finish.
        var options = Self.greedy(400)
        options.format = schema
        for question in questions {
            let answer = try await client.call(Chat.self, .init(message: question, options: options, retrieval: "off"))
            let value = try JSONCodec.parse(string: answer.text)
            #expect(JSONSchemaValidator.check(value, against: schema) == nil, "\(question) → \(answer.text)")
            #expect(answer.finishReason == "stop", "\(question) → \(answer.text)")
        }
        // "json" asks for any JSON value; a schema the daemon cannot use is refused, naming it.
        options.format = "json"
        options.maxTokens = 60
        let free = try await client.call(Chat.self, .init(message: "List two colours as JSON.", options: options, retrieval: "off"))
        if free.finishReason == "stop" { #expect((try? JSONCodec.parse(string: free.text)) != nil, "\(free.text)") }
        options.format = ["type": "strung"]
        do {
            _ = try await client.call(Chat.self, .init(message: "x", options: options, retrieval: "off"))
            Issue.record("an unusable schema must be refused")
        } catch let error as RPCError {
            #expect(error.code == RPCErrorCode.invalidParams && error.data?["field"] == "options.format", "\(error)")
        }
        await client.close()
    }

    /// Cancelling mid-answer keeps what was generated, marked cancelled.
    @Test func cancellingMidAnswerStoresThePartialTurn() async throws {
        let (daemon, client) = try await EngineMethodsTests.daemonWithDefaultModel()
        defer { withExtendedLifetime(daemon) {} }
        let session = try await client.call(SessionCreate.self, .init(title: "cancel"))
        let streamed = Mutex("")
        let call = Task {
            try await client.call(
                Chat.self, .init(session: session.id, message: "Tell me a long story about the sea.", options: Self.greedy(2000), retrieval: "off",
                                 stream: true)
            ) { progress in
                if let text = progress["text"]?.stringValue { streamed.withLock { $0 += text } }
            }
        }
        _ = try await eventually { streamed.withLock { $0.count } > 20 }
        call.cancel()
        await #expect(throws: RPCError.cancelled) { try await call.value }
        let messages = try #require(try await eventually {
            try await client.call(SessionGet.self, .init(id: session.id)).messages.count == 2
        } ? try await client.call(SessionGet.self, .init(id: session.id)).messages : nil)
        #expect(messages.map(\.role) == ["user", "assistant"] && messages[1].finish == "cancelled")
        let partial = messages[1].content
        // Everything the client saw, and what the engine made before it stopped.
        #expect(partial.hasPrefix(streamed.withLock { $0 }) && partial.count >= 20, "\(partial)")
        await client.close()
    }

    /// The prompt as rendered: the caller's preferences shape it, another uid's never appear.
    @Test(SecurityTests.asRoot) func preferencesShapeThePromptOfTheirOwnerOnly() async throws {
        let daemon = try await TestDaemon.started(arguments: ["--model", EngineMethodsTests.defaultModelPath, "--allow-uid", "\(SecurityTests.nobody)"])
        let client = try await daemon.client()
        #expect(try await eventually { try await client.call(DaemonStatus.self, NoParams()).model?.state == "ready" })
        PeerHelper.openPermissions(of: daemon.socketPath, upTo: daemon.root)
        let plain = try await client.call(ChatPromptPreview.self, .init(message: "Hello there", retrieval: "off")).prompt
        _ = try await client.call(PrefsSet.self, .init(key: "name", value: "Ada"))
        _ = try await client.call(PrefsSet.self, .init(key: "style", value: "answers in haiku"))
        let other = try await PeerHelper.run(
            asUID: SecurityTests.nobody, socket: daemon.socketPath,
            line: #"{"jsonrpc":"2.0","id":1,"method":"prefs.set","params":{"key":"name","value":"Mallory"}}"#)
        #expect(try JSONCodec.parse(string: other)["result"] != nil, "\(other)")
        let mine = try await client.call(ChatPromptPreview.self, .init(message: "Hello there", retrieval: "off"))
        // The default model's own template (ChatML), with grok's system text as the system turn.
        #expect(mine.prompt.hasPrefix("<|im_start|>system\n" + ChatPrompt.system), "\(mine.prompt)")
        #expect(mine.prompt.hasSuffix("<|im_start|>user\nHello there<|im_end|>\n<|im_start|>assistant\n"), "\(mine.prompt)")
        #expect(mine.prompt.contains("- name: Ada\n- style: answers in haiku") && !mine.prompt.contains("Mallory"), "\(mine.prompt)")
        #expect(!plain.contains("Ada") && mine.promptTokens > 0)
        let theirs = try await PeerHelper.run(
            asUID: SecurityTests.nobody, socket: daemon.socketPath,
            line: #"{"jsonrpc":"2.0","id":2,"method":"chat.prompt","params":{"message":"Hello there","retrieval":"off"}}"#)
        let theirPrompt = try JSONCodec.parse(string: theirs)["result"]?["prompt"]?.stringValue ?? ""
        #expect(theirPrompt.contains("- name: Mallory") && !theirPrompt.contains("Ada") && !theirPrompt.contains("haiku"), "\(theirs)")
        // chat.prompt stores nothing and creates no session.
        #expect(try await client.call(SessionList.self, .init()).sessions.isEmpty)
        await client.close()
    }
}
