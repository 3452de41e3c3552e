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

    /// The caller's passage ranking.
    public struct Ranking: Codable, Sendable {
        /// Labelled passages learned from (0: the retrievers' own order is used).
        public var examples: Int
        /// Each feature's weight; the untrained model weighs only `retrieverScore`, at 1.
        public var weights: [String: Double]
        /// Sources with the most feedback: how much they helped answers, and how much not.
        public var sources: [SourceFeedback]
        /// How far the learned order is applied (0...1): it grows as the learned order agrees
        /// with later ratings more often than the retrievers' order does.
        public var trust: Double
        public init(examples: Int, weights: [String: Double], sources: [SourceFeedback], trust: Double) {
            self.examples = examples
            self.weights = weights
            self.sources = sources
            self.trust = trust
        }
    }

    public struct SourceFeedback: Codable, Sendable {
        public var source: String
        public var helped: Double
        public var unhelpful: Double
        public init(source: String, helped: Double, unhelpful: Double) {
            self.source = source
            self.helped = helped
            self.unhelpful = unhelpful
        }
    }

    /// How the caller likes answers, learned from ratings of answers under each preset.
    public struct Taste: Codable, Sendable {
        /// "brief", "balanced" or "detailed": the preset the next answer gets.
        public var preset: String
        /// True when a `style` or `instructions` preference, or a token limit in the `options`
        /// preference, decides instead (what the user said always wins).
        public var overridden: Bool
        public var ratings: [PresetRatings]
        /// The answer language a comment asked for ("answer in French"); a `language`
        /// preference wins over it.
        public var language: String?
        /// How comments asked answers to be laid out, by aspect: `layout` ("bullets" or
        /// "paragraphs"), `markup` ("plain" or "markdown"), `examples` ("examples" or
        /// "noExamples"). A `style` or `instructions` preference wins over them. Absent when
        /// no comment asked for a layout.
        public var format: [String: String]?
        public init(preset: String, overridden: Bool, ratings: [PresetRatings], language: String? = nil, format: [String: String]? = nil) {
            self.preset = preset
            self.overridden = overridden
            self.ratings = ratings
            self.language = language
            self.format = format
        }
    }

    public struct PresetRatings: Codable, Sendable {
        public var preset: String
        public var up: Double
        public var down: Double
        public init(preset: String, up: Double, down: Double) {
            self.preset = preset
            self.up = up
            self.down = down
        }
    }

    public struct Result: Codable, Sendable {
        /// Questions with the answer the caller rated up or corrected, offered to similar questions.
        public var exemplars: Int
        public var ranking: Ranking
        public var taste: Taste
        public init(exemplars: Int, ranking: Ranking, taste: Taste) {
            self.exemplars = exemplars
            self.ranking = ranking
            self.taste = taste
        }
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
        /// Labelled passages the ranking model had learned from.
        public var rankingExamples: Int
        /// Counts in the preset ratings (a comment on length counts for one preset and against another).
        public var tasteRatings: Int
        public init(forgotten: Int, rankingExamples: Int, tasteRatings: Int) {
            self.forgotten = forgotten
            self.rankingExamples = rankingExamples
            self.tasteRatings = tasteRatings
        }
    }
}
