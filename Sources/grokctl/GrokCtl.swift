import ArgumentParser

/// `grokctl`: the command line of grok. One subcommand per file; all talk to grokd.
@main
struct GrokCtl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grokctl",
        abstract: "Talk to the grok daemon.",
        discussion: """
            grokctl starts grokd in the background when no daemon answers (unless --no-autostart).
            Exit codes: 0 success; 1 the daemon answered with an error; 64 usage error;
            69 no daemon could be reached or started; 70 internal error; 130 interrupted.
            Shell completions: grokctl --generate-completion-script bash|zsh|fish
            """,
        version: "0.1.0",
        subcommands: [
            AskCommand.self, ChatCommand.self, StatusCommand.self, PingCommand.self, GenerateCommand.self, PluginsCommand.self, ToolsCommand.self, SearchCommand.self,
            DocsCommand.self, SessionCommand.self, PrefsCommand.self, FeedbackCommand.self, LearnCommand.self,
            ModelsCommand.self, StopCommand.self, CallCommand.self,
        ])
}
