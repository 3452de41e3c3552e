import ArgumentParser
import GrokProtocol

struct PingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ping", abstract: "Check that the daemon answers, and how fast.")

    @OptionGroup var options: ClientOptions

    func run() async throws {
        let client = try await options.connect()
        defer { Task { await client.close() } }
        let clock = ContinuousClock()
        let start = clock.now
        do {
            _ = try await client.call(DaemonPing.self, NoParams())
        } catch {
            Output.fail(error, json: options.json)
        }
        let elapsed = clock.now - start
        let micros = elapsed.components.seconds * 1_000_000 + elapsed.components.attoseconds / 1_000_000_000_000
        if options.json {
            Output.json(["pong": true, "roundTripUs": .int(micros)], pretty: false)
        } else {
            Output.line("pong (\(Double(micros) / 1000) ms)")
        }
    }
}
