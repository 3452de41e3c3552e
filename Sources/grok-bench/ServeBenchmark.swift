import ArgumentParser
import Foundation
import GrokClient
import GrokEngine
import GrokJSON
import GrokProtocol
import GrokRPC
import Synchronization

/// The shared engine through the socket: what clients of a running daemon see.
struct ServeBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Generation through the daemon: TTFT, decode and aggregate tokens/s, inter-token latency.",
        discussion: """
            Without --socket, starts its own grokd (next to this binary) with the fidelity model (Gemma 3 270M), \
            the model llama.cpp's server figures in shared/reference/ANCHORS.md were taken on; --model for another.
            """)

    @Option(help: "Benchmark a running daemon on this socket instead of starting one.")
    var socket: String?

    @Option(help: "GGUF model of the daemon it starts (default: the fidelity model).")
    var model: String?

    @Option(help: "Tokens each stream generates.")
    var tokens = 128

    @Option(help: "Concurrent stream counts for the aggregate figures.")
    var streams = "1,2,4,8,16"

    /// What one streamed generation saw: when it was sent, each delta's arrival, its token count.
    struct Trace: Sendable {
        var sent: ContinuousClock.Instant
        var deltas: [ContinuousClock.Instant] = []
        var tokens = 0
        var ttftMs: Double { deltas.first.map { ($0 - sent).seconds * 1000 } ?? .nan }
    }

    func run() async throws {
        let (path, pid) = try socket.map { ($0, nil) } ?? BenchDaemon.start("serve", arguments: ["--model", model ?? FidelityModel.path()])
        defer { if let pid { kill(pid, SIGTERM) } }
        try await Self.waitForModel(path)
        print("serve benchmark on \(path), \(tokens) tokens per stream")
        let single = try await generate(path, prompt: "Once upon a time", maxTokens: tokens)
        let decodeSeconds = single.deltas.count > 1 ? (single.deltas.last! - single.deltas.first!).seconds : .nan
        print("single stream: TTFT \(Measure.format(single.ttftMs)) ms,",
              "decode \(Measure.format(Double(single.tokens - 1) / decodeSeconds)) tokens/s")
        for count in streams.split(separator: ",").compactMap({ Int($0) }) {
            try await aggregate(path, streams: count)
        }
        try await interTokenWhileLongPromptArrives(path)
        try await promptCache(path)
        if let pid { print("daemon peak RSS: \(Self.peakRSS(pid)) MB") }
    }

    private func aggregate(_ path: String, streams count: Int) async throws {
        let clock = ContinuousClock()
        let start = clock.now
        let traces = try await withThrowingTaskGroup(of: Trace.self) { group in
            for index in 0..<count {
                group.addTask { try await generate(path, prompt: "Story \(index): once upon a time", maxTokens: tokens) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let seconds = (clock.now - start).seconds
        let total = traces.reduce(0) { $0 + $1.tokens }
        let ttft = traces.map(\.ttftMs)
        print("\(count) streams: \(Measure.format(Double(total) / seconds)) tokens/s aggregate,",
              "TTFT p50 \(Measure.format(Measure.percentile(ttft, 0.5))) ms, p99 \(Measure.format(Measure.percentile(ttft, 0.99))) ms")
    }

    /// A follow-up sharing a ~1000-token prefix with the previous request of its connection,
    /// next to the same request with the cache off.
    private func promptCache(_ path: String) async throws {
        let client = try await RPCClient.connect(path: path)
        defer { Task { await client.close() } }
        let prefix = String(repeating: "A long shared context about the history of the river and its towns. ", count: 80)
        var options = Generate.Options()
        options.temperature = 0
        options.maxTokens = 1
        func ttft(_ prompt: String, cache: Bool) async throws -> (Double, Int) {
            var params = Generate.Params(prompt: prompt, options: options)
            params.cachePrompt = cache
            let clock = ContinuousClock()
            let start = clock.now
            let result = try await client.call(Generate.self, params)
            return ((clock.now - start).seconds * 1000, result.usage.cachedTokens)
        }
        _ = try await ttft(prefix + "First question?", cache: true)
        let (cached, reused) = try await ttft(prefix + "Second question?", cache: true)
        let (uncached, _) = try await ttft(prefix + "Second question?", cache: false)
        print("follow-up sharing a ~1000-token prefix: TTFT \(Measure.format(cached)) ms cached (\(reused) tokens reused),",
              "\(Measure.format(uncached)) ms without the cache (\(Measure.format(cached / uncached, 2))x)")
    }

    /// Four streams decode; a 2000-token prompt arrives while they do.
    private func interTokenWhileLongPromptArrives(_ path: String) async throws {
        let longPrompt = String(repeating: "The quick brown fox jumps over the lazy dog. ", count: 200)
        let traces = try await withThrowingTaskGroup(of: Trace.self) { group in
            for index in 0..<4 {
                group.addTask { try await generate(path, prompt: "Stream \(index): once upon a time", maxTokens: 4 * tokens) }
            }
            group.addTask {
                try await Task.sleep(for: .milliseconds(500))
                var trace = try await generate(path, prompt: longPrompt, maxTokens: 1)
                trace.tokens = -1  // marks the long prompt
                return trace
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let long = traces.first { $0.tokens == -1 }!
        var gaps: [Double] = []
        for trace in traces where trace.tokens >= 0 {
            for (a, b) in zip(trace.deltas, trace.deltas.dropFirst()) { gaps.append((b - a).seconds * 1000) }
        }
        print("inter-token, 4 streams while a ~2000-token prompt is prefilled: p50 \(Measure.format(Measure.percentile(gaps, 0.5))) ms,",
              "p99 \(Measure.format(Measure.percentile(gaps, 0.99))) ms; the long prompt's TTFT \(Measure.format(long.ttftMs)) ms")
    }

    /// One streamed greedy generation on a connection of its own.
    private func generate(_ path: String, prompt: String, maxTokens: Int) async throws -> Trace {
        let client = try await RPCClient.connect(path: path)
        defer { Task { await client.close() } }
        var options = Generate.Options()
        options.temperature = 0
        options.maxTokens = maxTokens
        let trace = Mutex(Trace(sent: .now))
        let result = try await client.call(Generate.self, .init(prompt: prompt, options: options, stream: true)) { progress in
            if progress["kind"] == "delta" { trace.withLock { $0.deltas.append(.now) } }
        }
        return trace.withLock { trace in
            trace.tokens = result.ids.count
            return trace
        }
    }

    static func waitForModel(_ path: String) async throws {
        let client = try await RPCClient.connect(path: path)
        defer { Task { await client.close() } }
        for _ in 0..<600 {
            let state = try await client.call(DaemonStatus.self, NoParams()).model?.state
            if state == "ready" { return }
            if let state, state.hasPrefix("failed") { throw ValidationError("the daemon's model \(state)") }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw ValidationError("the daemon's model did not load")
    }

    /// The daemon's peak resident set (VmHWM), in MB.
    static func peakRSS(_ pid: pid_t) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
            let kilobytes = line.split(separator: " ").compactMap({ Int($0) }).first
        else { return -1 }
        return kilobytes / 1024
    }
}
