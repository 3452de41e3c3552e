import Foundation
import GrokEngine
import GrokJSON
import GrokPlugins
import GrokRPC
import Logging

/// The daemon's settings: defaults, then the config file, then command-line flags.
public struct DaemonConfig: Sendable {
    /// Socket path to bind (ignored under systemd socket activation).
    public var socket: String
    /// Uids allowed to connect, besides the daemon's own.
    public var allowUIDs: Set<UInt32>
    public var limits: RPCLimits
    /// The shared engine's slots, queue and prompt chunks.
    public var engine: SchedulerLimits = .default
    public var logLevel: Logger.Level
    /// The GGUF model to load at start (the default model); nil runs without one.
    public var model: String?
    /// The models folder (`model.list`, `model.pull`, names in `model` params).
    public var modelsDirectory = ""
    /// Models loaded at once, at most.
    public var maxLoadedModels = 2
    /// How long a model loaded on demand stays loaded when idle; nil: until unloaded.
    public var keepAlive: Duration? = .seconds(300)

    /// What the model registry needs of the config.
    var modelSettings: ModelRegistry.Settings {
        ModelRegistry.Settings(folder: modelsDirectory, limits: engine, maxLoaded: maxLoadedModels, keepAlive: keepAlive)
    }
    /// Plugins to start: libraries and MCP servers from the config file.
    public var plugins: [PluginSpec] = []
    /// Whether the plugins built with grok (`libgrok-*.so` next to `grokd`) start too.
    public var builtinPlugins = true
    /// Deadline of a tool call or retrieval unless the caller gives one.
    public var pluginTimeoutMs = 10_000
    /// The memory database (sessions, preferences, feedback).
    public var database: String

    public init(
        socket: String, allowUIDs: Set<UInt32>, limits: RPCLimits = .default, logLevel: Logger.Level = .info,
        model: String? = nil
    ) {
        self.socket = socket
        self.model = model
        database = GrokPaths().dataDirectory + "/grok.db"
        self.allowUIDs = allowUIDs
        self.limits = limits
        self.logLevel = logLevel
    }

    /// The shape of `grokd.json`; every field optional.
    struct File: Decodable {
        var socket: String?
        var model: String?
        var allowUids: [UInt32]?
        var logLevel: String?
        var limits: Limits?
        var engine: Engine?
        var plugins: [Plugin]?
        var builtinPlugins: Bool?
        var pluginTimeoutMs: Int?
        var database: String?

        struct Plugin: Decodable {
            var name: String?
            var path: String?
            var command: String?
            var args: [String]?
            var env: [String: String]?
            var config: JSONValue?
        }

        struct Engine: Decodable {
            var maxParallel: Int?
            var maxQueue: Int?
            var prefillChunk: Int?
            var kvCacheMB: Int?
            var promptCacheMB: Int?
            var draftTokens: Int?
            var maxLoadedModels: Int?
            var keepAliveSeconds: Int?
        }

        struct Limits: Decodable {
            var maxLineBytes: Int?
            var maxDepth: Int?
            var maxInFlight: Int?
            var maxConnections: Int?
            var drainTimeoutMs: Int?
        }
    }

    /// A config problem worth stopping for, with the file and field to blame.
    public struct Invalid: Error, CustomStringConvertible {
        public var description: String
    }

    /// Reads the config file at `path` over the defaults; a missing file is fine unless `required`.
    public static func load(path: String, required: Bool, paths: GrokPaths) throws -> DaemonConfig {
        var config = DaemonConfig(
            socket: paths.defaultSocket, allowUIDs: [paths.uid], model: DefaultModel.path(environment: paths.environment))
        config.database = paths.dataDirectory + "/grok.db"
        config.modelsDirectory = paths.dataDirectory + "/models"
        guard let data = FileManager.default.contents(atPath: path) else {
            if required { throw Invalid(description: "cannot read config file \(path)") }
            return config
        }
        let file: File
        do {
            let json = try JSONCodec.parse([UInt8](data))
            try checkKeys(json, path: path)
            file = try JSONValueDecoder().decode(File.self, from: json)
        } catch let invalid as Invalid {
            throw invalid
        } catch {
            throw Invalid(description: "config file \(path): \(error)")
        }
        try config.apply(file, path: path)
        return config
    }

    static let knownKeys: Set<String> = [
        "socket", "model", "allowUids", "logLevel", "limits", "engine", "plugins", "builtinPlugins", "pluginTimeoutMs", "database",
    ]
    static let knownEngine: Set<String> = [
        "maxParallel", "maxQueue", "prefillChunk", "kvCacheMB", "promptCacheMB", "draftTokens", "maxLoadedModels", "keepAliveSeconds",
    ]
    static let knownLimits: Set<String> = ["maxLineBytes", "maxDepth", "maxInFlight", "maxConnections", "drainTimeoutMs"]

