import Foundation
import GrokJSON
import GrokProtocol

/// The daemon's plugins: starts each in its own process, keeps the registry of their tools and
/// retrievers, and turns every failure of a plugin into an error for the one call it hit.
///
/// A plugin that crashes, hangs past its deadline or writes garbage is restarted after a delay
/// that doubles with each crash, and disabled after `crashLimit` crashes within `crashWindow`
/// (shown in `plugins.list` and `daemon.status`); `reload` starts it afresh.
public actor PluginManager {
    private let settings: PluginSettings
    private let log: @Sendable (String) -> Void
    private var entries: [String: PluginEntry] = [:]
    private var order: [String] = []
    /// Whether the plugins configured at start have been started (ready or failed).
    private var startupDone = false
    private var startupWaiters: [CheckedContinuation<Void, Never>] = []

    public init(settings: PluginSettings, log: @escaping @Sendable (String) -> Void) {
        self.settings = settings
        self.log = log
    }

    // MARK: loading

    /// Says that the plugins configured at start have all been started.
    public func startupFinished() {
        startupDone = true
        for waiter in startupWaiters { waiter.resume() }
        startupWaiters.removeAll()
    }

    /// Waits until the plugins configured at start have been started, for at most `timeout`:
    /// a request that arrives just after the daemon starts finds their tools and retrievers.
    public func waitForStartup(timeout: Duration) async {
        guard !startupDone else { return }
        let deadline = Task { [weak self] in
            try? await Task.sleep(for: timeout)
            await self?.startupFinishedLate()
        }
        await withCheckedContinuation { startupWaiters.append($0) }
        deadline.cancel()
    }

    /// The deadline of a wait passed: let the waiters go without marking startup done.
    private func startupFinishedLate() {
        for waiter in startupWaiters { waiter.resume() }
        startupWaiters.removeAll()
    }

    /// Starts a plugin and adds it to the registry; returns its state (failures to start are
    /// recorded in it, not thrown, except a name clash or an unusable spec).
    @discardableResult
    public func load(_ spec: PluginSpec) async throws(RPCError) -> PluginInfo {
        if case .mcp = spec.source, spec.name == nil { throw .invalidParams("an MCP server needs a name", field: "name") }
        var entry = PluginEntry(spec: spec, name: spec.name ?? Self.provisionalName(spec))
        let started = await start(&entry)
        guard entries[entry.name] == nil else {
            started?.terminate("a plugin of that name is already loaded")
            throw .invalidParams("a plugin named \(entry.name) is already loaded", field: "name")
        }
        entries[entry.name] = entry
        order.append(entry.name)
        return entry.info
    }

    /// Stops a plugin and forgets it.
    public func unload(_ name: String) async -> Bool {
        guard let entry = entries.removeValue(forKey: name) else { return false }
        order.removeAll { $0 == name }
        await Self.stop(entry.process)
        return true
    }

    /// Restarts a plugin from scratch, forgetting its crashes.
    public func reload(_ name: String) async throws(RPCError) -> PluginInfo {
        guard var entry = entries[name] else { throw .notFound("plugin \(name)") }
        let old = entry.process
        entries[name]?.process = nil
        entries[name]?.state = .starting
        await Self.stop(old)
        entry = PluginEntry(spec: entry.spec, name: name)
        let started = await start(&entry)
        guard entries[name] != nil else {
            started?.terminate("unloaded meanwhile")
            throw .notFound("plugin \(name)")
        }
        entries[name] = entry
        return entry.info
    }

    /// Stops every plugin (daemon shutdown).
    public func shutdown() async {
        for name in order { await Self.stop(entries[name]?.process) }
        entries.removeAll()
        order.removeAll()
    }

    private static func stop(_ process: PluginProcess?) async {
        guard let process, process.isRunning else { return }
        _ = try? await process.request("shutdown", [:], timeout: .seconds(1))
        process.terminate("unloaded")
    }

    private static func provisionalName(_ spec: PluginSpec) -> String {
        guard case .library(let path) = spec.source else { return "mcp" }
        return URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
    }

    /// Spawns the process, initializes it and reads its tools; the entry records the outcome.
    private func start(_ entry: inout PluginEntry) async -> PluginProcess? {
        entry.state = .starting
        var process: PluginProcess?
        do {
            let started = try spawn(entry.spec, name: entry.name)
            process = started
            let initialized = try await started.request("initialize", [
                "protocolVersion": "2025-06-18", "capabilities": [:],
                "clientInfo": ["name": "grokd", "version": .string(GrokVersion.current)], "config": entry.spec.config,
            ], timeout: settings.startTimeout)
            started.notify("notifications/initialized", [:])
            let listed = try await started.request("tools/list", [:], timeout: settings.startTimeout)
            try entry.adopt(initialized: initialized, tools: listed, named: entry.spec.name)
            entry.process = started
            entry.state = .ready
            log("plugin \(entry.name) \(entry.version ?? "") ready: \(entry.tools.count) tools, \(entry.retrievers.count) retrievers")
            return started
        } catch {
            process?.terminate("failed to start")
            entry.process = nil
            entry.state = .disabled(Self.describe(error))
            log("plugin \(entry.name) did not start: \(Self.describe(error))")
            return nil
        }
    }

    private func spawn(_ spec: PluginSpec, name: String) throws(PluginProcessError) -> PluginProcess {
        let environment = ProcessInfo.processInfo.environment
        let log = self.log
        let sink: @Sendable (String) -> Void = { line in log("plugin \(name): \(line)") }
        switch spec.source {
        case .library(let path):
            let arguments = [
                "--max-memory-mb", "\(settings.hostMemoryMB)", "--max-files", "\(settings.hostOpenFiles)",
                "--cpu-seconds", "\(settings.hostCPUSecondsPerCall)", path,
            ]
            return try PluginProcess(executable: settings.hostPath, arguments: arguments, environment: environment,
                                     maxLineBytes: settings.maxResultBytes + 4096, log: sink)
        case .mcp(let command, let arguments, let extra):
            return try PluginProcess(executable: command, arguments: arguments, environment: environment.merging(extra) { $1 },
                                     maxLineBytes: settings.maxResultBytes + 4096, log: sink)
        }
    }

    // MARK: the registry

    public func list() -> [PluginInfo] { order.compactMap { entries[$0]?.info } }

    /// Every ready plugin's tools, named "<plugin>.<tool>".
    public func tools() -> [ToolsList.Tool] {
        order.compactMap { entries[$0] }.filter(\.isReady).flatMap { entry in
            entry.tools.map { ToolsList.Tool(name: "\(entry.name).\($0.name)", description: $0.description, inputSchema: $0.inputSchema, plugin: entry.name) }
        }
    }

    // MARK: calls

    /// Runs "<plugin>.<tool>" with `arguments` (checked against its schema first).
    public func call(
        _ qualified: String, arguments: JSONValue, timeout: Duration?, progress: (@Sendable (JSONValue) -> Void)? = nil
    ) async throws(RPCError) -> ToolsCall.Result {
        guard let dot = qualified.firstIndex(of: "."), let entry = entries[String(qualified[..<dot])] else {
            throw .invalidParams("no tool named \(qualified) (tools.list names them <plugin>.<tool>)", field: "name")
        }
        let tool = String(qualified[qualified.index(after: dot)...])
        guard let spec = entry.tools.first(where: { $0.name == tool }) else {
            throw .invalidParams("plugin \(entry.name) has no tool \(tool)", field: "name")
        }
        guard arguments.objectValue != nil else { throw .invalidParams("arguments must be an object", field: "arguments") }
        if let problem = JSONSchemaValidator.check(arguments, against: spec.inputSchema) {
            throw .invalidParams("\(problem.path) \(problem.message)", field: problem.path)
        }
        let answer = try await request(
            entry.name, "tools/call", ["name": .string(tool), "arguments": arguments], timeout: timeout, progress: progress)
        guard let content = answer["content"]?.arrayValue else {
            throw .pluginFailure(plugin: entry.name, "the tool's answer has no content")
        }
        return ToolsCall.Result(content: content, isError: answer["isError"]?.boolValue ?? false, structuredContent: answer["structuredContent"])
    }

    /// Asks every retriever of every ready plugin at once, each within the deadline; merges the
    /// passages by score. Retrievers that fail or are late are named in `failed`.
    /// `only` limits the search to those plugins.
    public func search(_ query: String, k: Int, timeout: Duration?, only: Set<String>? = nil) async -> RetrievalSearch.Result {
        let sources = order.compactMap { entries[$0] }.filter { $0.isReady && !$0.retrievers.isEmpty && only?.contains($0.name) != false }
            .map(\.name)
        var passages: [RetrievalSearch.Passage] = []
        var failed: [String] = []
        await withTaskGroup(of: (String, Result<JSONValue, RPCError>).self) { group in
            for name in sources {
                group.addTask {
                    do throws(RPCError) {
                        return (name, .success(try await self.request(name, "grok/retrieve", ["query": .string(query), "k": .int(Int64(k))], timeout: timeout)))
                    } catch {
                        return (name, .failure(error))
                    }
                }
            }
            for await (name, outcome) in group {
                switch outcome {
                case .success(let answer): passages += Self.passages(answer, plugin: name)
                case .failure: failed.append(name)
                }
            }
        }
        passages.sort { $0.score > $1.score }
        return RetrievalSearch.Result(passages: Array(passages.prefix(k)), failed: failed.sorted())
    }

    private static func passages(_ answer: JSONValue, plugin: String) -> [RetrievalSearch.Passage] {
        (answer["passages"]?.arrayValue ?? []).compactMap { passage in
            guard let text = passage["text"]?.stringValue else { return nil }
            let source = passage["source"]?.stringValue ?? plugin
            return RetrievalSearch.Passage(
                text: text, source: source, citation: passage["citation"]?.stringValue ?? source,
                score: passage["score"]?.doubleValue ?? 0, retriever: "\(plugin).\(passage["retriever"]?.stringValue ?? "")")
        }
    }

    /// One request to a plugin's process; a crash, hang or garbage becomes a plugin error for
    /// this call and schedules the restart.
    private func request(
        _ name: String, _ method: String, _ params: JSONValue, timeout: Duration?, progress: (@Sendable (JSONValue) -> Void)? = nil
    ) async throws(RPCError) -> JSONValue {
        guard let entry = entries[name] else { throw .notFound("plugin \(name)") }
        // A process that died between calls (killed, or an MCP server that quit): a crash too.
        if case .ready = entry.state, let process = entry.process, !process.isRunning {
            crashed(name, process, process.exitReason ?? "exited")
            throw .pluginFailure(plugin: name, "the plugin process \(process.exitReason ?? "exited"); restarting")
        }
        guard entry.isReady, let process = entry.process else {
            throw .pluginFailure(plugin: name, "not available: \(entry.info.reason ?? entry.info.state)")
        }
        do {
            return try await process.request(method, params, timeout: timeout ?? settings.callTimeout, progress: progress)
        } catch {
            switch error {
            case .rpc(let code, let message, let data):
                if code == Int64(RPCErrorCode.invalidParams) || code == Int64(RPCErrorCode.cancelled) {
                    throw RPCError(code: Int(code), message: message, data: data)
                }
                throw .pluginFailure(plugin: name, message)
            case .cancelled:
                throw .cancelled
            default:
                crashed(name, process, Self.describe(error))
                throw .pluginFailure(plugin: name, Self.describe(error))
            }
        }
    }

    /// Records a crash of `process` (if it is still the entry's) and schedules a restart, or
    /// disables the plugin after too many.
    private func crashed(_ name: String, _ process: PluginProcess, _ reason: String) {
        guard entries[name]?.process === process else { return }
        process.terminate(reason)
        entries[name]?.process = nil
        failed(name, reason)
    }

    /// One more failure (a crash, or a restart that did not start): restart after a delay that
    /// doubles with each, or disable after `crashLimit` within `crashWindow`.
    private func failed(_ name: String, _ reason: String) {
        guard var entry = entries[name] else { return }
        let now = ContinuousClock.now
        entry.crashes = entry.crashes.filter { now - $0 < settings.crashWindow } + [now]
        if entry.crashes.count >= settings.crashLimit {
            entry.state = .disabled("\(entry.crashes.count) crashes in \(Int(settings.crashWindow / .seconds(60))) minutes; last: \(reason)")
            log("plugin \(name) disabled: \(reason)")
        } else {
            let delay = settings.restartDelay * (1 << (entry.crashes.count - 1))
            entry.state = .restarting(reason)
            log("plugin \(name) failed (\(reason)); restarting in \(delay)")
            Task { [weak self] in
                try? await Task.sleep(for: delay)
                await self?.restart(name)
            }
        }
        entries[name] = entry
    }

    private func restart(_ name: String) async {
        guard var entry = entries[name], case .restarting(let reason) = entry.state, entry.process == nil else { return }
        let crashes = entry.crashes
        let started = await start(&entry)
        // Loaded, unloaded or reloaded meanwhile: keep whatever is newer.
        guard let current = entries[name], case .restarting = current.state, current.process == nil else {
            started?.terminate("superseded")
            return
        }
        entry.crashes = crashes
        guard started != nil else {
            let why = entry.info.reason ?? reason
            entry.state = .restarting(reason)
            entries[name] = entry
            failed(name, why)
            return
        }
        entries[name] = entry
    }

    static func describe(_ error: any Error) -> String {
        switch error as? PluginProcessError {
        case .exited(let reason): return "the plugin process \(reason)"
        case .timedOut(let milliseconds): return "no answer within \(milliseconds) ms (the plugin process was stopped)"
        case .garbage(let what): return "the plugin process wrote \(what) (it was stopped)"
        case .rpc(_, let message, _): return message
        case .cancelled: return "cancelled"
        case nil: return "\(error)"
        }
    }
}
