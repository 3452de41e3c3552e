import ArgumentParser
import Foundation
import GrokJSON
import GrokProtocol
import GrokRPC

/// `grokctl plugins ls|load|unload|reload`.
struct PluginsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugins",
        abstract: "List, load, unload and reload plugins.",
        subcommands: [List.self, Load.self, Unload.self, Reload.self],
        defaultSubcommand: List.self)

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "ls", abstract: "Every plugin and its state.")
        @OptionGroup var options: ClientOptions

        func run() async throws {
            try await options.run(PluginsList.self, NoParams()) { result in
                Output.table(["plugin", "version", "kind", "state", "tools", "retrievers", "pid"], result.plugins.map { plugin in
                    let state = plugin.reason.map { "\(plugin.state) (\($0))" } ?? plugin.state
                    return [plugin.name, plugin.version ?? "-", plugin.kind, state, "\(plugin.tools.count)", "\(plugin.retrievers.count)",
                            plugin.pid.map { "\($0)" } ?? "-"]
                })
            }
        }
    }

    struct Load: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "load", abstract: "Start a plugin library, or an MCP server with --command.",
            discussion: "grokctl plugins load ./libmine.so\ngrokctl plugins load --name text --command python3 server.py")
        @OptionGroup var options: ClientOptions
        @Option(help: "The plugin's name (required for an MCP server).") var name: String?
        @Flag(help: "The arguments are an MCP server's command line, not a library path.") var command = false
        @Option(help: "The plugin's config, a JSON object.") var config: String?
        @Argument(parsing: .captureForPassthrough, help: "A library path, or (with --command) a command and its arguments.")
        var target: [String]

        func run() async throws {
            guard let first = target.first else { throw ValidationError("give a library path or, with --command, a command") }
            var params = PluginsLoad.Params(name: name)
            if command {
                params.command = first
                params.args = Array(target.dropFirst())
            } else {
                params.path = URL(fileURLWithPath: first).standardizedFileURL.path
            }
            if let config { params.config = try JSONCodec.parse(string: config) }
            try await options.run(PluginsLoad.self, params) { Self.show($0) }
        }

        static func show(_ plugin: PluginInfo) {
            Output.line("\(plugin.name) \(plugin.version ?? ""): \(plugin.state)\(plugin.reason.map { " (\($0))" } ?? "")")
            for tool in plugin.tools { Output.line("  tool \(tool)") }
            for retriever in plugin.retrievers { Output.line("  retriever \(retriever)") }
        }
    }

    struct Unload: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "unload", abstract: "Stop a plugin.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The plugin's name.") var name: String

        func run() async throws {
            try await options.run(PluginsUnload.self, .init(name: name)) { _ in Output.line("\(name) unloaded") }
        }
    }

    struct Reload: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reload", abstract: "Restart a plugin from scratch (also after it was disabled).")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The plugin's name.") var name: String

        func run() async throws {
            try await options.run(PluginsReload.self, .init(name: name)) { Load.show($0) }
        }
    }
}

/// `grokctl tools ls|call`.
struct ToolsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tools", abstract: "List and call the plugins' tools.", subcommands: [List.self, Call.self],
        defaultSubcommand: List.self)

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "ls", abstract: "Every tool of every ready plugin.")
        @OptionGroup var options: ClientOptions

        func run() async throws {
            try await options.run(ToolsList.self, NoParams()) { result in
                Output.table(["tool", "description"], result.tools.map { [$0.name, $0.description] })
            }
        }
    }

    struct Call: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "call", abstract: "Run a tool.", discussion: "grokctl tools call sysinfo.now\ngrokctl tools call calc.eval '{\"expression\": \"2^100\"}'")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The tool, <plugin>.<tool>.") var name: String
        @Argument(help: "The arguments, a JSON object.") var arguments: String = "{}"
        @Option(help: "Deadline in milliseconds.") var timeoutMs: Int?

        func run() async throws {
            let parsed = try JSONCodec.parse(string: arguments)
            try await options.run(ToolsCall.self, .init(name: name, arguments: parsed, timeoutMs: timeoutMs)) { result in
                for part in result.content {
                    Output.line(part["text"]?.stringValue ?? ((try? JSONCodec.encodeToString(part)) ?? ""))
                }
                if result.isError { Output.fail("the tool reported an error", code: .rpcError) }
            }
        }
    }
}

/// `grokctl search "…"`: passages from every retriever.
struct SearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "search", abstract: "Search every retriever (e.g. indexed docs).")
    @OptionGroup var options: ClientOptions
    @Argument(help: "What to look for.") var query: String
    @Option(name: .short, help: "Passages to show.") var k: Int = 5

    func run() async throws {
        try await options.run(RetrievalSearch.self, .init(query: query, k: k)) { result in
            for passage in result.passages {
                Output.line("\(passage.citation)  (\(String(format: "%.2f", passage.score)), \(passage.retriever))")
                for line in passage.text.split(separator: "\n", omittingEmptySubsequences: false).prefix(6) { Output.line("    \(line)") }
            }
            if result.passages.isEmpty { Output.line("no passages") }
            if !result.failed.isEmpty { FileHandle.standardError.write(Data("not answered: \(result.failed.joined(separator: ", "))\n".utf8)) }
        }
    }
}
