import ArgumentParser
import Foundation
import GrokJSON
import GrokProtocol
import GrokRPC

/// `grokctl session ls|show|rm|rename|search|export`: your conversations.
struct SessionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "session", abstract: "Your sessions: list, show, search, rename, export, delete.",
        subcommands: [List.self, Show.self, Remove.self, Rename.self, Search.self, Export.self], defaultSubcommand: List.self)

    static func date(_ seconds: Double) -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return formatter.string(from: Date(timeIntervalSince1970: seconds))
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "ls", abstract: "Your sessions, newest first.")
        @OptionGroup var options: ClientOptions
        @Flag(help: "Archived sessions instead.") var archived = false
        @Option(help: "How many.") var limit: Int = 50
        @Option(help: "The cursor a previous page printed.") var cursor: String?

        func run() async throws {
            try await options.run(SessionList.self, .init(cursor: cursor, limit: limit, archived: archived)) { result in
                Output.table(["id", "updated", "messages", "title"], result.sessions.map {
                    [$0.id, SessionCommand.date($0.updated), "\($0.messageCount)", $0.title]
                })
                if let next = result.nextCursor { Output.line("more: grokctl session ls --cursor \(next)") }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "A session's messages.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The session id.") var id: String

        func run() async throws {
            try await options.run(SessionGet.self, .init(id: id)) { result in
                Output.line("\(result.session.title) (\(result.session.id))")
                for message in result.messages {
                    Output.line("\n[\(message.id)] \(message.role):")
                    Output.line(message.content)
                }
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rm", abstract: "Delete a session.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The session id.") var id: String

        func run() async throws {
            try await options.run(SessionDelete.self, .init(id: id)) { _ in Output.line("deleted \(id)") }
        }
    }

    struct Rename: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rename", abstract: "Rename a session.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The session id.") var id: String
        @Argument(help: "The new title.") var title: String

        func run() async throws {
            try await options.run(SessionRename.self, .init(id: id, title: title)) { _ in Output.line("renamed \(id)") }
        }
    }

    struct Search: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "search", abstract: "Find messages by words or \"phrases\".")
        @OptionGroup var options: ClientOptions
        @Argument(help: "What to find.") var query: String
        @Option(help: "How many.") var limit: Int = 20

        func run() async throws {
            try await options.run(SessionSearch.self, .init(query: query, limit: limit)) { result in
                for hit in result.hits { Output.line("\(hit.session) [\(hit.messageId)] \(hit.role): \(hit.snippet)") }
                if result.hits.isEmpty { Output.line("no messages") }
            }
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "export", abstract: "A session as Markdown or JSON.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The session id.") var id: String
        @Option(help: "markdown or json.") var format: String = "markdown"

        func run() async throws {
            let client = try await options.connect()
            do {
                Output.line(try await client.call(SessionExport.self, .init(id: id, format: format)).content)
            } catch {
                Output.fail(error, json: options.json)
            }
            await client.close()
        }
    }
}

/// `grokctl prefs ls|get|set|unset`.
struct PrefsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prefs", abstract: "Your preferences (name, language, style, expertise, instructions, options).",
        subcommands: [List.self, Get.self, Set.self, Unset.self], defaultSubcommand: List.self)

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "ls", abstract: "All your preferences.")
        @OptionGroup var options: ClientOptions

        func run() async throws {
            try await options.run(PrefsList.self, NoParams()) { result in
                Output.table(["key", "value"], (result.prefs.objectValue ?? [:]).map { [$0.key, $0.value.stringValue ?? $0.value.description] })
            }
        }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "get", abstract: "One preference.")
        @OptionGroup var options: ClientOptions
        @Argument var key: String

        func run() async throws {
            try await options.run(PrefsGet.self, .init(key: key)) { Output.line($0.value.stringValue ?? $0.value.description) }
        }
    }

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set", abstract: "Set a preference.", discussion: "grokctl prefs set name Ada\ngrokctl prefs set options '{\"temperature\": 0.3}'")
        @OptionGroup var options: ClientOptions
        @Argument var key: String
        @Argument(help: "The value: JSON, or plain text.") var value: String

        func run() async throws {
            let parsed = (try? JSONCodec.parse(string: value)) ?? .string(value)
            try await options.run(PrefsSet.self, .init(key: key, value: parsed)) { _ in Output.line("\(key) set") }
        }
    }

    struct Unset: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "unset", abstract: "Remove a preference.")
        @OptionGroup var options: ClientOptions
        @Argument var key: String

        func run() async throws {
            try await options.run(PrefsUnset.self, .init(key: key)) { Output.line($0.changed ? "\(key) unset" : "\(key) was not set") }
        }
    }
}

/// `grokctl feedback <message-id> up|down [--comment …]`.
struct FeedbackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "feedback", abstract: "Rate an answer: up or down.")
    @OptionGroup var options: ClientOptions
    @Argument(help: "The message id (grokctl session show prints them).") var messageId: Int64
    @Argument(help: "up or down.") var rating: String
    @Option(help: "Why.") var comment: String?
    @Option(help: "What the answer should have been.") var correction: String?

    func run() async throws {
        guard rating == "up" || rating == "down" else { throw ValidationError("the rating is up or down") }
        let params = FeedbackSubmit.Params(messageId: messageId, rating: rating == "up" ? 1 : -1, comment: comment, correction: correction)
        try await options.run(FeedbackSubmit.self, params) { _ in Output.line("thanks: \(rating) for message \(messageId)") }
    }
}
