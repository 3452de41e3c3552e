import ArgumentParser
import Foundation
import GrokJSON
import GrokProtocol
import GrokRPC

/// `grokctl ask "…"`: one chat turn, streamed; the session id goes to stderr so that a
/// follow-up can continue it (`--session`).
struct AskCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ask", abstract: "Ask grok something (one chat turn, streamed).",
        discussion: """
            grokctl ask "What is in my notes about the budget?"
            grokctl ask --session s-… "And for next year?"
            Ctrl-C stops the answer on the daemon. With --json, prints the whole result at the end.
            """)

    @OptionGroup var options: ClientOptions
    @Argument(help: "The message.") var message: String
    @Option(help: "Continue this session (its id is printed after each answer).") var session: String?
    @Flag(help: "Do not search the retrievers for passages.") var noRetrieval = false
    @Option(help: "Most tokens in the answer.") var maxTokens: Int?
    @Option(help: "Sampling temperature (0: greedy).") var temperature: Double?

    func run() async throws {
        var sampling = Generate.Options()
        sampling.maxTokens = maxTokens
        sampling.temperature = temperature
        let params = Chat.Params(session: session, message: message, options: sampling, retrieval: noRetrieval ? "off" : "auto",
                                 stream: !options.json)
        let client = try await options.connect()
        do {
            let result = try await CallCommand.streaming(client, Chat.self, params, printDeltas: !options.json)
            if options.json {
                Output.json(try JSONValueEncoder().encode(result), pretty: false)
            } else {
                Output.line("")
                for citation in result.citations { Output.line("[\(citation.number)] \(citation.citation)") }
                FileHandle.standardError.write(Data("[session \(result.session), \(result.usage.completionTokens) tokens]\n".utf8))
            }
        } catch {
            Output.fail(error, json: options.json)
        }
        await client.close()
    }
}
