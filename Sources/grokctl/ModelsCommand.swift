import ArgumentParser
import Foundation
import GrokJSON
import GrokProtocol
import GrokRPC

/// `grokctl models ls|info|load|unload|rm|pull`.
struct ModelsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "List, inspect, load, unload, remove and pull models.",
        discussion: "Models live in $XDG_DATA_HOME/grok/models; a model's name is its file name without .gguf.",
        subcommands: [List.self, Info.self, Load.self, Unload.self, Remove.self, Pull.self],
        defaultSubcommand: List.self)

    static func megabytes(_ bytes: Int64) -> String { String(format: "%.0f MB", Double(bytes) / 1_048_576) }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "ls", abstract: "The models folder and what is loaded.")
        @OptionGroup var options: ClientOptions

        func run() async throws {
            try await options.run(ModelList.self, NoParams()) { result in
                Output.table(["model", "architecture", "size", "quantization", "context", "loaded"], result.models.map { model in
                    let state = model.loaded ? (model.state ?? "yes") + (model.isDefault ? ", default" : "") : "-"
                    return [model.name, model.architecture ?? model.problem.map { _ in "(unreadable)" } ?? "-", megabytes(model.sizeBytes),
                            model.quantization ?? "-", model.contextLength.map { "\($0)" } ?? "-", state]
                })
            }
        }
    }

    struct Info: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "info", abstract: "One model's details.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The model's name.") var name: String

        func run() async throws {
            let client = try await options.connect()
            do {
                let models = try await client.call(ModelList.self, NoParams()).models
                guard let model = models.first(where: { $0.name == name || $0.path == name }) else {
                    Output.fail(RPCError.notFound("model \(name)"), json: options.json)
                }
                if options.json {
                    Output.json(try JSONValueEncoder().encode(model), pretty: true)
                } else {
                    for (key, value) in [
                        ("name", model.name), ("path", model.path), ("size", megabytes(model.sizeBytes)),
                        ("architecture", model.architecture ?? "-"), ("quantization", model.quantization ?? "-"),
                        ("context", model.contextLength.map { "\($0)" } ?? "-"),
                        ("loaded", model.loaded ? (model.state ?? "yes") : "no"), ("default", model.isDefault ? "yes" : "no"),
                        ("keep alive", model.keepAliveSeconds.map { "\($0) s" } ?? "until unloaded"),
                    ] { Output.line("\(key): \(value)") }
                    if let problem = model.problem { Output.line("problem: \(problem)") }
                }
            } catch {
                Output.fail(error, json: options.json)
            }
            await client.close()
        }
    }

    struct Load: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "load", abstract: "Load a model (a name or a path).")
        @OptionGroup var options: ClientOptions
        @Argument(help: "A model's name or a GGUF file's path.") var model: String
        @Option(help: "Idle seconds before it is unloaded (-1: never).") var keepAlive: Int?
        @Flag(help: "Requests without a model use this one from now on.") var makeDefault = false

        func run() async throws {
            let target = model.contains("/") ? URL(fileURLWithPath: model).standardizedFileURL.path : model
            try await options.run(ModelLoad.self, .init(model: target, keepAliveSeconds: keepAlive, makeDefault: makeDefault)) {
                Output.line("\($0.name): \($0.state ?? "loaded")")
            }
        }
    }

    struct Unload: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "unload", abstract: "Unload a model (running requests finish first).")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The model's name.") var model: String

        func run() async throws {
            try await options.run(ModelUnload.self, .init(model: model)) { Output.line($0.unloaded ? "\(model) unloaded" : "\(model) was not loaded") }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rm", abstract: "Delete a model file of the models folder.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The model's name.") var model: String

        func run() async throws {
            try await options.run(ModelRemove.self, .init(model: model)) { _ in Output.line("\(model) removed") }
        }
    }

    struct Pull: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "pull", abstract: "Download a GGUF file into the models folder (resumes; checks --sha256).")
        @OptionGroup var options: ClientOptions
        @Argument(help: "An https URL of a GGUF file.") var url: String
        @Option(help: "The file's expected sha256.") var sha256: String?
        @Option(help: "The model's name (default: from the URL).") var name: String?

        func run() async throws {
            let client = try await options.connect()
            let drawing = !options.json && isatty(STDERR_FILENO) == 1
            do {
                let task = Task {
                    try await client.call(ModelPull.self, .init(url: url, sha256: sha256, name: name, stream: drawing)) { progress in
                        guard let received = progress["receivedBytes"]?.intValue else { return }
                        ProgressBar.draw(done: Int(received >> 20), total: progress["totalBytes"]?.intValue.map { Int($0 >> 20) }, unit: "MB")
                    }
                }
                let interrupt = CallCommand.cancelOnInterrupt(task)
                defer { interrupt.cancel() }
                let model = try await task.value
                if drawing { ProgressBar.clear() }
                if options.json {
                    Output.json(try JSONValueEncoder().encode(model), pretty: false)
                } else {
                    Output.line("\(model.name): \(megabytes(model.sizeBytes)) in \(model.path)")
                }
            } catch {
                if drawing { ProgressBar.clear() }
                Output.fail(error, json: options.json)
            }
            await client.close()
        }
    }
}
