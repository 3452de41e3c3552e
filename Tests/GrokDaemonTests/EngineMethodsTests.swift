import Foundation
import GrokEngine
import GrokJSON
import GrokProtocol
import GrokRPC
import Synchronization
import Testing

/// The engine's methods through the real daemon with the real fidelity model (Gemma 3 270M,
/// whose tokens llama.cpp's are compared with).
@Suite(.serialized) struct EngineMethodsTests {
    /// Gemma 3 270M: the model of the engine's fidelity tests (its token ids are llama.cpp's).
    static var modelPath: String { FidelityModel.path() }
    /// SmolLM2-135M-Instruct: the default model, for tests of conversation.
    static var defaultModelPath: String { DefaultModel.path() }

    /// A daemon with the fidelity model loaded (or the model at `path`), and a client.
    static func daemonWithModel(_ path: String = modelPath) async throws -> (TestDaemon, RPCClient) {
        let daemon = try await TestDaemon.started(arguments: ["--model", path])
        let client = try await daemon.client()
        let ready = try await eventually { try await client.call(DaemonStatus.self, NoParams()).model?.state == "ready" }
        #expect(ready, "the model did not load: \(daemon.log)")
        // Status names the instruction set chosen at run time and the engine's threads.
        let engine = try await client.call(DaemonStatus.self, NoParams()).model?.engine ?? ""
        #expect(["avx512-vnni", "avx2", "portable"].contains { engine.hasPrefix($0) } && engine.hasSuffix("threads"), "\(engine)")
        return (daemon, client)
    }

    /// A daemon with the default model loaded, and a client.
    static func daemonWithDefaultModel() async throws -> (TestDaemon, RPCClient) {
        try await daemonWithModel(defaultModelPath)
    }

    @Test func tokenizeDetokenizeAndInfo() async throws {
        let (daemon, client) = try await Self.daemonWithModel()
        _ = daemon
        let ids = try await client.call(Tokenize.self, .init(text: "Hello, world!")).ids
        #expect(ids == [2, 9259, 236764, 1902, 236888])  // llama.cpp's tokenisation
        #expect(try await client.call(Detokenize.self, .init(ids: ids)).text == "Hello, world!")
        await #expect(throws: RPCError.self) { try await client.call(Detokenize.self, .init(ids: [-1])) }
        let info = try await client.call(ModelInfo.self, NoParams())
        #expect(info.architecture == "gemma3")
        #expect(info.vocabSize == 262_144)
        #expect(info.contextLength == 32_768)
        await client.close()
    }

    @Test func greedyGenerationStreamsDeltasThatAddUpToTheText() async throws {
        let (daemon, client) = try await Self.daemonWithModel()
        _ = daemon
        var options = Generate.Options()
        options.maxTokens = 8
        options.temperature = 0
        let pieces = Mutex<[String]>([])
        let result = try await client.call(Generate.self, .init(prompt: "The capital of France is", options: options, stream: true)) { progress in
            if progress["kind"] == "delta", let text = progress["text"]?.stringValue { pieces.withLock { $0.append(text) } }
        }
        #expect(result.ids.count == 8)
        #expect(result.finishReason == "length")
        #expect(result.usage.promptTokens == 6)
        #expect(result.usage.completionTokens == 8)
        #expect(pieces.withLock { $0.joined() } == result.text)
        // llama.cpp's greedy continuation starts the same way.
        #expect(result.text.hasPrefix(" the capital of"))
        await client.close()
    }

