import ArgumentParser
import Foundation
import GrokJSON
import GrokProtocol
import GrokRPC

/// `grokctl docs add|ls|rm|search`: the docs plugin's folders, and searching them.
struct DocsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "docs", abstract: "Index folders of documents for retrieval, and search them.",
        subcommands: [Add.self, List.self, Remove.self, SearchCommand.self], defaultSubcommand: List.self)

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add", abstract: "Index a folder (again: only changed files are read).")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The folder or file.") var path: String
        @Option(help: "Deadline in milliseconds.") var timeoutMs: Int = 600_000

        func run() async throws {
            let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
            let client = try await options.connect()
            let showBar = !options.json && isatty(STDERR_FILENO) == 1
            let params = ToolsCall.Params(name: "docs.index", arguments: ["path": .string(absolute)], timeoutMs: timeoutMs, stream: showBar)
            do {
                let result = try await client.call(ToolsCall.self, params) { progress in
                    guard let done = progress["done"]?.intValue else { return }
                    ProgressBar.draw(done: Int(done), total: progress["total"]?.intValue.map { Int($0) }, unit: "files")
                }
                if showBar { ProgressBar.clear() }
                if options.json || !Output.isTerminal {
                    Output.json(try JSONValueEncoder().encode(result), pretty: options.json && Output.isTerminal)
                } else {
                    for part in result.content { Output.line(part["text"]?.stringValue ?? "") }
                }
                if result.isError { Output.fail("indexing failed", code: .rpcError) }
            } catch {
                if showBar { ProgressBar.clear() }
                Output.fail(error, json: options.json)
            }
            await client.close()
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "ls", abstract: "The indexed folders.")
        @OptionGroup var options: ClientOptions

        func run() async throws {
            try await options.run(ToolsCall.self, .init(name: "docs.folders")) { result in
                let folders = result.structuredContent?["folders"]?.arrayValue ?? []
                Output.table(["folder", "files", "MB"], folders.map { folder in
                    [folder["path"]?.stringValue ?? "", "\(folder["files"]?.intValue ?? 0)",
                     String(format: "%.1f", Double(folder["bytes"]?.intValue ?? 0) / 1e6)]
                })
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rm", abstract: "Stop indexing a folder.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The folder.") var path: String

        func run() async throws {
            let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
            try await options.run(ToolsCall.self, .init(name: "docs.remove", arguments: ["path": .string(absolute)])) { result in
                Output.line(result.content.first?["text"]?.stringValue ?? "")
            }
        }
    }
}

/// A one-line progress bar on stderr (a terminal only).
enum ProgressBar {
    static func draw(done: Int, total: Int?, unit: String) {
        let line: String
        if let total, total > 0 {
            let width = 30, filled = min(width, done * width / total)
            line = "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] \(done)/\(total) \(unit)"
        } else {
            line = "\(done) \(unit)"
        }
        FileHandle.standardError.write(Data(("\r" + line + "\u{1B}[K").utf8))
    }

    static func clear() { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
}
