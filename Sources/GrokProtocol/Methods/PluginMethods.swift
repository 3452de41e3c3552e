import GrokJSON

/// `plugins.list` → every configured plugin and its state.
public enum PluginsList: RPCMethod {
    public static let name = "plugins.list"
    public typealias Params = NoParams

    public struct Result: Codable, Sendable {
        public var plugins: [PluginInfo]
        public init(plugins: [PluginInfo]) { self.plugins = plugins }
    }
}

/// One plugin as `plugins.list` and `daemon.status` show it.
public struct PluginInfo: Codable, Sendable, Equatable {
    public var name: String
    public var version: String?
    /// "library" (a grok plugin in its host process) or "mcp" (an external MCP server).
    public var kind: String
    /// "starting", "ready", "restarting", "disabled" or "stopped".
    public var state: String
    /// Why it is disabled or restarting, when it is.
    public var reason: String?
    public var tools: [String]
    public var retrievers: [String]
    /// Crashes in the last five minutes (3 disable it).
    public var recentCrashes: Int
    public var pid: Int32?

    public init(
        name: String, version: String?, kind: String, state: String, reason: String? = nil, tools: [String],
        retrievers: [String], recentCrashes: Int, pid: Int32? = nil
    ) {
        self.name = name
        self.version = version
        self.kind = kind
        self.state = state
        self.reason = reason
        self.tools = tools
        self.retrievers = retrievers
        self.recentCrashes = recentCrashes
        self.pid = pid
    }
}

/// `plugins.load {name?, path?, command?, args?, env?, config?}`: starts a plugin now (not kept in
/// the config file). `plugins.unload {name}` stops one; `plugins.reload {name}` restarts it and
/// clears its crash record.
public enum PluginsLoad: RPCMethod {
    public static let name = "plugins.load"

    public struct Params: Codable, Sendable {
        public var name: String?
        public var path: String?
        public var command: String?
        public var args: [String]?
        public var env: [String: String]?
        public var config: JSONValue?
        public init(name: String? = nil, path: String? = nil, command: String? = nil, args: [String]? = nil) {
            self.name = name
            self.path = path
            self.command = command
            self.args = args
        }
    }

    public typealias Result = PluginInfo
}

public enum PluginsUnload: RPCMethod {
    public static let name = "plugins.unload"

    public struct Params: Codable, Sendable {
        public var name: String
        public init(name: String) { self.name = name }
    }

    public struct Result: Codable, Sendable {
        public var unloaded: Bool
        public init(unloaded: Bool) { self.unloaded = unloaded }
    }
}

public enum PluginsReload: RPCMethod {
    public static let name = "plugins.reload"
    public typealias Params = PluginsUnload.Params
    public typealias Result = PluginInfo
}

/// `tools.list` → every tool of every ready plugin, named "<plugin>.<tool>".
public enum ToolsList: RPCMethod {
    public static let name = "tools.list"
    public typealias Params = NoParams

    public struct Tool: Codable, Sendable, Equatable {
        public var name: String
        public var description: String
        public var inputSchema: JSONValue
        public var plugin: String
        public init(name: String, description: String, inputSchema: JSONValue, plugin: String) {
            self.name = name
            self.description = description
            self.inputSchema = inputSchema
            self.plugin = plugin
        }
    }

    public struct Result: Codable, Sendable {
        public var tools: [Tool]
        public init(tools: [Tool]) { self.tools = tools }
    }
}

/// `tools.call {name, arguments?, timeoutMs?, stream?}` → the MCP tool result `{content, isError, structuredContent?}`.
public enum ToolsCall: RPCMethod {
    public static let name = "tools.call"

    public struct Params: Codable, Sendable, StreamableParams {
        public var name: String
        public var arguments: JSONValue?
        public var timeoutMs: Int?
        /// Stream the tool's progress as `$/progress` kind `tick` `{done, total?, message?}`.
        public var stream: Bool?
        public init(name: String, arguments: JSONValue? = nil, timeoutMs: Int? = nil, stream: Bool? = nil) {
            self.name = name
            self.arguments = arguments
            self.timeoutMs = timeoutMs
            self.stream = stream
        }
    }

    /// One progress report of a streaming tools.call.
    public struct ProgressReport: Codable, Sendable {
        public var done: Int
        public var total: Int?
        public var message: String?
        public init(done: Int, total: Int?, message: String?) {
            self.done = done
            self.total = total
            self.message = message
        }
    }

    public struct Result: Codable, Sendable {
        public var content: [JSONValue]
        public var isError: Bool
        public var structuredContent: JSONValue?
        public init(content: [JSONValue], isError: Bool, structuredContent: JSONValue? = nil) {
            self.content = content
            self.isError = isError
            self.structuredContent = structuredContent
        }
    }
}

/// `retrieval.search {query, k?, timeoutMs?, learned?}` → passages from every retriever, best
/// first: in the order the caller's feedback taught (`learned`, the default), or in the
/// retrievers' own order (`learned: false`).
public enum RetrievalSearch: RPCMethod {
    public static let name = "retrieval.search"

    public struct Params: Codable, Sendable {
        public var query: String
        public var k: Int?
        public var timeoutMs: Int?
        public var learned: Bool?
        public init(query: String, k: Int? = nil, timeoutMs: Int? = nil, learned: Bool? = nil) {
            self.query = query
            self.k = k
            self.timeoutMs = timeoutMs
            self.learned = learned
        }
    }

    public struct Passage: Codable, Sendable, Equatable {
        public var text: String
        public var source: String
        public var citation: String
        public var score: Double
        /// "<plugin>.<retriever>".
        public var retriever: String
        /// The score the caller's learned ranking gave (present once they have given feedback on
        /// answers that used passages): the retriever's score scaled to the best candidate's,
        /// plus what was learned.
        public var rankScore: Double?
        public init(text: String, source: String, citation: String, score: Double, retriever: String, rankScore: Double? = nil) {
            self.text = text
            self.source = source
            self.citation = citation
            self.score = score
            self.retriever = retriever
            self.rankScore = rankScore
        }
    }

    public struct Result: Codable, Sendable {
        public var passages: [Passage]
        /// Retrievers that failed or missed the deadline (their passages are absent).
        public var failed: [String]
        public init(passages: [Passage], failed: [String]) {
            self.passages = passages
            self.failed = failed
        }
    }
}
