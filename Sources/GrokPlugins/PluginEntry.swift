import GrokJSON
import GrokProtocol

/// One plugin in the manager's registry: what it is, how it runs now, what it offers.
struct PluginEntry {
    enum State {
        case starting
        case ready
        case restarting(String)
        case disabled(String)
    }

    let spec: PluginSpec
    var name: String
    var version: String?
    var state: State = .starting
    var process: PluginProcess?
    var tools: [PluginManifest.Tool] = []
    var retrievers: [PluginManifest.Retriever] = []
    /// When it crashed lately (within the crash window).
    var crashes: [ContinuousClock.Instant] = []

    init(spec: PluginSpec, name: String) {
        self.spec = spec
        self.name = name
    }

    var isReady: Bool {
        if case .ready = state { return process?.isRunning ?? false }
        return false
    }

    /// Takes the plugin's answers to `initialize` and `tools/list`. A library's name is its own;
    /// an MCP server's is the configured one.
    mutating func adopt(initialized: JSONValue, tools listed: JSONValue, named configured: String?) throws(PluginProcessError) {
        let server = initialized["serverInfo"]
        if case .library = spec.source, let own = server?["name"]?.stringValue {
            if let configured, configured != own {
                throw .rpc(code: -32602, message: "the library is plugin \(own), configured as \(configured)", data: nil)
            }
            name = own
        }
        version = server?["version"]?.stringValue
        var manifest: JSONObject = ["tools": listed["tools"] ?? []]
        manifest["retrievers"] = initialized["capabilities"]?["grok/retrieval"]?["retrievers"] ?? []
        do {
            let parsed = try PluginManifest(json: .object(manifest))
            tools = parsed.tools
            retrievers = parsed.retrievers
        } catch {
            throw .rpc(code: -32603, message: "its tools are unusable: \(error.description)", data: nil)
        }
    }

    var info: PluginInfo {
        let (label, reason): (String, String?) = switch state {
        case .starting: ("starting", nil)
        case .ready: (process?.isRunning ?? false ? "ready" : "restarting", nil)
        case .restarting(let why): ("restarting", why)
        case .disabled(let why): ("disabled", why)
        }
        let now = ContinuousClock.now
        return PluginInfo(
            name: name, version: version, kind: spec.kind, state: label, reason: reason, tools: tools.map { "\(name).\($0.name)" },
            retrievers: retrievers.map { "\(name).\($0.name)" }, recentCrashes: crashes.filter { now - $0 < .seconds(300) }.count,
            pid: process?.pid)
    }
}
