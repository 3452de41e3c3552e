import Foundation
import GRDB
import GrokJSON

/// Each uid's preferences (JSON values by key) and its feedback on answers.
extension Store {
    public func preference(owner: UInt32, key: String) throws -> JSONValue? {
        try pool.read { db in
            try String.fetchOne(db, sql: "SELECT value FROM preferences WHERE owner = ? AND key = ?", arguments: [owner, key])
        }.flatMap { try? JSONCodec.parse(string: $0) }
    }

    public func setPreference(owner: UInt32, key: String, value: JSONValue) throws {
        let text = try JSONCodec.encodeToString(value)
        try pool.write { db in
            try db.execute(sql: "INSERT OR REPLACE INTO preferences(owner, key, value, updated) VALUES (?, ?, ?, ?)",
                           arguments: [owner, key, text, Date().timeIntervalSince1970])
        }
    }

    public func unsetPreference(owner: UInt32, key: String) throws -> Bool {
        try pool.write { db in
            try db.execute(sql: "DELETE FROM preferences WHERE owner = ? AND key = ?", arguments: [owner, key])
            return db.changesCount > 0
        }
    }

    public func preferences(owner: UInt32) throws -> [(key: String, value: JSONValue)] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT key, value FROM preferences WHERE owner = ? ORDER BY key", arguments: [owner]).map { row in
                (row["key"], (try? JSONCodec.parse(string: row["value"] as String)) ?? .null)
            }
        }
    }

    /// Records feedback on one of the owner's messages; nil when the message is not theirs.
    public func submitFeedback(owner: UInt32, message: Int64, rating: Int, comment: String?, correction: String?) throws -> Int64? {
        try pool.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM messages WHERE id = ? AND owner = ?", arguments: [message, owner]) != nil
            else { return nil }
            try db.execute(sql: "INSERT INTO feedback(message, owner, rating, comment, correction, created) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [message, owner, rating, comment, correction, Date().timeIntervalSince1970])
            let id = db.lastInsertedRowID
            try Self.learnExemplar(db, owner: owner, message: message, approved: rating > 0, correction: correction)
            try Self.learnRanking(db, owner: owner, message: message, rating: rating, correction: correction)
            try Self.learnTaste(db, owner: owner, message: message, rating: rating, comment: comment, correction: correction)
            return id
        }
    }

    public struct Feedback: Sendable, Equatable {
        public let id: Int64
        public let message: Int64
        public let rating: Int
        public let comment: String?
        public let correction: String?
        public let created: Double
    }

    /// The owner's feedback, newest first, `limit` after `cursor` (an id).
    public func feedback(owner: UInt32, after cursor: Int64?, limit: Int) throws -> ([Feedback], Int64?) {
        try pool.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT * FROM feedback WHERE owner = ? AND id < ? ORDER BY id DESC LIMIT ?
                """, arguments: [owner, cursor ?? Int64.max, limit + 1])
            let page = rows.prefix(limit).map { row in
                Feedback(id: row["id"], message: row["message"], rating: row["rating"], comment: row["comment"],
                         correction: row["correction"], created: row["created"])
            }
            return (page, rows.count > limit ? page.last?.id : nil)
        }
    }
}
