import Foundation
import GrokJSON
import GrokProtocol
import GrokRPC
import Synchronization
import Testing

/// Plugins through grokd: the built-in sysinfo plugin, an MCP server attached by command line,
/// and a plugin that crashes — which never touches the daemon or other clients' calls.
@Suite struct PluginTests {
    static var misbehave: String { TestDaemon.productsDirectory + "/libtestplugin-misbehave.so" }
    static var mcpServer: String { TestDaemon.repositoryRoot + "/examples/mcp/text_tools_server.py" }

    static func ready(_ client: RPCClient, _ names: Set<String>) async throws -> Bool {
        try await eventually {
            let plugins = try await client.call(PluginsList.self, NoParams()).plugins
            return names.isSubset(of: Set(plugins.filter { $0.state == "ready" }.map(\.name)))
        }
    }

    @Test func builtinAndMCPToolsAreListedAndCallable() async throws {
        let config = #"{"model":"none","plugins":[{"name":"text","command":"python3","args":["\#(Self.mcpServer)"]}]}"#
        let daemon = try await TestDaemon.started(config: config)
        let client = try await daemon.client()
        #expect(try await Self.ready(client, ["sysinfo", "text"]))
        let tools = try await client.call(ToolsList.self, NoParams()).tools.map(\.name)
        #expect(Set(tools).isSuperset(of: ["sysinfo.now", "sysinfo.system", "text.word_count", "text.reverse"]))
        let now = try await client.call(ToolsCall.self, .init(name: "sysinfo.now"))
        #expect(now.structuredContent?["weekday"]?.stringValue != nil)
        let counted = try await client.call(ToolsCall.self, .init(name: "text.word_count", arguments: ["text": "one two\nthree"]))
        #expect(counted.structuredContent?["words"]?.intValue == 3 && counted.structuredContent?["lines"]?.intValue == 2)
        // The schema is checked before the server sees the call.
        do {
            _ = try await client.call(ToolsCall.self, .init(name: "text.word_count", arguments: ["text": 5]))
            Issue.record("a wrongly typed argument must be refused")
        } catch let error as RPCError {
            #expect(error.code == RPCErrorCode.invalidParams && error.data?["field"]?.stringValue == "arguments.text")
        }
        let status = try await client.call(DaemonStatus.self, NoParams())
        #expect(status.plugins?.contains { $0.name == "text" && $0.kind == "mcp" } == true)
        await client.close()
    }

    /// The docs plugin through grokd: indexing streams its progress, and retrieval.search cites
    /// the file and line of the passage.
    @Test func docsIndexStreamsProgressAndSearchCites() async throws {
        let daemon = try await TestDaemon.started(config: #"{"model":"none"}"#)
        let client = try await daemon.client()
        #expect(try await Self.ready(client, ["docs"]))
        let folder = daemon.root + "/notes"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for index in 0..<45 {
            try "# Note \(index)\n\nPlain words, number \(index).\n".write(toFile: "\(folder)/note\(index).md", atomically: true, encoding: .utf8)
        }
        try "# Travel\n\nThe quokka lives on Rottnest Island.\n".write(toFile: folder + "/travel.md", atomically: true, encoding: .utf8)
        let reports = Mutex<[JSONValue]>([])
        let indexed = try await client.call(ToolsCall.self, .init(name: "docs.index", arguments: ["path": .string(folder)], stream: true)) { progress in
            if progress["kind"] == "tick" { reports.withLock { $0.append(progress) } }
        }
        #expect(indexed.structuredContent?["files"]?.intValue == 46)
        let seen = reports.withLock { $0 }
        #expect(seen.count >= 2 && seen.last?["done"]?.intValue == 46 && seen.last?["total"]?.intValue == 46, "\(seen)")
        let found = try await client.call(RetrievalSearch.self, .init(query: "where does the quokka live?", k: 3))
        #expect(found.passages.first?.citation == folder + "/travel.md:1" && found.passages.first?.retriever == "docs.search")
        await client.close()
    }

    /// A plugin that crashes fails only the call that hit it: the daemon's pid stays, a client
    /// calling another plugin meanwhile succeeds, and the plugin answers again after its restart.
    @Test func aCrashingPluginNeverTouchesTheDaemon() async throws {
        let daemon = try await TestDaemon.started(config: #"{"model":"none","plugins":[{"path":"\#(Self.misbehave)"}]}"#)
        let client = try await daemon.client()
        #expect(try await Self.ready(client, ["misbehave", "sysinfo"]))
        let pid = try await client.call(DaemonStatus.self, NoParams()).pid
        let other = try await daemon.client()
        async let steady: [Bool] = (0..<20).asyncMap { _ in
            (try? await other.call(ToolsCall.self, .init(name: "sysinfo.now")))?.isError == false
        }
        do {
            _ = try await client.call(ToolsCall.self, .init(name: "misbehave.crash"))
            Issue.record("a crashing plugin's call must fail")
        } catch let error as RPCError {
            #expect(error.code == RPCErrorCode.pluginFailure && error.data?["plugin"]?.stringValue == "misbehave")
            #expect(error.message.contains("signal 11"), "\(error.message)")
        }
        #expect(try await steady.allSatisfy { $0 })
        #expect(try await client.call(DaemonStatus.self, NoParams()).pid == pid)
        #expect(try await eventually {
            (try? await client.call(ToolsCall.self, .init(name: "misbehave.echo", arguments: ["text": "x"])))?.isError == false
        })
        let entry = try await client.call(PluginsList.self, NoParams()).plugins.first { $0.name == "misbehave" }
        #expect(entry?.recentCrashes == 1 && entry?.state == "ready")
        for c in [client, other] { await c.close() }
    }

    /// A plugin process (restarted while clients are connected, too) holds no socket of the
    /// daemon's: otherwise the daemon's socket would answer after the daemon died, and a client
    /// would not see its connection close.
    @Test func pluginProcessesHoldNoneOfTheDaemonsSockets() async throws {
        let config = #"{"model":"none","plugins":[{"name":"text","command":"python3","args":["\#(Self.mcpServer)"]}]}"#
        let daemon = try await TestDaemon.started(config: config)
        let client = try await daemon.client()
        #expect(try await Self.ready(client, ["sysinfo", "calc", "text"]))
        _ = try await client.call(PluginsReload.self, .init(name: "calc"))
        #expect(try await Self.ready(client, ["calc"]))
        let pids = try await client.call(PluginsList.self, NoParams()).plugins.compactMap(\.pid)
        #expect(pids.count >= 3)
        for pid in pids {
            let descriptors = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")
            let targets = descriptors.compactMap { try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\($0)") }
            #expect(!targets.isEmpty)
            #expect(!targets.contains { $0.hasPrefix("socket:") }, "plugin process \(pid) holds \(targets)")
            // Nor the daemon's threads' blocked signals: SIGTERM must reach it.
            let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
            #expect(status.contains("SigBlk:\t0000000000000000"), "\(status)")
        }
        await client.close()
    }
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