    /// Greedy generations draft by prompt lookup and the model verifies: the tokens are those
    /// of a daemon that does not speculate (engine.draftTokens 0), the timings and the status
    /// count the drafts, and streamed pieces still add up to the text.
    @Test func speculativeDecodingKeepsTheTokensAndCountsTheDrafts() async throws {
        var options = Generate.Options()
        options.maxTokens = 40
        options.temperature = 0
        let params = Generate.Params(prompt: "The capital of France is", options: options, stream: true)
        let plain = try await TestDaemon.started(config: #"{"engine":{"draftTokens":0},"builtinPlugins":false}"#, arguments: ["--model", Self.modelPath])
        let plainClient = try await plain.client()
        let expected = try await plainClient.call(Generate.self, params)
        #expect(expected.timings.draftedTokens == nil)
        await plainClient.close()
        let (daemon, client) = try await Self.daemonWithModel()
        defer { withExtendedLifetime(daemon) {} }
        let pieces = Mutex<[String]>([])
        let result = try await client.call(Generate.self, params) { progress in
            if progress["kind"] == "delta", let text = progress["text"]?.stringValue { pieces.withLock { $0.append(text) } }
        }
        #expect(result.ids == expected.ids && result.text == expected.text)
        #expect(pieces.withLock { $0.joined() } == result.text)
        let drafted = try #require(result.timings.draftedTokens, "the repetitive continuation was not drafted")
        let accepted = try #require(result.timings.acceptedDraftTokens)
        #expect(drafted > 0 && accepted > 0 && accepted <= drafted, "\(result.timings)")
        let status = try #require(try await client.call(DaemonStatus.self, NoParams()).model?.speculation)
        #expect(status.draftedTokens >= drafted && status.acceptedTokens >= accepted && status.acceptanceRate > 0, "\(status)")
        await client.close()
    }

    /// A chat in a new session drafts from the user's earlier sessions too: the same question
    /// again gets the same answer, with more of it drafted and confirmed.
    @Test func chatDraftsFromTheUsersEarlierSessions() async throws {
        let (daemon, client) = try await Self.daemonWithModel()
        defer { withExtendedLifetime(daemon) {} }
        var options = Generate.Options()
        options.maxTokens = 48
        options.temperature = 0
        let question = Chat.Params(message: "Describe the harbour town of Port Quill in two sentences.", options: options, retrieval: "off")
        let first = try await client.call(Chat.self, question)
        let again = try await client.call(Chat.self, question)
        #expect(first.session != again.session && first.text == again.text, "\(first.text) | \(again.text)")
        let before = first.timings.acceptedDraftTokens ?? 0
        let after = try #require(again.timings.acceptedDraftTokens)
        #expect(after > before, "drafts confirmed: \(before) without the earlier session, \(after) with it")
        await client.close()
    }

    @Test func stopStringsSeedsAndLimits() async throws {
        let (daemon, client) = try await Self.daemonWithModel()
        _ = daemon
        var stopAt = Generate.Options()
        stopAt.temperature = 0
        stopAt.maxTokens = 20
        stopAt.stop = ["France."]
        let stopped = try await client.call(Generate.self, .init(prompt: "The capital of France is", options: stopAt))
        #expect(stopped.finishReason == "stop")
        #expect(!stopped.text.contains("France."))
        var seeded = Generate.Options()
        seeded.temperature = 0.9
        seeded.maxTokens = 6
        seeded.seed = 42
        let first = try await client.call(Generate.self, .init(prompt: "Once upon a time", options: seeded))
        let second = try await client.call(Generate.self, .init(prompt: "Once upon a time", options: seeded))
        #expect(first.ids == second.ids)
        var tooLong = Generate.Options()
        tooLong.maxTokens = 32_768
        do {
            _ = try await client.call(Generate.self, .init(prompt: "Hello", options: tooLong))
            Issue.record("a prompt beyond the context must fail")
        } catch let error as RPCError {
            #expect(error.code == RPCErrorCode.contextTooLong)
            #expect(error.data?["contextLength"] == 32_768)
        }
        await client.close()
    }

    @Test func cancellingAGenerationEndsItWithMinus32800() async throws {
        let (daemon, client) = try await Self.daemonWithModel()
        _ = daemon
        var options = Generate.Options()
        options.maxTokens = 2000
        let sawDelta = Atomic<Bool>(false)
        let call = Task {
            try await client.call(Generate.self, .init(prompt: "Once upon a time", options: options, stream: true)) { _ in
                sawDelta.store(true, ordering: .relaxed)
            }
        }
        _ = try await eventually { sawDelta.load(ordering: .relaxed) }
        call.cancel()
        await #expect(throws: RPCError.cancelled) { try await call.value }
        #expect(try await client.call(Tokenize.self, .init(text: "a")).ids == [2, 236746])  // the engine is free again
        await client.close()
    }

    @Test func withoutAModelTheMethodsSaySo() async throws {
        let daemon = try await TestDaemon.started()
        let client = try await daemon.client()
        do {
            _ = try await client.call(Tokenize.self, .init(text: "x"))
            Issue.record("tokenize without a model must fail")
        } catch let error as RPCError {
            #expect(error.code == RPCErrorCode.modelUnavailable)
        }
        await client.close()
    }
}
