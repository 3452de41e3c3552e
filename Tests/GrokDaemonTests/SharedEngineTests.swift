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

    /// Eight reference prompts from eight connections at once (all eight slots): each gets
    /// llama.cpp's tokens, which are also what each gets alone.
    @Test func eightClientsTogetherGetTheirSoloTokens() async throws {
        let (daemon, _) = try await EngineMethodsTests.daemonWithModel()
        let cases = Array(try Self.expected().prefix(8))
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

    /// `$/cancelRequest` and `notifications/cancelled` stop a generation mid-decode on the
    /// shared engine: it ends with -32800, its slot is freed, and a stream decoding beside it
    /// carries on to exactly its reference tokens.
    @Test func cancellingMidDecodeLeavesTheOtherStreamUntouched() async throws {
        let (daemon, observer) = try await EngineMethodsTests.daemonWithModel()
        let reference = try Self.expected()[1]
        let steady = Task {
            let client = try await daemon.client()
            defer { Task { await client.close() } }
            return try await client.call(
                Generate.self, .init(prompt: reference.prompt, options: Self.greedy(reference.ids.count), stream: true))
        }
        for cancel in [
            #"{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":7}}"#,
            #"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":7,"reason":"user"}}"#,
        ] {
            let connection = try RawConnection(path: daemon.socketPath)
            try connection.send(
                #"{"jsonrpc":"2.0","id":7,"method":"generate","params":{"prompt":"Once upon a time","options":{"temperature":0,"maxTokens":2000},"stream":true}}"#)
            // Some tokens arrive (it is decoding), then the cancel.
            var deltas = 0
            while deltas < 3 {
                let message = try connection.readJSON()
                #expect(message["method"] == "$/progress")
                if message["params"]?["kind"] == "delta" { deltas += 1 }
            }
            try connection.send(cancel)
            var reply = try connection.readJSON()
            while reply["method"] == "$/progress" { reply = try connection.readJSON() }
            #expect(reply["id"] == 7)
            #expect(reply["error"]?["code"] == -32800)
            #expect(try connection.assertStillServes())
        }
        #expect(try await steady.value.ids == reference.ids)
        #expect(try await eventually { try await observer.call(DaemonStatus.self, NoParams()).model?.running == 0 })
        // Status shows the KV budget: nothing reserved now, the finished stream's prompt kept.
        let cache = try await observer.call(DaemonStatus.self, NoParams()).model?.kvCache
        #expect(cache?.reservedBytes == 0 && cache?.budgetBytes == 1 << 30 && (cache?.keptBytes ?? 0) > 0)
        await observer.close()
    }

    /// `engine.kvCacheMB` bounds the KV caches: a generation that could never fit is refused as
    /// "context too long" with the bytes it needs; a small one still runs.
    @Test func theKVBudgetRefusesWhatCanNeverFit() async throws {
        let daemon = try await TestDaemon.started(
            config: #"{"engine":{"kvCacheMB":1}}"#, arguments: ["--model", EngineMethodsTests.modelPath])
        let client = try await daemon.client()
        _ = try await eventually { try await client.call(DaemonStatus.self, NoParams()).model?.state == "ready" }
        do {
            _ = try await client.call(Generate.self, .init(prompt: "Hello", options: Self.greedy(400)))
            Issue.record("a generation whose cache exceeds the budget must be refused")
        } catch let error as RPCError {
            #expect(error.code == RPCErrorCode.contextTooLong)
            #expect((error.data?["neededBytes"]?.intValue ?? 0) > 1 << 20)
            #expect(error.data?["budgetBytes"]?.intValue == 1 << 20)
        }
        #expect(try await client.call(Generate.self, .init(prompt: "Hello", options: Self.greedy(4))).ids.count == 4)
        #expect(try await client.call(DaemonStatus.self, NoParams()).model?.kvCache?.budgetBytes == 1 << 20)
        await client.close()
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
        // Past the 512-token window of the local layers (their caches moved on), the prefix is
        // still reused, and the answer is the same as without the cache.
        let long = String(repeating: "A long shared context about the history of the river and its towns. ", count: 80)
        let opening = try await client.call(Generate.self, .init(prompt: long + "First question?", options: Self.greedy(3)))
        #expect(opening.usage.promptTokens > 1000)
        let followUp = try await client.call(Generate.self, .init(prompt: long + "Second question?", options: Self.greedy(3)))
        #expect(followUp.usage.cachedTokens > 1000)
        var fresh = Generate.Params(prompt: long + "Second question?", options: Self.greedy(3))
        fresh.cachePrompt = false
        #expect(try await client.call(Generate.self, fresh).ids == followUp.ids)
        await client.close()
    }
}
