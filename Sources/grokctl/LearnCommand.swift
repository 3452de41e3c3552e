import ArgumentParser
import GrokProtocol

/// `grokctl learn status|reset`: what grok learned from your feedback, and forgetting it.
struct LearnCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "learn", abstract: "What grok learned from your feedback (status), and forgetting it (reset).",
        subcommands: [Status.self, Reset.self], defaultSubcommand: Status.self)

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Answers you rated up or corrected, offered to similar questions.")
        @OptionGroup var options: ClientOptions

        func run() async throws {
            try await options.run(LearnStatus.self, NoParams()) { result in
                Output.line("exemplars: \(result.exemplars) (answers you rated up or corrected, shown to similar questions)")
            }
        }
    }

    struct Reset: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Forget what was learned (your feedback and sessions stay).")
        @OptionGroup var options: ClientOptions

        func run() async throws {
            try await options.run(LearnReset.self, NoParams()) { result in Output.line("forgot \(result.forgotten) exemplars") }
        }
    }
}
