import Foundation
import GrokJSON
import GrokProtocol
import GrokRPC
import Synchronization
import Testing

/// Many clients on the daemon's one engine: generations run together, each as if alone;
/// extra requests wait (and hear their place) or are refused at once; leaving frees the slot.
@Suite(.serialized) struct SharedEngineTests {
    struct Expected: Decodable {
        let prompt: String
        let ids: [Int32]
    }

    /// llama.cpp's greedy continuations as run on this machine (the engine tests' fixture).
    static func expected() throws -> [Expected] {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<2 { url.deleteLastPathComponent() }
        url.appendPathComponent("GrokEngineTests/Fixtures/gemma3-270m-llamacpp-local.json")
        struct File: Decodable { let greedy: [Expected] }
        return try JSONDecoder().decode(File.self, from: Data(contentsOf: url)).greedy
    }

    static func greedy(_ maxTokens: Int) -> Generate.Options {
        var options = Generate.Options()
        options.temperature = 0
        options.maxTokens = maxTokens
        return options
    }

    /// The six reference prompts from six connections at once: each gets llama.cpp's tokens.
    @Test func sixClientsTogetherGetTheirSoloTokens() async throws {
        let (daemon, _) = try await EngineMethodsTests.daemonWithModel()
        let cases = Array(try Self.expected().prefix(6))
        let results = try await withThrowingTaskGroup(of: (Int, [Int32]).self) { group in
            for (index, expected) in cases.enumerated() {
                group.addTask {
                    let client = try await daemon.client()
                    defer { Task { await client.close() } }
                    let result = try await client.call(
                        Generate.self, .init(prompt: expected.prompt, options: Self.greedy(expected.ids.count), stream: true))
                    return (index, result.ids)
                }
            }
            var results: [Int: [Int32]] = [:]
            for try await (index, ids) in group { results[index] = ids }
            return results
        }
        for (index, expected) in cases.enumerated() { #expect(results[index] == expected.ids, "\(expected.prompt)") }
    }

    /// One slot, one place in the queue: the second request waits at position 0, the third is
    /// refused with -32001 and a retry hint; a client that disconnects mid-stream frees its slot.
    @Test func queueOverloadAndDisconnect() async throws {
        let daemon = try await TestDaemon.started(
            config: #"{"engine":{"maxParallel":1,"maxQueue":1}}"#, arguments: ["--model", EngineMethodsTests.modelPath])
        let probe = try await daemon.client()
        _ = try await eventually { try await probe.call(DaemonStatus.self, NoParams()).model?.state == "ready" }
        // A long generation takes the only slot; its client will vanish mid-stream.
        let leaver = try await daemon.client()
        let streaming = Atomic<Bool>(false)
        let long = Task {
            try await leaver.call(Generate.self, .init(prompt: "Once upon a time", options: Self.greedy(2000), stream: true)) { _ in
                streaming.store(true, ordering: .relaxed)
            }
        }
        #expect(try await eventually { streaming.load(ordering: .relaxed) })
        // The next one queues and hears its place.
        let waiter = try await daemon.client()
        let positions = Mutex<[Int]>([])
        let queued = Task {
            try await waiter.call(Generate.self, .init(prompt: "The capital of France is", options: Self.greedy(4), stream: true)) { progress in
                if progress["kind"] == "queued", case .int(let position)? = progress["position"] {
                    positions.withLock { $0.append(Int(position)) }
                }
            }
        }
        #expect(try await eventually { positions.withLock { $0 == [0] } })
        let load = try await probe.call(DaemonStatus.self, NoParams()).model
        #expect(load?.running == 1 && load?.queued == 1, "status shows the engine's load")
        // The queue is full: refused at once, with a hint.
        let third = try await daemon.client()
        do {
            _ = try await third.call(Generate.self, .init(prompt: "Hello", options: Self.greedy(4)))
            Issue.record("a request beyond the queue limit must be refused")
        } catch let error as RPCError {
            #expect(error.code == RPCErrorCode.overloaded)
            #expect(error.data?["retryAfterMs"] != nil)
        }
        // The long stream's client disconnects; the queued request gets the slot and finishes.
        await leaver.close()
        _ = try? await long.value
        let result = try await queued.value
        #expect(result.ids == [506, 5279, 529, 506])
        #expect(result.timings.queuedMs > 0)
        for client in [probe, waiter, third] { await client.close() }
    }

    /// A connection's follow-up reuses its cached prompt prefix; `usage.cachedTokens` says so.
    @Test func followUpsReuseTheCachedPrefix() async throws {
        let (daemon, client) = try await EngineMethodsTests.daemonWithModel()
        _ = daemon
        let prompt = "The capital of France is"
        let first = try await client.call(Generate.self, .init(prompt: prompt, options: Self.greedy(4)))
        #expect(first.usage.cachedTokens == 0)
        let second = try await client.call(Generate.self, .init(prompt: prompt + " the capital of", options: Self.greedy(4)))
        #expect(second.usage.cachedTokens >= first.usage.promptTokens)
        var uncached = Generate.Params(prompt: prompt, options: Self.greedy(4))
        uncached.cachePrompt = false
        #expect(try await client.call(Generate.self, uncached).usage.cachedTokens == 0)
        await client.close()
    }
}
