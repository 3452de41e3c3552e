import ArgumentParser
import Foundation
import GrokJSON
import GrokProtocol
import GrokRPC
import Synchronization

/// `chat` through the daemon: time to first token of a fresh chat, of a follow-up turn with
/// 2,000 tokens of history (cold, then with the session's prompt cache), and with retrieval on.
struct ChatBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chat",
        abstract: "Chat through the daemon: time to first token fresh, with 2,000 tokens of history, with retrieval.",
        discussion: "Starts its own grokd (next to this binary) with the default model and a database of its own.")

    @Option(help: "Runs of each measurement (the median is printed).")
    var runs = 5

    @Option(help: "Folder the docs plugin indexes for the retrieval figure.")
    var docs = FileManager.default.currentDirectoryPath + "/protocol"

    func run() async throws {
        let (path, pid) = try BenchDaemon.start("chat", privateDatabase: true)
        defer { if let pid { kill(pid, SIGTERM) } }
        let client = try await RPCClient.connect(path: path)
        try await ServeBenchmark.waitForModel(path)
        print("chat benchmark on \(path), median of \(runs) runs; TTFT as the client sees it (first delta), and the daemon's")
        var fresh: [(Double, Double)] = []
        for index in 0..<runs {
            fresh.append(try await ttft(client, .init(message: "Question \(index): what is a daemon?", options: Self.options, retrieval: "off")))
        }
        report("fresh chat", fresh, note: nil)
        var cold: [(Double, Double)] = [], warm: [(Double, Double)] = []
        var cached: [Int] = []
        for index in 0..<runs {
            let session = try await sessionWithHistory(client, tokens: 2000, tag: index)
            cold.append(try await ttft(client, .init(session: session, message: "Summarise what we said.", options: Self.options, retrieval: "off")))
            let (seen, reported, reused) = try await ttftWithUsage(
                client, .init(session: session, message: "And in one word?", options: Self.options, retrieval: "off"))
            warm.append((seen, reported))
            cached.append(reused)
        }
        report("2,000 tokens of history, first turn", cold, note: "no cache yet")
        report("2,000 tokens of history, follow-up", warm, note: "cached tokens \(cached.sorted()[cached.count / 2])")
        let indexed = try await client.call(ToolsCall.self, .init(name: "docs.index", arguments: ["path": .string(docs)]))
        guard !indexed.isError else { throw ValidationError("docs.index failed: \(indexed.content)") }
        var retrieval: [(Double, Double)] = []
        for index in 0..<runs {
            retrieval.append(try await ttft(client, .init(message: "Question \(index): how is a request cancelled?", options: Self.options)))
        }
        report("fresh chat with retrieval (docs of \((docs as NSString).lastPathComponent)/)", retrieval, note: nil)
        await client.close()
    }

    static let options: Generate.Options = {
        var options = Generate.Options()
        options.temperature = 0
        options.maxTokens = 8
        return options
    }()

    private func report(_ label: String, _ samples: [(Double, Double)], note: String?) {
        let client = samples.map(\.0).sorted()[samples.count / 2]
        let daemon = samples.map(\.1).sorted()[samples.count / 2]
        print("\(label): TTFT \(Measure.format(client)) ms (daemon \(Measure.format(daemon)) ms)\(note.map { ", " + $0 } ?? "")")
    }

    private func ttft(_ client: RPCClient, _ params: Chat.Params) async throws -> (Double, Double) {
        let (seen, daemon, _) = try await ttftWithUsage(client, params)
        return (seen, daemon)
    }

    /// Client-side time to the first delta, the daemon's ttftMs, and the cached prompt tokens.
    private func ttftWithUsage(_ client: RPCClient, _ params: Chat.Params) async throws -> (Double, Double, Int) {
        var streamed = params
        streamed.stream = true
        let sent = ContinuousClock.now
        let first = Mutex<ContinuousClock.Instant?>(nil)
        let result = try await client.call(Chat.self, streamed) { progress in
            if progress["kind"] == "delta" { first.withLock { $0 = $0 ?? .now } }
        }
        let seen = first.withLock { $0 }.map { ($0 - sent).seconds * 1000 } ?? .nan
        return (seen, result.timings.ttftMs, result.usage.cachedTokens)
    }

    /// A session holding about `tokens` tokens of earlier turns.
    private func sessionWithHistory(_ client: RPCClient, tokens: Int, tag: Int) async throws -> String {
        let session = try await client.call(SessionCreate.self, .init(title: "bench \(tag)")).id
        let paragraph = "The daemon keeps one model in memory and serves every local client over a Unix socket; "
            + "requests are newline-delimited JSON-RPC, and answers stream as progress notifications. "
        var messages: [NewMessage] = []
        var total = 0
        var turn = 0
        while total < tokens {
            let text = "Turn \(turn) of run \(tag). " + String(repeating: paragraph, count: 3)
            total += try await client.call(Tokenize.self, .init(text: text, addSpecial: false)).ids.count
            messages.append(NewMessage(role: turn % 2 == 0 ? "user" : "assistant", content: text))
            turn += 1
        }
        if messages.count % 2 == 1 { messages.append(NewMessage(role: "assistant", content: "Noted.")) }
        _ = try await client.call(SessionAppend.self, .init(id: session, messages: messages))
        return session
    }
}
