import ArgumentParser
import Foundation
import GrokClient
import GrokJSON
import GrokPlugins
import GrokProtocol
import GrokRPC

/// Plugin figures: tool-call round trips (through grokd and its host process, and through the
/// host alone), and the docs plugin's indexing speed and retrieval latency over a folder.
struct PluginBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugins",
        abstract: "Tool-call round trip p50/p99, docs indexing files/s and MB/s, retrieval latency.")

    @Option(help: "Tool calls per figure.") var calls = 2000
    @Option(help: "The folder the docs plugin indexes (default: the current directory).") var folder: String?

    func run() async throws {
        let products = (try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") as NSString).deletingLastPathComponent
        let folder = URL(fileURLWithPath: self.folder ?? FileManager.default.currentDirectoryPath).standardizedFileURL.path
        try await hostAlone(products)
        let work = NSTemporaryDirectory() + "grok-bench-plugins-\(getpid())"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let config = work + "/grokd.json"
        let docs: JSONValue = ["plugins": [["path": .string(products + "/libgrok-docs.so"), "config": ["database": .string(work + "/docs.db")]]]]
        try JSONCodec.encodeToString(docs).write(toFile: config, atomically: true, encoding: .utf8)
        let (path, pid) = try BenchDaemon.start("plugins", arguments: ["--config", config, "--model", "none"])
        defer { if let pid { kill(pid, SIGTERM) } }
        let client = try await RPCClient.connect(path: path)
        try await Self.waitForPlugins(client, ["sysinfo", "calc", "docs"])
        try await throughDaemon(client)
        try await docsFigures(client, folder: folder)
        await client.close()
    }

    /// sysinfo.now and calc.eval through the PluginManager in this process: the host hop only.
    private func hostAlone(_ products: String) async throws {
        var settings = PluginSettings(hostPath: products + "/grok-plugin-host")
        settings.callTimeout = .seconds(10)
        let manager = PluginManager(settings: settings) { _ in }
        try await manager.load(PluginSpec(source: .library(path: products + "/libgrok-sysinfo.so")))
        try await manager.load(PluginSpec(source: .library(path: products + "/libgrok-calc.so")))
        for (tool, arguments) in [("sysinfo.now", JSONValue.object([:])), ("calc.eval", ["expression": "2^100 / 7"])] {
            let samples = try await measure { _ = try await manager.call(tool, arguments: arguments, timeout: nil) }
            print("host only, \(tool): p50 \(Measure.format(Measure.percentile(samples, 0.5))) µs,",
                  "p99 \(Measure.format(Measure.percentile(samples, 0.99))) µs")
        }
        await manager.shutdown()
    }

    private func throughDaemon(_ client: RPCClient) async throws {
        for (tool, arguments) in [("sysinfo.now", JSONValue.object([:])), ("calc.eval", ["expression": "2^100 / 7"])] {
            let samples = try await measure { _ = try await client.call(ToolsCall.self, .init(name: tool, arguments: arguments)) }
            print("through grokd, \(tool): p50 \(Measure.format(Measure.percentile(samples, 0.5))) µs,",
                  "p99 \(Measure.format(Measure.percentile(samples, 0.99))) µs")
        }
    }

    /// Round trips in microseconds, after a warm-up.
    private func measure(_ body: () async throws -> Void) async throws -> [Double] {
        for _ in 0..<50 { try await body() }
        let clock = ContinuousClock()
        var samples: [Double] = []
        for _ in 0..<calls {
            let start = clock.now
            try await body()
            samples.append((clock.now - start) / .microseconds(1))
        }
        return samples
    }

    private func docsFigures(_ client: RPCClient, folder: String) async throws {
        func index() async throws -> JSONValue {
            let result = try await client.call(ToolsCall.self, .init(name: "docs.index", arguments: ["path": .string(folder)], timeoutMs: 600_000))
            return result.structuredContent ?? .null
        }
        let fresh = try await index()
        let seconds = fresh["seconds"]?.doubleValue ?? 1, files = Double(fresh["files"]?.intValue ?? 0)
        let megabytes = Double(fresh["bytes"]?.intValue ?? 0) / 1e6
        print("docs index of \(folder): \(Int(files)) files, \(fresh["passages"]?.intValue ?? 0) passages,",
              "\(Measure.format(megabytes)) MB in \(Measure.format(seconds * 1000)) ms:",
              "\(Measure.format(files / seconds, 0)) files/s, \(Measure.format(megabytes / seconds)) MB/s")
        let again = try await index()
        print("docs re-index, nothing changed: \(Measure.format((again["seconds"]?.doubleValue ?? 0) * 1000)) ms",
              "(\(again["unchanged"]?.intValue ?? 0) files unchanged)")
        let queries = ["how are plugins restarted after a crash", "KV cache budget", "posix_spawn", "exact decimal division",
                       "sliding window attention", "prompt cache reuse", "JSON schema validation of tool arguments",
                       "socket activation systemd", "quantized matmul kernel", "cancellation of a request"]
        var samples: [Double] = []
        let clock = ContinuousClock()
        for round in 0..<20 {
            for query in queries {
                let start = clock.now
                _ = try await client.call(RetrievalSearch.self, .init(query: query, k: 5))
                if round > 0 { samples.append((clock.now - start) / .milliseconds(1)) }
            }
        }
        print("retrieval.search over that index (k 5): p50 \(Measure.format(Measure.percentile(samples, 0.5), 2)) ms,",
              "p99 \(Measure.format(Measure.percentile(samples, 0.99), 2)) ms")
    }

    static func waitForPlugins(_ client: RPCClient, _ names: Set<String>) async throws {
        for _ in 0..<400 {
            let ready = try await client.call(PluginsList.self, NoParams()).plugins.filter { $0.state == "ready" }.map(\.name)
            if names.isSubset(of: Set(ready)) { return }
            try await Task.sleep(for: .milliseconds(25))
        }
        throw ValidationError("plugins \(names.sorted()) did not start")
    }
}
