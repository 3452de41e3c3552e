import ArgumentParser
import GrokClient
import GrokJSON
import GrokProtocol
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

    /// One call: the result as JSON with --json or into a pipe, else printed by `text`; an error
    /// exits with its code.
    func run<M: RPCMethod>(_ method: M.Type, _ params: M.Params, text: (M.Result) -> Void) async throws {
        let client = try await connect()
        do {
            let result = try await client.call(method, params)
            if json || !Output.isTerminal {
                Output.json(try JSONValueEncoder().encode(result), pretty: json && Output.isTerminal)
            } else {
                text(result)
            }
        } catch {
            Output.fail(error, json: json)
        }
        await client.close()
    }
}
