import ArgumentParser
import GrokProtocol

/// `grokctl stop`: asks the daemon to stop (it finishes running requests first). Never starts one.
struct StopCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stop", abstract: "Stop the daemon (running requests finish first).")

    @OptionGroup var options: ClientOptions

    func run() async throws {
        var quiet = options
        quiet.noAutostart = true  // starting a daemon to stop it helps no one
        try await quiet.run(DaemonShutdown.self, NoParams()) { _ in Output.line("grokd is stopping") }
    }
}
