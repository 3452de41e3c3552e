import CGrokPlugin
import Foundation
import GrokJSON
import Synchronization

/// The plugin host's protocol loop: newline-delimited JSON-RPC 2.0 on stdin/stdout with MCP's
/// method names (`initialize`, `tools/list`, `tools/call`, `notifications/cancelled`, `ping`)
/// plus `grok/retrieve` and `shutdown`, each request served by the one loaded plugin.
///
/// A thread reads stdin so that a cancellation reaches the plugin while it works; requests run
/// one at a time on the calling thread, each under the CPU-time limit of `HostLimits`.
public final class PluginHostServer: @unchecked Sendable {
    private let library: PluginLibrary
    private let limits: HostLimits
    private let inbox = Inbox()
    private var initialized = false
    /// MCP's revision this host follows.
    static let protocolVersion = "2025-06-18"

    public init(library: PluginLibrary, limits: HostLimits) {
        self.library = library
        self.limits = limits
    }

    /// Serves until stdin ends or `shutdown`; returns the exit status.
    public func run() -> Int32 {
        let reader = Thread { [inbox] in Self.readLines(into: inbox) }
        reader.stackSize = 1 << 20
        reader.start()
        while let line = inbox.next() {
            guard let answer = handle(line) else { continue }
            write(answer.json)
            if answer.exit { break }
        }
        library.stop()
        return 0
    }

    private static func readLines(into inbox: Inbox) {
        while let line = readLine(strippingNewline: true) {
            // A cancellation is for the request running now, so it cannot wait its turn.
            if let message = try? JSONCodec.parse(string: line), message["method"]?.stringValue == "notifications/cancelled" {
                HostState.cancel(message["params"]?["requestId"])
                continue
            }
            inbox.put(line)
        }
        inbox.close()
    }

    private struct Answer {
        let json: JSONValue
        var exit = false
    }

    private func handle(_ line: String) -> Answer? {
        guard let message = try? JSONCodec.parse(string: line), message.objectValue != nil else {
            return Answer(json: Self.error(id: .null, code: -32700, "Parse error: not a JSON object"))
        }
        let id = message["id"]
        guard let method = message["method"]?.stringValue else {
            return id.map { Answer(json: Self.error(id: $0, code: -32600, "Invalid request: no method")) }
        }
        guard let id else {
            return method == "exit" ? Answer(json: .null, exit: true) : nil  // other notifications: nothing to do
        }
        let params = message["params"] ?? [:]
        switch method {
        case "initialize": return Answer(json: initialize(id: id, params))
        case "ping": return Answer(json: Self.result(id: id, [:]))
        case "shutdown":
            library.stop()
            return Answer(json: Self.result(id: id, [:]), exit: true)
        default:
            guard initialized else { return Answer(json: Self.error(id: id, code: -32002, "the plugin is not initialized")) }
            switch method {
            case "tools/list": return Answer(json: Self.result(id: id, ["tools": library.manifest.toolsJSON]))
            case "tools/call": return Answer(json: call(id: id, params))
            case "grok/retrieve": return Answer(json: retrieve(id: id, params))
            default: return Answer(json: Self.error(id: id, code: -32601, "Method not found: \(method)"))
            }
        }
    }

    private func initialize(id: JSONValue, _ params: JSONValue) -> JSONValue {
        guard !initialized else { return Self.error(id: id, code: -32600, "already initialized") }
        do {
            try library.start(config: params["config"] ?? [:], host: HostState.api)
        } catch {
            return Self.error(id: id, code: -32003, "Plugin failure: \(library.name): init failed: \(error.message)", data: error.detail)
        }
        initialized = true
        let retrievers: JSONValue = .array(library.manifest.retrievers.map { ["name": .string($0.name), "description": .string($0.description)] })
        return Self.result(id: id, [
            "protocolVersion": .string(Self.protocolVersion),
            "capabilities": ["tools": [:], "grok/retrieval": ["retrievers": retrievers]],
            "serverInfo": ["name": .string(library.name), "version": .string(library.version)],
        ])
    }

