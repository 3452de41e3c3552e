import ArgumentParser
import Foundation
import GrokJSON
import GrokProtocol
import GrokRPC

/// `grokctl chat`: a conversation at the prompt. Each line is a message (a line ending in `\`
/// continues on the next); lines starting with `/` are commands. Ctrl-C stops the answer being
/// written, not the chat; Ctrl-D or /exit leaves. With stdin not a terminal, every line is a
/// message (or command) and only the answers are printed, so it works in pipes.
struct ChatCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chat", abstract: "Chat with grok at the prompt (or from a pipe).",
        discussion: """
            Commands: /help /new /sessions /switch <id> /prefs /set <key> <value> /tools [auto|none|name,…]
            /docs <query> /retry /feedback up|down [comment] /exit
            At a terminal: arrows and Emacs keys edit the line, Up/Down and Ctrl-R search the history
            (kept in $XDG_STATE_HOME/grok/chat_history); a line ending in \\ continues on the next.
            """)

    @OptionGroup var options: ClientOptions
    @Option(help: "Continue this session.") var session: String?
    @Flag(help: "Do not search the retrievers for passages.") var noRetrieval = false
    @Option(help: "Tools the model may call: auto (all), none, or names separated by commas.") var tools = "none"
    @Option(help: "The model: a name in the models folder, or a path (default: the daemon's).") var model: String?

    /// What the loop keeps between turns.
    struct State {
        var session: String?
        var lastMessage: String?
        var lastAnswer: Int64?
        var tools = "none"
    }

    func run() async throws {
        let client = try await options.connect()
        let interactive = isatty(STDIN_FILENO) == 1
        let editor = interactive ? LineEditor() : nil
        var state = State(session: session, tools: tools)
        if interactive { Output.line("grok chat: /help for commands, Ctrl-D to leave.") }
        while let line = Self.read(editor) {
            let text = line.trimmingCharacters(in: .whitespaces)
            if text.isEmpty { continue }
            if text.hasPrefix("/") {
                guard try await command(text, client: client, state: &state) else { break }
                continue
            }
            await turn(text, client: client, state: &state, interactive: interactive)
        }
        await client.close()
    }

    /// One message, joined over lines that end in a backslash; nil at the end of input. At a
    /// terminal the lines are edited and remembered by `editor`.
    static func read(_ editor: LineEditor?) -> String? {
        var parts: [String] = []
        while true {
            let typed = editor.map { editor in
                editor.read(prompt: parts.isEmpty ? "> " : "… ").map { line in
                    editor.remember(line)
                    return line
                }
            } ?? readLine(strippingNewline: true)
            guard let line = typed else { return parts.isEmpty ? nil : parts.joined(separator: "\n") }
            if line.hasSuffix("\\") {
                parts.append(String(line.dropLast()))
                continue
            }
            parts.append(line)
            return parts.joined(separator: "\n")
        }
    }

    private func turn(_ message: String, client: RPCClient, state: inout State, interactive: Bool) async {
        var params = Chat.Params(
            session: state.session, message: message, retrieval: noRetrieval ? "off" : "auto", tools: Self.tools(state.tools), stream: true)
        params.model = model
        do {
            let result = try await CallCommand.streaming(client, Chat.self, params, printDeltas: true)
            Output.line("")
            for citation in result.citations { Output.line("[\(citation.number)] \(citation.citation)") }
            state.session = result.session
            state.lastMessage = message
            state.lastAnswer = result.messageId
        } catch let error as RPCError where error.code == RPCErrorCode.cancelled {
            Output.line("\n(stopped)")
        } catch is CancellationError {
            Output.line("\n(stopped)")
        } catch {
            FileHandle.standardError.write(Data("grokctl: \(error)\n".utf8))
        }
    }

    /// Runs a slash command; false to leave.
    private func command(_ text: String, client: RPCClient, state: inout State) async throws -> Bool {
        let words = text.split(separator: " ", maxSplits: 2).map(String.init)
        do {
            switch words[0] {
            case "/exit", "/quit": return false
            case "/help": Output.line(Self.configuration.discussion)
            case "/new":
                state = State()
                Output.line("(a new session starts with your next message)")
            case "/sessions":
                for session in try await client.call(SessionList.self, .init(limit: 20)).sessions {
                    Output.line("\(session.id == state.session ? "*" : " ") \(session.id)  \(session.title)")
                }
            case "/switch" where words.count > 1:
                _ = try await client.call(SessionGet.self, .init(id: words[1]))
                state = State(session: words[1])
                Output.line("(now in \(words[1]))")
            case "/prefs":
                for (key, value) in try await client.call(PrefsList.self, NoParams()).prefs.objectValue ?? [:] {
                    Output.line("\(key): \(value.stringValue ?? value.description)")
                }
            case "/set" where words.count > 2:
                let value = (try? JSONCodec.parse(string: words[2])) ?? .string(words[2])
                _ = try await client.call(PrefsSet.self, .init(key: words[1], value: value))
                Output.line("(\(words[1]) set)")
            case "/tools" where words.count > 1:
                state.tools = words[1]
                Output.line("(tools: \(words[1]))")
            case "/tools":
                for tool in try await client.call(ToolsList.self, NoParams()).tools { Output.line("\(tool.name): \(tool.description)") }
                Output.line("(offered to the model: \(state.tools); /tools auto|none|name,… to change)")
            case "/docs" where words.count > 1:
                let query = words.dropFirst().joined(separator: " ")
                for passage in try await client.call(RetrievalSearch.self, .init(query: query, k: 5)).passages {
                    Output.line("\(passage.citation): \(passage.text.prefix(120).replacingOccurrences(of: "\n", with: " "))")
                }
            case "/retry":
                guard let message = state.lastMessage else {
                    Output.line("(nothing to retry)")
                    break
                }
                await turn(message, client: client, state: &state, interactive: true)
            case "/feedback" where words.count > 1 && ["up", "down"].contains(words[1]):
                guard let answer = state.lastAnswer else {
                    Output.line("(no answer yet)")
                    break
                }
                _ = try await client.call(FeedbackSubmit.self, .init(
                    messageId: answer, rating: words[1] == "up" ? 1 : -1, comment: words.count > 2 ? words[2] : nil))
                Output.line("(thanks)")
            default:
                Output.line("(unknown command; /help lists them)")
            }
        } catch let error as RPCError {
            Output.line("(\(error.message))")
        }
        return true
    }

    /// `auto`, `none` or `a,b` as the `tools` parameter.
    static func tools(_ text: String) -> JSONValue {
        switch text {
        case "auto", "none": return .string(text)
        default: return .array(text.split(separator: ",").map { .string($0.trimmingCharacters(in: .whitespaces)) })
        }
    }
}
