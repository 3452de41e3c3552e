import ArgumentParser
import Foundation
import GrokRPC
import GrokDaemon
import Logging

/// `grokd`: the grok daemon. Everything lives in GrokDaemon; this only reads the command line.
@main
struct Grokd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grokd",
        abstract: "The grok daemon: serves JSON-RPC 2.0 on a Unix socket.",
        discussion: """
            Exit codes: 0 stopped cleanly, 1 could not start, 3 another grokd already serves the socket,
            64 usage error.
            Config: $XDG_CONFIG_HOME/grok/grokd.json (see protocol/PROTOCOL.md for the keys).
            """)

    @Option(help: "Socket path (default: $XDG_RUNTIME_DIR/grok/grokd.sock).")
    var socket: String?

    @Option(help: ArgumentHelp(
        "GGUF model to load at start, the default of chat, ask and generate, or \"none\" "
            + "(default: $XDG_DATA_HOME/grok/models/SmolLM2-135M-Instruct.Q4_1.gguf, fetched by make run)."))
    var model: String?

    @Option(help: "Config file (default: $XDG_CONFIG_HOME/grok/grokd.json).")
    var config: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String?

    @Option(name: .customLong("allow-uid"), help: "Also allow this uid to connect (repeatable).")
    var allowUIDs: [UInt32] = []

    func run() async throws {
        let paths = GrokPaths()
        var settings: DaemonConfig
        do {
            settings = try DaemonConfig.load(
                path: config ?? paths.defaultConfigFile, required: config != nil, paths: paths)
        } catch {
            FileHandle.standardError.write(Data("grokd: \(error)\n".utf8))
            throw ExitCode(1)
        }
        if let socket { settings.socket = socket }
        if let model { settings.model = model == "none" ? nil : model }
        settings.allowUIDs.formUnion(allowUIDs)
        if let logLevel {
            guard let level = Logger.Level(rawValue: logLevel) else {
                throw ValidationError("unknown log level \(logLevel)")
            }
            settings.logLevel = level
        }
        let level = settings.logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        do {
            try await GrokDaemon.run(config: settings, logger: Logger(label: "grokd"))
        } catch let failure as GrokDaemon.StartFailure {
            FileHandle.standardError.write(Data("grokd: \(failure.description)\n".utf8))
            throw ExitCode(failure.exitCode)
        }
    }
}