    private func call(id: JSONValue, _ params: JSONValue) -> JSONValue {
        guard let name = params["name"]?.stringValue else { return Self.error(id: id, code: -32602, "Invalid params: name is required") }
        let arguments = params["arguments"] ?? [:]
        guard arguments.objectValue != nil, let text = try? JSONCodec.encodeToString(arguments) else {
            return Self.error(id: id, code: -32602, "Invalid params: arguments must be an object")
        }
        let token = params["_meta"]?["progressToken"]
        let answer = HostState.running(id, progressToken: token, cpuSeconds: limits.cpuSecondsPerCall) {
            library.callTool(name, arguments: text)
        }
        guard answer.status == GROK_PLUGIN_OK else { return Self.failure(id: id, answer) }
        guard let result = answer.json, result["content"]?.arrayValue != nil else {
            return Self.error(id: id, code: -32003, "Plugin failure: \(library.name): the tool returned no MCP result")
        }
        return Self.result(id: id, result)
    }

    private func retrieve(id: JSONValue, _ params: JSONValue) -> JSONValue {
        guard let query = params["query"]?.stringValue else { return Self.error(id: id, code: -32602, "Invalid params: query is required") }
        let k = max(1, Int(params["k"]?.intValue ?? 5))
        let names = params["retriever"]?.stringValue.map { [$0] } ?? library.manifest.retrievers.map(\.name)
        let request: JSONValue = ["query": .string(query), "k": .int(Int64(k))]
        let text = (try? JSONCodec.encodeToString(request)) ?? "{}"
        var passages: [JSONValue] = []
        for name in names {
            let answer = HostState.running(id, cpuSeconds: limits.cpuSecondsPerCall) { library.retrieve(name, query: text) }
            guard answer.status == GROK_PLUGIN_OK else { return Self.failure(id: id, answer) }
            for passage in answer.json?["passages"]?.arrayValue ?? [] {
                guard var object = passage.objectValue, object["text"]?.stringValue != nil else { continue }
                object["retriever"] = .string(name)
                passages.append(.object(object))
            }
        }
        passages.sort { ($0["score"]?.doubleValue ?? 0) > ($1["score"]?.doubleValue ?? 0) }
        return Self.result(id: id, ["passages": .array(Array(passages.prefix(k)))])
    }

    /// A plugin's failed status as a JSON-RPC error.
    private static func failure(id: JSONValue, _ answer: PluginAnswer) -> JSONValue {
        let message = answer.json?["message"]?.stringValue ?? "status \(answer.status.rawValue)"
        switch answer.status {
        case GROK_PLUGIN_NOT_FOUND: return error(id: id, code: -32602, "Invalid params: \(message)")
        case GROK_PLUGIN_INVALID_ARGUMENTS: return error(id: id, code: -32602, "Invalid params: \(message)", data: answer.json?["data"])
        case GROK_PLUGIN_CANCELLED: return error(id: id, code: -32800, "Request cancelled")
        default: return error(id: id, code: -32003, "Plugin failure: \(message)", data: answer.json?["data"])
        }
    }

    static func result(id: JSONValue, _ result: JSONValue) -> JSONValue {
        ["jsonrpc": "2.0", "id": id, "result": result]
    }

    static func error(id: JSONValue, code: Int64, _ message: String, data: JSONValue? = nil) -> JSONValue {
        var error: JSONObject = ["code": .int(code), "message": .string(message)]
        if let data { error["data"] = data }
        return ["jsonrpc": "2.0", "id": id, "error": .object(error)]
    }

    private func write(_ json: JSONValue) {
        guard json != .null, var bytes = try? JSONCodec.encode(json) else { return }
        bytes.append(0x0A)
        FileHandle.standardOutput.write(Data(bytes))
    }
}

/// Lines from the reader thread to the serving thread.
private final class Inbox: @unchecked Sendable {
    private let condition = NSCondition()
    private var lines: [String] = []
    private var closed = false

    func put(_ line: String) {
        condition.lock()
        lines.append(line)
        condition.signal()
        condition.unlock()
    }

    func close() {
        condition.lock()
        closed = true
        condition.signal()
        condition.unlock()
    }

    /// The next line, or nil once stdin ended and every line was taken.
    func next() -> String? {
        condition.lock()
        defer { condition.unlock() }
        while lines.isEmpty && !closed { condition.wait() }
        return lines.isEmpty ? nil : lines.removeFirst()
    }
}
