import Foundation
import GRDB
import GrokJSON
import GrokProtocol
import Testing
@testable import GrokStore

/// The store on real database files: migrations, ownership, search, pagination, corruption.
@Suite struct StoreTests {
    static func temporaryPath() throws -> String {
        let folder = NSTemporaryDirectory() + "grok-store-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder + "/grok.db"
    }

    @Test func createsTheSchemaOnAnEmptyFileAndReopensIt() throws {
        let path = try Self.temporaryPath()
        let store = try Store(path: path)
        #expect(try store.schemaVersions() == ["v1 sessions, messages, preferences, feedback", "v2 how an answer ended",
                                                "v3 exemplars learned from feedback",
                                                "v4 passage ranking and answer presets learned from feedback",
                                                "v5 messages by owner", "v6 learned answer format"])
        #expect(try store.integrityCheck() == "ok")
        let session = try store.createSession(owner: 1000, title: "first", model: nil)
        #expect(try store.append(owner: 1000, session: session.id, messages: [NewMessage(role: "user", content: "hello")])?.count == 1)
        let reopened = try Store(path: path)
        #expect(reopened.recovered == nil)
        #expect(try reopened.session(owner: 1000, id: session.id)?.1.map(\.content) == ["hello"])
    }
}

extension StoreTests {
    /// A database of each earlier schema version is brought up to date, keeping its rows.
    @Test func migratesAVersion1Database() throws {
        let path = try Self.temporaryPath()
        let pool = try DatabasePool(path: path)
        try Schema.migrator.migrate(pool, upTo: "v1 sessions, messages, preferences, feedback")
        try pool.write { db in
            try db.execute(sql: "INSERT INTO sessions(id, owner, title, created, updated) VALUES ('s1', 1000, 'old', 1, 1)")
            try db.execute(sql: "INSERT INTO messages(session, owner, role, content, created) VALUES ('s1', 1000, 'assistant', 'kept', 1)")
        }
        try pool.close()
        let store = try Store(path: path)
        #expect(try store.schemaVersions().count == 6)
        #expect(try store.session(owner: 1000, id: "s1")?.1.map(\.content) == ["kept"])
        var answer = NewMessage(role: "assistant", content: "cut short")
        answer.finish = "cancelled"
        _ = try store.append(owner: 1000, session: "s1", messages: [answer])
        #expect(try store.session(owner: 1000, id: "s1")?.1.map(\.finish) == [nil, "cancelled"])
        #expect(try store.integrityCheck() == "ok")
    }

