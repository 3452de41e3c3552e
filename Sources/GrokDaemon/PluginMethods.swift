import Foundation
import GrokJSON
import GrokPlugins
import GrokProtocol
import GrokRPC

/// `plugins.list|load|unload|reload`, `tools.list`, `tools.call` and `retrieval.search`, served
/// by the plugin manager (each plugin in a process of its own).
struct PluginMethods: Sendable {
    let plugins: PluginManager
    let ranker: PassageRanker

    func register(in table: inout MethodTable) {
        table.register(PluginsList.self) { _, _ in PluginsList.Result(plugins: await plugins.list()) }
        table.register(PluginsLoad.self) { params, _ in try await plugins.load(try Self.spec(params)) }
        table.register(PluginsUnload.self) { params, _ in
            guard await plugins.unload(params.name) else { throw RPCError.notFound("plugin \(params.name)") }
            return PluginsUnload.Result(unloaded: true)
        }
        table.register(PluginsReload.self) { params, _ in try await plugins.reload(params.name) }
        table.register(ToolsList.self) { _, _ in ToolsList.Result(tools: await plugins.tools()) }
        table.register(ToolsCall.self) { params, context in
            let timeout = try Self.timeout(params.timeoutMs)
            guard params.stream == true else { return try await plugins.call(params.name, arguments: params.arguments ?? [:], timeout: timeout) }
            // The plugin's progress, forwarded in order by one task while the call runs.
            let (reports, sink) = AsyncStream<ToolsCall.ProgressReport>.makeStream(bufferingPolicy: .bufferingNewest(64))
            let forwarding = Task {
                for await report in reports { try? await context.progress(.tick, report) }
            }
            defer { forwarding.cancel() }
            let result = try await plugins.call(params.name, arguments: params.arguments ?? [:], timeout: timeout) { update in
                sink.yield(ToolsCall.ProgressReport(
                    done: Int(update["progress"]?.intValue ?? 0), total: update["total"]?.intValue.map { Int($0) },
                    message: update["message"]?.stringValue))
            }
            sink.finish()
            await forwarding.value
            return result
        }
        table.register(RetrievalSearch.self) { params, context in
            guard !params.query.isEmpty else { throw RPCError.invalidParams("the query is empty", field: "query") }
            let k = params.k ?? 5
            guard (1...100).contains(k) else { throw RPCError.invalidParams("k must be 1...100", field: "k") }
            let found = await ranker.search(
                params.query, k: k, owner: context.peer.uid, timeout: try Self.timeout(params.timeoutMs), learned: params.learned ?? true)
            return RetrievalSearch.Result(passages: found.ranked.map(\.passage), failed: found.failed)
        }
    }

    private static func timeout(_ milliseconds: Int?) throws -> Duration? {
        guard let milliseconds else { return nil }
        guard (1...600_000).contains(milliseconds) else { throw RPCError.invalidParams("timeoutMs must be 1...600000", field: "timeoutMs") }
        return .milliseconds(milliseconds)
    }

    private static func spec(_ params: PluginsLoad.Params) throws -> PluginSpec {
        let config = params.config ?? [:]
        switch (params.path, params.command) {
        case (let path?, nil): return PluginSpec(name: params.name, source: .library(path: path), config: config)
        case (nil, let command?):
            return PluginSpec(name: params.name, source: .mcp(command: command, arguments: params.args ?? [], environment: params.env ?? [:]), config: config)
        default: throw RPCError.invalidParams("give either path (a plugin library) or command (an MCP server)", field: "path")
        }
    }

    /// The plugins built with grok: `libgrok-*.so` next to the running executable.
    static func builtinLibraries() -> [String] {
        guard let running = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return [] }
        let folder = (running as NSString).deletingLastPathComponent
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { $0.hasPrefix("libgrok-") && $0.hasSuffix(".so") }.sorted().map { "\(folder)/\($0)" }
    }

    /// `grok-plugin-host` next to the running executable, else on PATH.
    static func hostPath() -> String {
        if let running = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            let candidate = (running as NSString).deletingLastPathComponent + "/grok-plugin-host"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return "grok-plugin-host"
    }
}
