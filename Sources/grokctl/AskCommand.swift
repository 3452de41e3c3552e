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
    @Option(help: "The model: a name in the models folder, or a path (default: the daemon's).") var model: String?
    @Option(help: "Most tokens in the answer.") var maxTokens: Int?
    @Option(help: "Sampling temperature (0: greedy).") var temperature: Double?
    @Option(help: "Tools the model may call: auto (all), none, or names separated by commas.") var tools = "none"
    @Flag(help: "The answer must start with a tool call.") var requireTool = false
    @Option(help: "Answer as JSON: 'json', a JSON Schema, or @file with a schema.") var format: String?

    func run() async throws {
        var sampling = Generate.Options()
        sampling.maxTokens = maxTokens
        sampling.temperature = temperature
        if let format { sampling.format = try Self.format(format) }
        var params = Chat.Params(
            session: session, message: message, options: sampling, retrieval: noRetrieval ? "off" : "auto",
            tools: ChatCommand.tools(tools), toolChoice: requireTool ? "required" : nil, stream: !options.json)
        params.model = model
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

    /// `json`, inline JSON, or `@path` to a file holding a schema.
    static func format(_ text: String) throws -> JSONValue {
        if text == "json" { return .string("json") }
        let source = text.hasPrefix("@") ? try String(contentsOfFile: String(text.dropFirst()), encoding: .utf8) : text
        do {
            return try JSONCodec.parse(string: source)
        } catch {
            throw ValidationError("--format is json, a JSON Schema or @file: \(error)")
        }
    }
}
