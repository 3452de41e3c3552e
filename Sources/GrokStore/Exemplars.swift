import Foundation
import GRDB
import GrokLearning

/// Exemplars: questions with the answer the user approved (rated up) or wrote themselves (a
/// correction), learned from feedback and offered to later, similar questions of the same
/// user. Forgotten on request; never shared between users.
extension Store {
    /// A question and the answer to imitate.
    public struct Exemplar: Sendable, Equatable {
        public let question: String
        public let answer: String
        /// The answer's message (the approved or corrected one).
        public let message: Int64
    }

    /// After feedback on `message` (an answer): learns it, or its correction, as the answer to
    /// the question before it; a plain rating down unlearns it.
    static func learnExemplar(_ db: Database, owner: UInt32, message: Int64, approved: Bool, correction: String?) throws {
        let correction = correction?.trimmingCharacters(in: .whitespacesAndNewlines)
        guard approved || correction?.isEmpty == false else {
            try db.execute(sql: "DELETE FROM exemplars WHERE message = ? AND owner = ?", arguments: [message, owner])
            return
        }
        guard let answer = try Row.fetchOne(db, sql: "SELECT session, content FROM messages WHERE id = ? AND owner = ? AND role = 'assistant'",
                                            arguments: [message, owner]),
            let question = try String.fetchOne(db, sql: """
                SELECT content FROM messages WHERE session = ? AND id < ? AND role = 'user' ORDER BY id DESC LIMIT 1
                """, arguments: [answer["session"] as String, message])
        else { return }
        let text = correction.flatMap { $0.isEmpty ? nil : $0 } ?? answer["content"]
        try db.execute(sql: "DELETE FROM exemplars WHERE message = ?", arguments: [message])
        try db.execute(sql: "INSERT INTO exemplars(owner, message, question, answer, created) VALUES (?, ?, ?, ?, ?)",
                       arguments: [owner, message, question, text, Date().timeIntervalSince1970])
    }

    /// The owner's exemplars whose questions share the most words with `question` (at least
    /// two of its `matchingWords`), best first.
    public func exemplars(owner: UInt32, similarTo question: String, limit: Int) throws -> [Exemplar] {
        let words = Self.matchingWords(question)
        guard words.count >= 2 else { return [] }
        let match = words.sorted().map { "\"\($0)\"" }.joined(separator: " OR ")
        return try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT e.question, e.answer, e.message FROM exemplars_fts JOIN exemplars e ON e.id = exemplars_fts.rowid
                WHERE exemplars_fts MATCH ? AND e.owner = ? ORDER BY bm25(exemplars_fts) LIMIT ?
                """, arguments: [match, owner, 4 * limit]).compactMap { row -> Exemplar? in
                let exemplar = Exemplar(question: row["question"], answer: row["answer"], message: row["message"])
                let shared = Self.matchingWords(exemplar.question).intersection(words)
                return shared.count >= 2 ? exemplar : nil
            }.prefix(limit).map { $0 }
        }
    }

    /// The words two questions must share (two of them) to be similar: four letters or more,
    /// and not a common word ("what", "does", "which" made "What does HTTP stand for?" match
    /// "What port does the daemon listen on?").
    static func matchingWords(_ text: String) -> Set<String> {
        Set(Words.uncommon(text))
    }

    /// How many exemplars the owner has.
    public func exemplarCount(owner: UInt32) throws -> Int {
        try pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM exemplars WHERE owner = ?", arguments: [owner]) ?? 0 }
    }

    /// Forgets everything learned from the owner's feedback; returns how many exemplars went.
    @discardableResult
    public func forgetExemplars(owner: UInt32) throws -> Int {
        try pool.write { db in
            try db.execute(sql: "DELETE FROM exemplars WHERE owner = ?", arguments: [owner])
            return db.changesCount
        }
    }
}
