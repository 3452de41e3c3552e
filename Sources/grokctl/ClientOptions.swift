import ArgumentParser
import GrokClient
import GrokRPC

/// Options every subcommand shares: where the daemon is and how to print.
struct ClientOptions: ParsableArguments {
    @Option(help: "Socket path (default: $XDG_RUNTIME_DIR/grok/grokd.sock).")
    var socket: String?

    @Flag(help: "Do not start grokd when no daemon answers.")
    var noAutostart = false

    @Flag(help: "Print machine-readable JSON instead of text.")
    var json = false

    /// Connects, starting the daemon when allowed; failures exit with 69.
    func connect() async throws -> RPCClient {
        do {
            return try await DaemonConnector(socketPath: socket, autostart: !noAutostart).connect()
        } catch {
            Output.fail("\(error)", code: .unavailable)
        }
    }
}