    /// A misspelt key would silently fall back to a default; name it instead.
    private static func checkKeys(_ json: JSONValue, path: String) throws {
        guard let object = json.objectValue else { throw Invalid(description: "config file \(path): expected a JSON object") }
        if let unknown = object.keys.first(where: { !knownKeys.contains($0) }) {
            throw Invalid(description: "config file \(path): unknown key \"\(unknown)\"")
        }
        if let unknown = json["limits"]?.objectValue?.keys.first(where: { !knownLimits.contains($0) }) {
            throw Invalid(description: "config file \(path): unknown key \"limits.\(unknown)\"")
        }
        if let unknown = json["engine"]?.objectValue?.keys.first(where: { !knownEngine.contains($0) }) {
            throw Invalid(description: "config file \(path): unknown key \"engine.\(unknown)\"")
        }
    }

    private mutating func apply(_ file: File, path: String) throws {
        if let socket = file.socket { self.socket = socket }
        for (index, plugin) in (file.plugins ?? []).enumerated() {
            plugins.append(try Self.spec(plugin, at: "plugins[\(index)]", path: path))
        }
        if let builtin = file.builtinPlugins { builtinPlugins = builtin }
        if let database = file.database { self.database = database }
        if let timeout = file.pluginTimeoutMs {
            guard timeout > 0 else { throw Invalid(description: "config file \(path): pluginTimeoutMs must be positive") }
            pluginTimeoutMs = timeout
        }
        if let model = file.model { self.model = model == "none" ? nil : model }
        if let uids = file.allowUids { allowUIDs.formUnion(uids) }
        if let name = file.logLevel {
            guard let level = Logger.Level(rawValue: name) else {
                throw Invalid(description: "config file \(path): unknown logLevel \"\(name)\"")
            }
            logLevel = level
        }
        if let given = file.limits {
            limits.maxLineBytes = try positive(given.maxLineBytes, "maxLineBytes", path) ?? limits.maxLineBytes
            limits.maxDepth = try positive(given.maxDepth, "maxDepth", path) ?? limits.maxDepth
            guard limits.maxDepth <= 2048 else {  // jansson's own parser stops at 2048 levels
                throw Invalid(description: "config file \(path): limits.maxDepth must be at most 2048")
            }
            limits.maxInFlight = try positive(given.maxInFlight, "maxInFlight", path) ?? limits.maxInFlight
            limits.maxConnections = try positive(given.maxConnections, "maxConnections", path) ?? limits.maxConnections
            limits.drainTimeoutMs = try positive(given.drainTimeoutMs, "drainTimeoutMs", path) ?? limits.drainTimeoutMs
        }
        if let given = file.engine {
            engine.maxParallel = try positive(given.maxParallel, "maxParallel", path, section: "engine") ?? engine.maxParallel
            engine.maxQueue = try positive(given.maxQueue, "maxQueue", path, section: "engine") ?? engine.maxQueue
            engine.prefillChunk = try positive(given.prefillChunk, "prefillChunk", path, section: "engine") ?? engine.prefillChunk
            if let megabytes = try positive(given.kvCacheMB, "kvCacheMB", path, section: "engine") {
                engine.kvCacheBytes = megabytes << 20
            }
            if let megabytes = try positive(given.promptCacheMB, "promptCacheMB", path, section: "engine") {
                engine.promptCacheBytes = megabytes << 20
            }
            if let draft = given.draftTokens {
                guard (0...64).contains(draft) else {
                    throw Invalid(description: "config file \(path): engine.draftTokens must be 0 (no speculation) to 64")
                }
                engine.draftTokens = draft
            }
            maxLoadedModels = try positive(given.maxLoadedModels, "maxLoadedModels", path, section: "engine") ?? maxLoadedModels
            if let seconds = given.keepAliveSeconds { keepAlive = seconds < 0 ? nil : .seconds(seconds) }
            guard engine.prefillChunk >= 8, engine.prefillChunk % 4 == 0 else {
                throw Invalid(description: "config file \(path): engine.prefillChunk must be a multiple of 4, at least 8")
            }
        }
    }

    /// A plugin entry: a library `path`, or an MCP server `command` (with `args`, `env`) and a `name`.
    static func spec(_ plugin: File.Plugin, at field: String, path: String) throws -> PluginSpec {
        let config = plugin.config ?? [:]
        switch (plugin.path, plugin.command) {
        case (let library?, nil):
            return PluginSpec(name: plugin.name, source: .library(path: library), config: config)
        case (nil, let command?):
            guard let name = plugin.name else { throw Invalid(description: "config file \(path): \(field) is an MCP server without a name") }
            return PluginSpec(name: name, source: .mcp(command: command, arguments: plugin.args ?? [], environment: plugin.env ?? [:]), config: config)
        default:
            throw Invalid(description: "config file \(path): \(field) needs either \"path\" (a plugin library) or \"command\" (an MCP server)")
        }
    }

    private func positive(_ value: Int?, _ name: String, _ path: String, section: String = "limits") throws -> Int? {
        guard let value else { return nil }
        guard value > 0 else { throw Invalid(description: "config file \(path): \(section).\(name) must be positive") }
        return value
    }
}
