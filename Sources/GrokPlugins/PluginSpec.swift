import GrokJSON

/// A plugin to run: a grok plugin library (in a `grok-plugin-host` of its own) or an external
/// MCP server started by command line. Both are driven by the same client.
public struct PluginSpec: Sendable, Equatable {
    public enum Source: Sendable, Equatable {
        case library(path: String)
        case mcp(command: String, arguments: [String], environment: [String: String])
    }

    /// Required for MCP servers; a library's own name is used when nil.
    public var name: String?
    public var source: Source
    /// Passed to the plugin's init (libraries) or as `initialize`'s `config` (MCP servers may ignore it).
    public var config: JSONValue

    public init(name: String? = nil, source: Source, config: JSONValue = [:]) {
        self.name = name
        self.source = source
        self.config = config
    }

    var kind: String {
        if case .library = source { return "library" }
        return "mcp"
    }
}

/// How plugins are run: the host program, deadlines, caps, restarts.
public struct PluginSettings: Sendable {
    /// The `grok-plugin-host` executable.
    public var hostPath: String
    /// Deadline of a tool call or retrieval unless the caller gives one.
    public var callTimeout: Duration = .seconds(10)
    /// Deadline of starting a plugin (initialize and tools/list).
    public var startTimeout: Duration = .seconds(10)
    /// The largest answer a plugin may give (a tool result, passages); bigger ends the process.
    public var maxResultBytes = 1 << 20
    /// Limits of each host process.
    public var hostMemoryMB = 2048
    public var hostOpenFiles = 256
    public var hostCPUSecondsPerCall = 30
    /// Crashes within `crashWindow` that disable a plugin.
    public var crashLimit = 3
    public var crashWindow: Duration = .seconds(300)
    /// First restart delay; doubled after each further crash.
    public var restartDelay: Duration = .milliseconds(500)

    public init(hostPath: String) { self.hostPath = hostPath }
}
