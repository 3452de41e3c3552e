import GrokJSON

/// `prefs.get {key}` → `{key, value}` (value null when unset).
public enum PrefsGet: RPCMethod {
    public static let name = "prefs.get"
    public struct Params: Codable, Sendable {
        public var key: String
        public init(key: String) { self.key = key }
    }
    public struct Result: Codable, Sendable {
        public var key: String
        public var value: JSONValue
        public init(key: String, value: JSONValue) {
            self.key = key
            self.value = value
        }
    }
}

/// `prefs.set {key, value}` → `{key, value}`.
public enum PrefsSet: RPCMethod {
    public static let name = "prefs.set"
    public struct Params: Codable, Sendable {
        public var key: String
        public var value: JSONValue
        public init(key: String, value: JSONValue) {
            self.key = key
            self.value = value
        }
    }
    public typealias Result = PrefsGet.Result
}

/// `prefs.unset {key}` → `{changed}`.
public enum PrefsUnset: RPCMethod {
    public static let name = "prefs.unset"
    public typealias Params = PrefsGet.Params
    public typealias Result = SessionChange
}

/// `prefs.list {}` → `{prefs: {key: value}}`.
public enum PrefsList: RPCMethod {
    public static let name = "prefs.list"
    public typealias Params = NoParams
    public struct Result: Codable, Sendable {
        public var prefs: JSONValue
        public init(prefs: JSONValue) { self.prefs = prefs }
    }
}

/// `feedback.submit {messageId, rating: 1 | -1, comment?, correction?}` → `{id}`.
public enum FeedbackSubmit: RPCMethod {
    public static let name = "feedback.submit"
    public struct Params: Codable, Sendable {
        public var messageId: Int64
        public var rating: Int
        public var comment: String?
        public var correction: String?
        public init(messageId: Int64, rating: Int, comment: String? = nil, correction: String? = nil) {
            self.messageId = messageId
            self.rating = rating
            self.comment = comment
            self.correction = correction
        }
    }
    public struct Result: Codable, Sendable {
        public var id: Int64
        public init(id: Int64) { self.id = id }
    }
}

/// `feedback.list {cursor?, limit?}` → the caller's feedback, newest first.
public enum FeedbackList: RPCMethod {
    public static let name = "feedback.list"
    public struct Params: Codable, Sendable {
        public var cursor: String?
        public var limit: Int?
        public init(cursor: String? = nil, limit: Int? = nil) {
            self.cursor = cursor
            self.limit = limit
        }
    }
    public struct Entry: Codable, Sendable, Equatable {
        public var id: Int64
        public var messageId: Int64
        public var rating: Int
        public var comment: String?
        public var correction: String?
        public var created: Double
        public init(id: Int64, messageId: Int64, rating: Int, comment: String?, correction: String?, created: Double) {
            self.id = id
            self.messageId = messageId
            self.rating = rating
            self.comment = comment
            self.correction = correction
            self.created = created
        }
    }
    public struct Result: Codable, Sendable {
        public var feedback: [Entry]
        public var nextCursor: String?
        public init(feedback: [Entry], nextCursor: String?) {
            self.feedback = feedback
            self.nextCursor = nextCursor
        }
    }
}

/// `learn.status {}` → what the daemon has learned from the caller's feedback.
public enum LearnStatus: RPCMethod {
    public static let name = "learn.status"
    public typealias Params = NoParams
    public struct Result: Codable, Sendable {
        /// Questions with the answer the caller rated up or corrected, offered to similar questions.
        public var exemplars: Int
        public init(exemplars: Int) { self.exemplars = exemplars }
    }
}

/// `learn.reset {}` → forgets what was learned from the caller's feedback (the feedback itself
/// and the conversations stay).
public enum LearnReset: RPCMethod {
    public static let name = "learn.reset"
    public typealias Params = NoParams
    public struct Result: Codable, Sendable {
        /// Exemplars forgotten.
        public var forgotten: Int
        public init(forgotten: Int) { self.forgotten = forgotten }
    }
}
