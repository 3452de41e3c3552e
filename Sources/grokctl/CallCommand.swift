import ArgumentParser
import Foundation
import GrokJSON
import GrokProtocol
import GrokRPC

struct CallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "call",
        abstract: "Call any method and print its result.",
        discussion: """
            Example: grokctl call daemon.sleep '{"ms": 500}' --stream
            With --stream, "stream": true is added to the params and every $/progress
            notification is printed as one JSON line before the result. Ctrl-C cancels the call.
            """)

    @OptionGroup var options: ClientOptions

    @Argument(help: "Method name, e.g. daemon.status.")
    var method: String

    @Argument(help: "Params as a JSON object (default: none).")
    var params: String?

    @Flag(help: "Ask for streaming and print progress notifications as they arrive.")
    var stream = false

    func run() async throws {
        var parsed = try parseParams()
        if stream {
            guard parsed == nil || parsed?.objectValue != nil else {
                throw ValidationError("--stream needs params as a JSON object (it adds \"stream\": true)")
            }
            var object = parsed?.objectValue ?? [:]
            object["stream"] = true
            parsed = .object(object)
        }
        let client = try await options.connect()
        let printProgress = stream
        let task = Task {
            try await client.call(method: method, params: parsed) { progress in
                if printProgress { Output.json(progress, pretty: false) }
            }
        }
        let interrupt = Self.cancelOnInterrupt(task)
        defer { interrupt.cancel() }
        do {
            Output.json(try await task.value)
        } catch {
            Output.fail(error, json: options.json)
        }
        await client.close()
    }

    private func parseParams() throws -> JSONValue? {
        guard let params else { return nil }
        do {
            let value = try JSONCodec.parse(string: params)
            guard value.objectValue != nil || value.arrayValue != nil else {
                throw ValidationError("params must be a JSON object or array, got \(value.typeName)")
            }
            return value
        } catch let error as JSONCodecError {
            throw ValidationError("params are not valid JSON: \(error)")
        }
    }

    /// The first Ctrl-C cancels the call (the client sends $/cancelRequest and waits for the
    /// daemon's answer); a second one quits at once.
    /// Runs a streaming call (generate, chat), printing each `delta`'s text as it comes when
    /// `printDeltas`, and a line for each tool call's result; Ctrl-C cancels it on the daemon.
    static func streaming<M: RPCMethod>(_ client: RPCClient, _ method: M.Type, _ params: M.Params, printDeltas: Bool) async throws
        -> M.Result where M.Params: Sendable, M.Result: Sendable
    {
        let task = Task {
            try await client.call(method, params) { progress in
                guard printDeltas else { return }
                if progress["kind"] == "delta", let text = progress["text"]?.stringValue {
                    FileHandle.standardOutput.write(Data(text.utf8))
                } else if progress["kind"] == "toolResult" {
                    FileHandle.standardOutput.write(Data((toolLine(progress) + "\n").utf8))
                }
            }
        }
        let interrupt = cancelOnInterrupt(task)
        defer { interrupt.cancel() }
        return try await task.value
    }

    /// `[calc.eval {"expression":"17*23"} → 391]`: a tool call and what came of it, on one line.
    static func toolLine(_ call: JSONValue) -> String {
        let name = call["name"]?.stringValue ?? "?"
        let arguments = call["arguments"].flatMap { try? JSONCodec.encodeToString($0) } ?? ""
        let outcome: String
        if let error = call["error"]?.stringValue {
            outcome = "error: " + error
        } else {
            let texts = call["result"]?["content"]?.arrayValue?.compactMap { $0["text"]?.stringValue } ?? []
            outcome = texts.joined(separator: " ").replacingOccurrences(of: "\n", with: " ")
        }
        return "[\(name) \(arguments) → \(outcome.prefix(200))]"
    }

    static func cancelOnInterrupt<T: Sendable>(_ task: Task<T, any Error>) -> any DispatchSourceSignal {
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .main)
        nonisolated(unsafe) var interrupted = false  // only touched on the main queue
        source.setEventHandler {
            if interrupted { Output.fail("interrupted", code: .interrupted) }
            interrupted = true
            task.cancel()
        }
        source.resume()
        return source
    }
}
