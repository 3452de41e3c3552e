import GrokJSON

/// A conversation as lists show it.
public struct SessionSummary: Codable, Sendable, Equatable {
    public var id: String
    public var title: String
    public var model: String?
    /// Seconds since 1970.
    public var created: Double
    public var updated: Double
    public var archived: Bool
    public var messageCount: Int
    public init(id: String, title: String, model: String?, created: Double, updated: Double, archived: Bool, messageCount: Int) {
        self.id = id
        self.title = title
        self.model = model
        self.created = created
        self.updated = updated
        self.archived = archived
        self.messageCount = messageCount
    }
}

/// One message of a session.
public struct SessionMessage: Codable, Sendable, Equatable {
    public var id: Int64
    /// "system", "user", "assistant" or "tool".
    public var role: String
    public var content: String
    public var toolCalls: JSONValue?
    public var citations: JSONValue?
    public var promptTokens: Int?
    public var completionTokens: Int?
    /// How a generated answer ended: "stop", "length" or "cancelled" (a partial answer).
    public var finish: String?
    public var created: Double
    public init(
        id: Int64, role: String, content: String, toolCalls: JSONValue? = nil, citations: JSONValue? = nil,
        promptTokens: Int? = nil, completionTokens: Int? = nil, finish: String? = nil, created: Double
    ) {
        self.finish = finish
        self.id = id
        self.role = role
        self.content = content
        self.toolCalls = toolCalls
        self.citations = citations
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.created = created
    }
}

/// A message to store (the store assigns its id and time).
public struct NewMessage: Codable, Sendable, Equatable {
    public var role: String
    public var content: String
    public var toolCalls: JSONValue?
    public var citations: JSONValue?
    public var promptTokens: Int?
    public var completionTokens: Int?
    public var finish: String?
    public init(role: String, content: String, toolCalls: JSONValue? = nil, citations: JSONValue? = nil) {
        self.role = role
        self.content = content
        self.toolCalls = toolCalls
        self.citations = citations
    }
}

/// `session.create {title?, model?}` → the session.
public enum SessionCreate: RPCMethod {
    public static let name = "session.create"
    public struct Params: Codable, Sendable {
        public var title: String?
        public var model: String?
        public init(title: String? = nil, model: String? = nil) {
            self.title = title
            self.model = model
        }
    }
    public typealias Result = SessionSummary
}

/// `session.list {cursor?, limit?, archived?}` → newest first, `nextCursor` while more remain.
public enum SessionList: RPCMethod {
    public static let name = "session.list"
    public struct Params: Codable, Sendable {
        public var cursor: String?
        public var limit: Int?
        /// true: only archived; false (default): only active; absent from the wire = false.
        public var archived: Bool?
        public init(cursor: String? = nil, limit: Int? = nil, archived: Bool? = nil) {
            self.cursor = cursor
            self.limit = limit
            self.archived = archived
        }
    }
    public struct Result: Codable, Sendable {
        public var sessions: [SessionSummary]
        public var nextCursor: String?
        public init(sessions: [SessionSummary], nextCursor: String?) {
            self.sessions = sessions
            self.nextCursor = nextCursor
        }
    }
}

/// The params of the methods that name one session.
public struct SessionID: Codable, Sendable {
    public var id: String
    public init(id: String) { self.id = id }
}

/// `session.get {id}` → the session and its messages, oldest first.
public enum SessionGet: RPCMethod {
    public static let name = "session.get"
    public typealias Params = SessionID
    public struct Result: Codable, Sendable {
        public var session: SessionSummary
        public var messages: [SessionMessage]
        public init(session: SessionSummary, messages: [SessionMessage]) {
            self.session = session
            self.messages = messages
        }
    }
}

/// `session.append {id, messages}` → the new messages' ids; one transaction, acknowledged once committed.
public enum SessionAppend: RPCMethod {
    public static let name = "session.append"
    public struct Params: Codable, Sendable {
        public var id: String
        public var messages: [NewMessage]
        public init(id: String, messages: [NewMessage]) {
            self.id = id
            self.messages = messages
        }
    }
    public struct Result: Codable, Sendable {
        public var ids: [Int64]
        public init(ids: [Int64]) { self.ids = ids }
    }
}

/// `session.rename {id, title}`, `session.archive {id, archived?}`, `session.delete {id}` → `{changed}`.
public enum SessionRename: RPCMethod {
    public static let name = "session.rename"
    public struct Params: Codable, Sendable {
        public var id: String
        public var title: String
        public init(id: String, title: String) {
            self.id = id
            self.title = title
        }
    }
    public typealias Result = SessionChange
}

public enum SessionArchive: RPCMethod {
    public static let name = "session.archive"
    public struct Params: Codable, Sendable {
        public var id: String
        public var archived: Bool?
        public init(id: String, archived: Bool? = nil) {
            self.id = id
            self.archived = archived
        }
    }
    public typealias Result = SessionChange
}

public enum SessionDelete: RPCMethod {
    public static let name = "session.delete"
    public typealias Params = SessionID
    public typealias Result = SessionChange
}

public struct SessionChange: Codable, Sendable {
    public var changed: Bool
    public init(changed: Bool) { self.changed = changed }
}

/// `session.fork {id, upTo?}` → a new session with the messages up to and including `upTo`
/// (all when absent).
public enum SessionFork: RPCMethod {
    public static let name = "session.fork"
    public struct Params: Codable, Sendable {
        public var id: String
        public var upTo: Int64?
        public var title: String?
        public init(id: String, upTo: Int64? = nil, title: String? = nil) {
            self.id = id
            self.upTo = upTo
            self.title = title
        }
    }
    public typealias Result = SessionSummary
}

/// `session.search {query, limit?}` → messages matching words or "phrases", best first.
public enum SessionSearch: RPCMethod {
    public static let name = "session.search"
    public struct Params: Codable, Sendable {
        public var query: String
        public var limit: Int?
        public init(query: String, limit: Int? = nil) {
            self.query = query
            self.limit = limit
        }
    }
    public struct Hit: Codable, Sendable, Equatable {
        public var session: String
        public var sessionTitle: String
        public var messageId: Int64
        public var role: String
        /// The matching part of the message, matches in [brackets].
        public var snippet: String
        public var score: Double
        public init(session: String, sessionTitle: String, messageId: Int64, role: String, snippet: String, score: Double) {
            self.session = session
            self.sessionTitle = sessionTitle
            self.messageId = messageId
            self.role = role
            self.snippet = snippet
            self.score = score
        }
    }
    public struct Result: Codable, Sendable {
        public var hits: [Hit]
        public init(hits: [Hit]) { self.hits = hits }
    }
}

/// `session.export {id, format?}` → the session as "json" (default) or "markdown".
public enum SessionExport: RPCMethod {
    public static let name = "session.export"
    public struct Params: Codable, Sendable {
        public var id: String
        public var format: String?
        public init(id: String, format: String? = nil) {
            self.id = id
            self.format = format
        }
    }
    public struct Result: Codable, Sendable {
        public var format: String
        public var content: String
        public init(format: String, content: String) {
            self.format = format
            self.content = content
        }
    }
}