    @Test func refusesADatabaseFromANewerGrok() throws {
        let path = try Self.temporaryPath()
        let store = try Store(path: path)
        try store.pool.write { db in try db.execute(sql: "INSERT INTO grdb_migrations(identifier) VALUES ('v99 from the future')") }
        #expect {
            _ = try Store(path: path)
        } throws: { error in
            (error as? StoreError)?.description.contains("written by a newer grok (schema v99 from the future)") == true
        }
    }

    /// Every method, as uid 2000 on uid 1000's rows: nothing found, nothing changed.
    /// Feedback teaches exemplars: an answer rated up, or a correction, for the question before
    /// it; offered to similar questions of the same uid only; unlearned by a rating down,
    /// with the session, or all at once; kept across reopening.
    @Test func exemplarsAreLearnedFromFeedbackAndForgotten() throws {
        let path = try Self.temporaryPath()
        let store = try Store(path: path)
        let a: UInt32 = 1000, b: UInt32 = 2000
        let session = try store.createSession(owner: a, title: "t", model: nil)
        let ids = try #require(try store.append(owner: a, session: session.id, messages: [
            NewMessage(role: "user", content: "How do I reverse a list in Python?"), NewMessage(role: "assistant", content: "Use reversed(list)."),
            NewMessage(role: "user", content: "How do I sort a dictionary by value?"), NewMessage(role: "assistant", content: "No idea."),
        ]))
        _ = try store.submitFeedback(owner: a, message: ids[1], rating: 1, comment: nil, correction: nil)
        _ = try store.submitFeedback(owner: a, message: ids[3], rating: -1, comment: nil, correction: "sorted(d.items(), key=lambda kv: kv[1])")
        #expect(try store.exemplarCount(owner: a) == 2 && store.exemplarCount(owner: b) == 0)
        let reverse = try store.exemplars(owner: a, similarTo: "what is the way to reverse a python list", limit: 2)
        #expect(reverse == [Store.Exemplar(question: "How do I reverse a list in Python?", answer: "Use reversed(list).", message: ids[1])])
        let sort = try store.exemplars(owner: a, similarTo: "sort my dictionary by its values", limit: 2)
        #expect(sort.map(\.answer) == ["sorted(d.items(), key=lambda kv: kv[1])"])
        #expect(try store.exemplars(owner: a, similarTo: "what is the weather like", limit: 2).isEmpty)
        // Common words do not make questions similar.
        #expect(Store.matchingWords("What does HTTP stand for? Which one?") == ["http", "stand"])
        #expect(try store.exemplars(owner: b, similarTo: "reverse a python list", limit: 2).isEmpty)
        // A rating down without a correction unlearns; what is left survives reopening.
        _ = try store.submitFeedback(owner: a, message: ids[1], rating: -1, comment: "wrong after all", correction: nil)
        let reopened = try Store(path: path)
        #expect(try reopened.exemplarCount(owner: a) == 1)
        #expect(try reopened.forgetExemplars(owner: b) == 0 && reopened.exemplarCount(owner: a) == 1)
        #expect(try reopened.forgetExemplars(owner: a) == 1 && reopened.exemplarCount(owner: a) == 0)
        // Deleting the session takes its exemplars with it.
        _ = try reopened.submitFeedback(owner: a, message: ids[3], rating: 1, comment: nil, correction: nil)
        #expect(try reopened.exemplarCount(owner: a) == 1)
        #expect(try reopened.delete(owner: a, session: session.id))
        #expect(try reopened.exemplarCount(owner: a) == 0)
    }

    @Test func oneUidNeverSeesOrChangesAnothersRows() throws {
        let store = try Store(path: try Self.temporaryPath())
        let a: UInt32 = 1000, b: UInt32 = 2000
        let session = try store.createSession(owner: a, title: "mine", model: "m")
        let ids = try #require(try store.append(owner: a, session: session.id, messages: [
            NewMessage(role: "user", content: "the secret password is swordfish"), NewMessage(role: "assistant", content: "noted"),
        ]))
        try store.setPreference(owner: a, key: "name", value: "Ada")
        _ = try store.submitFeedback(owner: a, message: ids[1], rating: 1, comment: "good", correction: nil)

        #expect(try store.session(owner: b, id: session.id) == nil)
        #expect(try store.listSessions(owner: b, archived: false, after: nil, limit: 10).0.isEmpty)
        #expect(try store.append(owner: b, session: session.id, messages: [NewMessage(role: "user", content: "x")]) == nil)
        #expect(try !store.rename(owner: b, session: session.id, title: "theirs"))
        #expect(try !store.archive(owner: b, session: session.id, archived: true))
        #expect(try store.fork(owner: b, session: session.id, upTo: nil, title: nil) == nil)
        #expect(try store.export(owner: b, session: session.id, markdown: true) == nil)
        #expect(try store.search(owner: b, query: "swordfish", limit: 10).isEmpty)
        // Speculative decoding drafts from one's own earlier text only.
        #expect(try store.recentText(owner: b, excluding: nil, characters: 10_000).isEmpty)
        #expect(try store.recentText(owner: a, excluding: nil, characters: 10_000) == ["noted", "the secret password is swordfish"])
        #expect(try store.recentText(owner: a, excluding: session.id, characters: 10_000).isEmpty)
        // ... through the owner's index, not a walk over every user's messages.
        let plan = try store.pool.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + Store.recentTextQuery, arguments: [a, ""]).map { $0["detail"] as String }.joined()
        }
        #expect(plan.contains("messages_by_owner"), "\(plan)")
        #expect(try store.submitFeedback(owner: b, message: ids[0], rating: -1, comment: nil, correction: nil) == nil)
        #expect(try store.feedback(owner: b, after: nil, limit: 10).0.isEmpty)
        #expect(try store.preference(owner: b, key: "name") == nil && store.preferences(owner: b).isEmpty)
        #expect(try !store.unsetPreference(owner: b, key: "name"))
        #expect(try !store.delete(owner: b, session: session.id))
        // uid 1000 still has everything, unchanged.
        let (summary, messages) = try #require(try store.session(owner: a, id: session.id))
        #expect(summary.title == "mine" && !summary.archived && messages.count == 2)
        #expect(try store.search(owner: a, query: "swordfish", limit: 10).count == 1)
        #expect(try store.preference(owner: a, key: "name") == "Ada")
        #expect(try store.feedback(owner: a, after: nil, limit: 10).0.count == 1)
    }

    @Test func searchFindsWordsAndPhrasesOfTheOwnerOnly() throws {
        let store = try Store(path: try Self.temporaryPath())
        let mine = try store.createSession(owner: 1, title: "cooking", model: nil)
        let theirs = try store.createSession(owner: 2, title: "other", model: nil)
        _ = try store.append(owner: 1, session: mine.id, messages: [
            NewMessage(role: "user", content: "How long should I boil an egg?"),
            NewMessage(role: "assistant", content: "Boiling eggs takes about nine minutes for a hard yolk."),
            NewMessage(role: "user", content: "And a soft egg, boiled gently?"),
        ])
        _ = try store.append(owner: 2, session: theirs.id, messages: [NewMessage(role: "user", content: "boil an egg please")])
        let words = try store.search(owner: 1, query: "boil egg", limit: 10)
        #expect(words.count == 3 && words.allSatisfy { $0.session == mine.id })  // porter stemming: boiling, eggs
        let phrase = try store.search(owner: 1, query: "\"hard yolk\"", limit: 10)
        #expect(phrase.map(\.role) == ["assistant"] && phrase[0].snippet.contains("[hard yolk]"))
        #expect(try store.search(owner: 1, query: "\"yolk hard\"", limit: 10).isEmpty)
        // FTS5 operators in the text are searched as words (all must match), never parsed.
        #expect(try store.search(owner: 1, query: "egg OR NOT (", limit: 10).isEmpty)
        #expect(try store.search(owner: 1, query: "soft egg)", limit: 10).count == 1)
        #expect(try store.search(owner: 1, query: "!!!", limit: 10).isEmpty)
    }

    /// Paging through sessions while new ones arrive: every session that existed at the start
    /// is seen exactly once.
    @Test func paginationIsStableUnderConcurrentInserts() async throws {
        let store = try Store(path: try Self.temporaryPath())
        let existing = try (0..<25).map { try store.createSession(owner: 7, title: "s\($0)", model: nil).id }
        let writer = Task {
            for index in 0..<40 { _ = try store.createSession(owner: 7, title: "new\(index)", model: nil) }
        }
        var seen: [String] = []
        var cursor: Int64?
        repeat {
            let (page, next) = try store.listSessions(owner: 7, archived: false, after: cursor, limit: 6)
            seen += page.map(\.id)
            cursor = next
            try await Task.sleep(for: .milliseconds(2))
        } while cursor != nil
        try await writer.value
        #expect(Set(existing).isSubset(of: Set(seen)))
        #expect(seen.count == Set(seen).count, "a session appeared twice")
    }

    /// A header whose write version is from the future makes SQLite open the file read-only:
    /// that is the file's fault (it is writable), so it is set aside like a corrupt one.
    @Test func aHeaderThatMakesAWritableFileReadOnlyIsSetAside() throws {
        let path = try Self.temporaryPath()
        do {
            let store = try Store(path: path)
            _ = try store.createSession(owner: 1, title: "kept aside", model: nil)
        }
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[18] = 3  // file format write version
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let store = try Store(path: path)
        #expect(store.recovered != nil)
        #expect(try store.listSessions(owner: 1, archived: false, after: nil, limit: 10).0.isEmpty)
        _ = try store.createSession(owner: 1, title: "fresh", model: nil)
    }

    /// Byte-flipped database files: opening never fails or crashes; a file that does not pass
    /// its check is set aside (kept) and a fresh database serves.
    @Test func aCorruptFileIsSetAsideAndAFreshOneServes() throws {
        let path = try Self.temporaryPath()
        do {
            let store = try Store(path: path)
            for index in 0..<50 {
                let session = try store.createSession(owner: 1, title: "session \(index)", model: nil)
                _ = try store.append(owner: 1, session: session.id, messages: (0..<20).map { NewMessage(role: "user", content: "message \($0) of \(index)") })
            }
        }
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        var random = SystemRandomNumberGenerator()
        var setAside = 0
        for round in 0..<12 {
            var bytes = [UInt8](original)
            // The header on some rounds, pages elsewhere on the others.
            let count = round % 3 == 0 ? 16 : 64
            for _ in 0..<count {
                let offset = round % 3 == 0 ? Int.random(in: 0..<100, using: &random) : Int.random(in: 100..<bytes.count, using: &random)
                bytes[offset] ^= UInt8.random(in: 1...255, using: &random)
            }
            let copy = path + ".round\(round)"
            try Data(bytes).write(to: URL(fileURLWithPath: copy))
            let store = try Store(path: copy)
            if let aside = store.recovered {
                setAside += 1
                #expect(FileManager.default.fileExists(atPath: aside))
                #expect(try store.listSessions(owner: 1, archived: false, after: nil, limit: 5).0.isEmpty)
            }
            // Either way it serves: a write and its read-back.
            let fresh = try store.createSession(owner: 1, title: "after", model: nil)
            #expect(try store.session(owner: 1, id: fresh.id)?.0.title == "after")
        }
        #expect(setAside >= 4, "the header rounds at least must be caught")
    }
}
