import Foundation
import GRDB
import GrokJSON
import GrokProtocol

/// Sessions and their messages. Every function takes the caller's uid and touches only that
/// uid's rows: another uid's session is "not found" (nil or false), never "forbidden", so ids
/// do not leak.
extension Store {
    private static let sessionColumns = """
        s.id, s.title, s.model, s.created, s.updated, s.archived,
        (SELECT COUNT(*) FROM messages m WHERE m.session = s.id) AS messageCount
        """

    private static func summary(_ row: Row) -> SessionSummary {
        SessionSummary(
            id: row["id"], title: row["title"], model: row["model"], created: row["created"], updated: row["updated"],
            archived: row["archived"], messageCount: row["messageCount"])
    }

    private static func now() -> Double { Date().timeIntervalSince1970 }

    /// A new, random session id ("s-" and 24 hex digits).
    private static func newID() -> String {
        "s-" + (0..<12).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
    }

    public func createSession(owner: UInt32, title: String, model: String?) throws -> SessionSummary {
        let id = Self.newID(), time = Self.now()
        try pool.write { db in
            try db.execute(
                sql: "INSERT INTO sessions(id, owner, title, model, created, updated) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [id, owner, title, model, time, time])
        }
        return SessionSummary(id: id, title: title, model: model, created: time, updated: time, archived: false, messageCount: 0)
    }

    /// Newest first (by creation), `limit` at a time; the cursor is the last row's position, so
    /// sessions created meanwhile never shift a later page.
    public func listSessions(owner: UInt32, archived: Bool, after cursor: Int64?, limit: Int) throws -> ([SessionSummary], Int64?) {
        try pool.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT s.rowid AS position, \(Self.sessionColumns) FROM sessions s
                WHERE s.owner = ? AND s.archived = ? AND s.rowid < ? ORDER BY s.rowid DESC LIMIT ?
                """, arguments: [owner, archived, cursor ?? Int64.max, limit + 1])
            let page = rows.prefix(limit)
            let next: Int64? = rows.count > limit ? page.last?["position"] : nil
            return (page.map(Self.summary), next)
        }
    }

    public func session(owner: UInt32, id: String) throws -> (SessionSummary, [SessionMessage])? {
        try pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT \(Self.sessionColumns) FROM sessions s WHERE s.id = ? AND s.owner = ?",
                                              arguments: [id, owner]) else { return nil }
            let messages = try Row.fetchAll(db, sql: "SELECT * FROM messages WHERE session = ? ORDER BY id", arguments: [id]).map(Self.message)
            return (Self.summary(row), messages)
        }
    }

    /// The query behind `recentText` (a test checks that it uses the owner's index).
    static let recentTextQuery = """
        SELECT content FROM messages WHERE owner = ? AND session != ? AND role IN ('user', 'assistant')
        ORDER BY id DESC LIMIT 200
        """

    /// The owner's latest user and assistant messages outside `session`, newest first, up to
    /// about `characters` characters: the text speculative decoding drafts from.
    public func recentText(owner: UInt32, excluding session: String?, characters: Int) throws -> [String] {
        try pool.read { db in
            let rows = try String.fetchCursor(db, sql: Self.recentTextQuery, arguments: [owner, session ?? ""])
            var texts: [String] = []
            var total = 0
            while total < characters, let text = try rows.next() {
                texts.append(text)
                total += text.count
            }
            return texts
        }
    }

    private static func message(_ row: Row) -> SessionMessage {
        SessionMessage(
            id: row["id"], role: row["role"], content: row["content"], toolCalls: json(row["tool_calls"]),
            citations: json(row["citations"]), promptTokens: row["prompt_tokens"], completionTokens: row["completion_tokens"],
            finish: row["finish"], created: row["created"])
    }

    private static func json(_ text: String?) -> JSONValue? { text.flatMap { try? JSONCodec.parse(string: $0) } }
    private static func text(_ value: JSONValue?) -> String? { value.flatMap { try? JSONCodec.encodeToString($0) } }

    /// Appends messages to a session in one transaction; nil when the session is not the owner's.
    public func append(owner: UInt32, session: String, messages: [NewMessage]) throws -> [Int64]? {
        try pool.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM sessions WHERE id = ? AND owner = ?", arguments: [session, owner]) != nil
            else { return nil }
            let time = Self.now()
            var ids: [Int64] = []
            for message in messages {
                try db.execute(sql: """
                    INSERT INTO messages(
                        session, owner, role, content, tool_calls, citations, prompt_tokens, completion_tokens, finish, created)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [session, owner, message.role, message.content, Self.text(message.toolCalls),
                                     Self.text(message.citations), message.promptTokens, message.completionTokens, message.finish, time])
                ids.append(db.lastInsertedRowID)
            }
            try db.execute(sql: "UPDATE sessions SET updated = ? WHERE id = ?", arguments: [time, session])
            return ids
        }
    }

    public func rename(owner: UInt32, session: String, title: String) throws -> Bool {
        try change("UPDATE sessions SET title = ?, updated = ? WHERE id = ? AND owner = ?", [title, Self.now(), session, owner])
    }

    public func archive(owner: UInt32, session: String, archived: Bool) throws -> Bool {
        try change("UPDATE sessions SET archived = ?, updated = ? WHERE id = ? AND owner = ?", [archived, Self.now(), session, owner])
    }

    public func delete(owner: UInt32, session: String) throws -> Bool {
        try change("DELETE FROM sessions WHERE id = ? AND owner = ?", [session, owner])
    }

    private func change(_ sql: String, _ arguments: StatementArguments) throws -> Bool {
        try pool.write { db in
            try db.execute(sql: sql, arguments: arguments)
            return db.changesCount > 0
        }
    }

    /// A copy of a session with its messages up to and including `upTo` (all when nil).
    public func fork(owner: UInt32, session: String, upTo: Int64?, title: String?) throws -> SessionSummary? {
        let id = Self.newID(), time = Self.now()
        return try pool.write { db in
            guard let source = try Row.fetchOne(db, sql: "SELECT title, model FROM sessions WHERE id = ? AND owner = ?",
                                                arguments: [session, owner]) else { return nil }
            let name: String = title ?? "\(source["title"] as String) (fork)"
            try db.execute(sql: "INSERT INTO sessions(id, owner, title, model, created, updated) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [id, owner, name, source["model"] as String?, time, time])
            try db.execute(sql: """
                INSERT INTO messages(session, owner, role, content, tool_calls, citations, prompt_tokens, completion_tokens, finish, created)
                SELECT ?, owner, role, content, tool_calls, citations, prompt_tokens, completion_tokens, finish, created FROM messages
                WHERE session = ? AND id <= ? ORDER BY id
                """, arguments: [id, session, upTo ?? Int64.max])
            let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM messages WHERE session = ?", arguments: [id]) ?? 0
            return SessionSummary(id: id, title: name, model: source["model"], created: time, updated: time, archived: false, messageCount: count)
        }
    }

    /// The owner's messages matching `query` (words, or "phrases" in quotes), best first.
    public func search(owner: UInt32, query: String, limit: Int) throws -> [SessionSearch.Hit] {
        guard let match = Self.ftsQuery(query) else { return [] }
        return try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT m.id, m.session, m.role, s.title, snippet(messages_fts, 0, '[', ']', '…', 12) AS snippet,
                       bm25(messages_fts) AS rank
                FROM messages_fts JOIN messages m ON m.id = messages_fts.rowid JOIN sessions s ON s.id = m.session
                WHERE messages_fts MATCH ? AND m.owner = ? ORDER BY rank LIMIT ?
                """, arguments: [match, owner, limit]).map { row in
                SessionSearch.Hit(session: row["session"], sessionTitle: row["title"], messageId: row["id"], role: row["role"],
                                  snippet: row["snippet"], score: -(row["rank"] as Double))
            }
        }
    }

    /// A user's query as FTS5 syntax: quoted phrases kept, other words quoted one by one (all
    /// must match), so nothing in the text is read as an operator. nil when it has no words.
    static func ftsQuery(_ query: String) -> String? {
        var terms: [String] = []
        for (index, part) in query.split(separator: "\"", omittingEmptySubsequences: false).enumerated() {
            let words = part.split { !($0.isLetter || $0.isNumber || $0 == "_") }.map(String.init)
            guard !words.isEmpty else { continue }
            if index % 2 == 1 { terms.append("\"\(words.joined(separator: " "))\"") }
            else { terms += words.map { "\"\($0)\"" } }
        }
        return terms.isEmpty ? nil : terms.joined(separator: " AND ")
    }
}
