import Foundation

/// Where grok keeps things, following the XDG base directories (DESIGN.md §9).
/// Shared by the daemon (where to listen) and clients (where to connect).
public struct GrokPaths: Sendable {
    public var environment: [String: String]
    public var uid: UInt32

    public init(environment: [String: String] = ProcessInfo.processInfo.environment, uid: UInt32 = getuid()) {
        self.environment = environment
        self.uid = uid
    }

    /// `$XDG_RUNTIME_DIR/grok/grokd.sock`, or `/tmp/grok-$UID/grokd.sock` without a runtime dir.
    public var defaultSocket: String {
        if let runtime = absolute("XDG_RUNTIME_DIR") { return runtime + "/grok/grokd.sock" }
        return "/tmp/grok-\(uid)/grokd.sock"
    }

    /// `$XDG_CONFIG_HOME/grok/grokd.json`.
    public var defaultConfigFile: String { configHome + "/grok/grokd.json" }

    /// `$XDG_DATA_HOME/grok` (models, databases).
    public var dataDirectory: String { (absolute("XDG_DATA_HOME") ?? home + "/.local/share") + "/grok" }

    /// `$XDG_STATE_HOME/grok` (the log of a daemon started by grokctl).
    public var stateDirectory: String { (absolute("XDG_STATE_HOME") ?? home + "/.local/state") + "/grok" }

    private var configHome: String { absolute("XDG_CONFIG_HOME") ?? home + "/.config" }

    private var home: String { absolute("HOME") ?? "/tmp/grok-\(uid)" }

    /// XDG says relative paths in these variables are invalid and must be ignored.
    private func absolute(_ name: String) -> String? {
        guard let value = environment[name], value.hasPrefix("/") else { return nil }
        return value
    }
}
