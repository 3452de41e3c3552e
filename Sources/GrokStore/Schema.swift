import GRDB

/// The database's versioned schema. Migrations only ever get appended; a database carrying a
/// migration this build does not know was written by a newer grok and is refused.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1 sessions, messages, preferences, feedback") { db in
            try db.execute(sql: """
                CREATE TABLE sessions (
                    id TEXT PRIMARY KEY NOT NULL,
                    owner INTEGER NOT NULL,
                    title TEXT NOT NULL DEFAULT '',
                    model TEXT,
                    created REAL NOT NULL,
                    updated REAL NOT NULL,
                    archived INTEGER NOT NULL DEFAULT 0
                );
                CREATE INDEX sessions_by_owner ON sessions(owner, archived);
                CREATE TABLE messages (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    session TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
                    owner INTEGER NOT NULL,
                    role TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant', 'tool')),
                    content TEXT NOT NULL,
                    tool_calls TEXT,
                    citations TEXT,
                    prompt_tokens INTEGER,
                    completion_tokens INTEGER,
                    created REAL NOT NULL
                );
                CREATE INDEX messages_by_session ON messages(session, id);
                CREATE TABLE preferences (
                    owner INTEGER NOT NULL,
                    key TEXT NOT NULL,
                    value TEXT NOT NULL,
                    updated REAL NOT NULL,
                    PRIMARY KEY (owner, key)
                );
                CREATE TABLE feedback (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    message INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
                    owner INTEGER NOT NULL,
                    rating INTEGER NOT NULL CHECK (rating IN (-1, 1)),
                    comment TEXT,
                    correction TEXT,
                    created REAL NOT NULL
                );
                CREATE INDEX feedback_by_owner ON feedback(owner, id);
                -- Full-text search over message content, kept in sync by triggers.
                CREATE VIRTUAL TABLE messages_fts USING fts5(
                    content, content = 'messages', content_rowid = 'id', tokenize = 'porter unicode61');
                CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
                    INSERT INTO messages_fts(rowid, content) VALUES (new.id, new.content);
                END;
                CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
                    INSERT INTO messages_fts(messages_fts, rowid, content) VALUES ('delete', old.id, old.content);
                END;
                CREATE TRIGGER messages_fts_update AFTER UPDATE OF content ON messages BEGIN
                    INSERT INTO messages_fts(messages_fts, rowid, content) VALUES ('delete', old.id, old.content);
                    INSERT INTO messages_fts(rowid, content) VALUES (new.id, new.content);
                END;
                """)
        }
        migrator.registerMigration("v2 how an answer ended") { db in
            // NULL for messages that were never generated (the user's) and for answers stored
            // before v2; "stop", "length" or "cancelled" for answers.
            try db.execute(sql: "ALTER TABLE messages ADD COLUMN finish TEXT")
        }
        migrator.registerMigration("v3 exemplars learned from feedback") { db in
            // A question and the answer the user approved (or the correction they gave); they
            // go with their message, or all at once when the user asks to forget.
            try db.execute(sql: """
                CREATE TABLE exemplars (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    owner INTEGER NOT NULL,
                    message INTEGER UNIQUE,
                    question TEXT NOT NULL,
                    answer TEXT NOT NULL,
                    created REAL NOT NULL
                );
                CREATE INDEX exemplars_by_owner ON exemplars(owner, id);
                CREATE VIRTUAL TABLE exemplars_fts USING fts5(question);
                CREATE TRIGGER exemplars_fts_insert AFTER INSERT ON exemplars BEGIN
                    INSERT INTO exemplars_fts(rowid, question) VALUES (new.id, new.question);
                END;
                CREATE TRIGGER exemplars_fts_delete AFTER DELETE ON exemplars BEGIN
                    DELETE FROM exemplars_fts WHERE rowid = old.id;
                END;
                -- Deleting the conversation deletes what was learned from it.
                CREATE TRIGGER exemplars_follow_messages AFTER DELETE ON messages BEGIN
                    DELETE FROM exemplars WHERE message = old.id;
                END;
                """)
        }
        migrator.registerMigration("v4 passage ranking and answer presets learned from feedback") { db in
            // Each passage that went into an answer, with its features: feedback on the answer
            // labels them, and the labels train the owner's ranking model.
            try db.execute(sql: """
                CREATE TABLE passage_uses (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    owner INTEGER NOT NULL,
                    message INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
                    rank INTEGER NOT NULL,
                    source TEXT NOT NULL,
                    retriever TEXT NOT NULL,
                    passage TEXT NOT NULL,
                    features TEXT NOT NULL,
                    answer_match REAL NOT NULL,
                    label REAL
                );
                CREATE INDEX passage_uses_by_message ON passage_uses(message);
                CREATE INDEX passage_uses_by_owner ON passage_uses(owner, label);
                CREATE TABLE ranking_models (
                    owner INTEGER PRIMARY KEY NOT NULL,
                    model TEXT NOT NULL,
                    updated REAL NOT NULL
                );
                -- The preset each answer was written under, and how each owner rated them.
                CREATE TABLE answer_presets (
                    message INTEGER PRIMARY KEY NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
                    owner INTEGER NOT NULL,
                    preset TEXT NOT NULL,
                    rated INTEGER NOT NULL DEFAULT 0  -- counted in taste once, however often rated
                );
                CREATE TABLE taste (
                    owner INTEGER NOT NULL,
                    preset TEXT NOT NULL,
                    up REAL NOT NULL DEFAULT 0,
                    down REAL NOT NULL DEFAULT 0,
                    PRIMARY KEY (owner, preset)
                );
                -- The answer language a comment asked for ("answer in French"); an explicit
                -- language preference wins over it.
                CREATE TABLE learned_language (
                    owner INTEGER PRIMARY KEY NOT NULL,
                    language TEXT NOT NULL,
                    updated REAL NOT NULL
                );
                """)
        }
        migrator.registerMigration("v5 messages by owner") { db in
            // Speculative drafting reads an owner's latest messages across sessions: without
            // this index that walks every user's messages newest first.
            try db.execute(sql: "CREATE INDEX messages_by_owner ON messages(owner, id)")
        }
        migrator.registerMigration("v6 learned answer format") { db in
            // How a comment asked answers to be laid out ("use bullet points"), one choice per
            // aspect; a style or instructions preference wins over them.
            try db.execute(sql: """
                CREATE TABLE learned_format (
                    owner INTEGER NOT NULL,
                    aspect TEXT NOT NULL,
                    choice TEXT NOT NULL,
                    updated REAL NOT NULL,
                    PRIMARY KEY (owner, aspect)
                );
                """)
        }
        return migrator
    }
}
