import Foundation
import GRDB
import GrokLearning

/// What feedback teaches beyond exemplars: which passages help this user (the ranking model)
/// and how they like their answers (the taste presets). Every row is the owner's own; nothing
/// learned from one uid is read for another.
extension Store {
    /// A passage that went into an answer.
    public struct PassageUse: Sendable {
        public var rank: Int
        public var source: String
        public var retriever: String
        public var text: String
        public var features: PassageFeatures
        /// How much of the answer's vocabulary came from the passage.
        public var answerMatch: Double
        public init(rank: Int, source: String, retriever: String, text: String, features: PassageFeatures, answerMatch: Double) {
            self.rank = rank
            self.source = source
            self.retriever = retriever
            self.text = text
            self.features = features
            self.answerMatch = answerMatch
        }
    }

    /// Records the passages and the preset an answer was written with, for its feedback to teach.
    public func recordAnswer(owner: UInt32, message: Int64, passages: [PassageUse], preset: TastePreset?) throws {
        let encoder = JSONEncoder()
        try pool.write { db in
            for use in passages {
                let features = String(decoding: try encoder.encode(use.features.values), as: UTF8.self)
                try db.execute(sql: """
                    INSERT INTO passage_uses(owner, message, rank, source, retriever, passage, features, answer_match)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [owner, message, use.rank, use.source, use.retriever, use.text, features, use.answerMatch])
            }
            if let preset {
                try db.execute(sql: "INSERT OR REPLACE INTO answer_presets(message, owner, preset) VALUES (?, ?, ?)",
                               arguments: [message, owner, preset.rawValue])
            }
        }
    }

    /// The owner's ranking model (the retriever's order until they give feedback).
    public func rankingModel(owner: UInt32) throws -> RankingModel {
        try pool.read { db in try Self.rankingModel(db, owner: owner) }
    }

    /// How the owner's feedback fell on each source and retriever.
    public func feedbackTally(owner: UInt32) throws -> FeedbackTally {
        try pool.read { db in
            var tally = FeedbackTally()
            for row in try Row.fetchAll(db, sql: """
                SELECT source, retriever, SUM(MAX(label, 0)) AS helped, SUM(MAX(-label, 0)) AS unhelpful
                FROM passage_uses WHERE owner = ? AND label IS NOT NULL GROUP BY source, retriever
                """, arguments: [owner]) {
                tally.add(source: Self.text(row, "source"), retriever: Self.text(row, "retriever"), helped: Self.number(row, "helped"),
                          unhelpful: Self.number(row, "unhelpful"))
            }
            return tally
        }
    }

    /// How the owner rated answers under each preset.
    public func tasteTally(owner: UInt32) throws -> TasteTally {
        try pool.read { db in
            var tally = TasteTally()
            for row in try Row.fetchAll(db, sql: "SELECT preset, up, down FROM taste WHERE owner = ?", arguments: [owner]) {
                if let preset = TastePreset(rawValue: Self.text(row, "preset")) { tally.ratings[preset] = (Self.number(row, "up"), Self.number(row, "down")) }
            }
            return tally
        }
    }

    /// The answer language the owner's feedback asked for, if any.
    public func learnedLanguage(owner: UInt32) throws -> String? {
        try pool.read { db in try String.fetchOne(db, sql: "SELECT language FROM learned_language WHERE owner = ?", arguments: [owner]) }
    }

    /// How the owner's feedback asked answers to be laid out, one choice per aspect, in aspect order.
    public func learnedFormat(owner: UInt32) throws -> [FormatChoice] {
        try pool.read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT aspect, choice FROM learned_format WHERE owner = ?", arguments: [owner])
            let choices = rows.compactMap { row in
                FormatChoice(rawValue: Self.text(row, "choice")).flatMap { $0.aspect.rawValue == Self.text(row, "aspect") ? $0 : nil }
            }
            return FormatChoice.Aspect.allCases.compactMap { aspect in choices.first { $0.aspect == aspect } }
        }
    }

    /// What was forgotten by `forgetLearning`.
    public struct Forgotten: Sendable, Equatable {
        public var exemplars: Int
        public var rankingExamples: Int
        public var tasteRatings: Int
    }

    /// Forgets everything learned from the owner's feedback: exemplars, the ranking model and
    /// the labels it learned from, the taste ratings, language and format. The feedback and the sessions stay.
    public func forgetLearning(owner: UInt32) throws -> Forgotten {
        try pool.write { db in
            try db.execute(sql: "DELETE FROM exemplars WHERE owner = ?", arguments: [owner])
            let exemplars = db.changesCount
            let examples = try Self.rankingModel(db, owner: owner).examples
            try db.execute(sql: "DELETE FROM ranking_models WHERE owner = ?", arguments: [owner])
            try db.execute(sql: "UPDATE passage_uses SET label = NULL WHERE owner = ?", arguments: [owner])
            let ratings = try Double.fetchOne(db, sql: "SELECT SUM(up + down) FROM taste WHERE owner = ?", arguments: [owner]) ?? 0
            try db.execute(sql: "DELETE FROM taste WHERE owner = ?", arguments: [owner])
            try db.execute(sql: "UPDATE answer_presets SET rated = 0 WHERE owner = ?", arguments: [owner])
            try db.execute(sql: "DELETE FROM learned_language WHERE owner = ?", arguments: [owner])
            try db.execute(sql: "DELETE FROM learned_format WHERE owner = ?", arguments: [owner])
            return Forgotten(exemplars: exemplars, rankingExamples: examples, tasteRatings: Int(max(0, min(1e9, ratings.isFinite ? ratings : 0)).rounded()))
        }
    }

    /// A column as text or number, whatever a damaged row holds (never a crash).
    static func text(_ row: Row, _ column: String) -> String { String.fromDatabaseValue(row[column] as DatabaseValue) ?? "" }
    static func number(_ row: Row, _ column: String) -> Double {
        let value = Double.fromDatabaseValue(row[column] as DatabaseValue) ?? 0
        return value.isFinite ? value : 0
    }

    static func rankingModel(_ db: Database, owner: UInt32) throws -> RankingModel {
        guard let text = try String.fetchOne(db, sql: "SELECT model FROM ranking_models WHERE owner = ?", arguments: [owner]),
            let model = try? JSONDecoder().decode(RankingModel.self, from: Data(text.utf8)),
            model.weights.count == PassageFeatures.count, model.weights.allSatisfy(\.isFinite), model.bias.isFinite
        else { return RankingModel() }
        return model
    }

    /// After feedback on an answer: labels the passages that went into it and teaches the
    /// owner's ranking model with them.
    static func learnRanking(_ db: Database, owner: UInt32, message: Int64, rating: Int, correction: String?) throws {
        let rows = try Row.fetchAll(db, sql: """
            SELECT id, passage, features, answer_match, label FROM passage_uses WHERE message = ? AND owner = ? ORDER BY rank
            """, arguments: [message, owner])
        let features = rows.compactMap { row in
            (try? JSONDecoder().decode([Double].self, from: Data(Self.text(row, "features").utf8)))
                .flatMap { $0.count == PassageFeatures.count ? PassageFeatures(values: $0) : nil }
        }
        guard !rows.isEmpty, features.count == rows.count else { return }
        let corrected = correction?.trimmingCharacters(in: .whitespacesAndNewlines)
        let correctionMatches = corrected.flatMap { $0.isEmpty ? nil : $0 }.map { text in
            rows.map { FeedbackLabels.match(Self.text($0, "passage"), answer: text) }
        }
        let labels = FeedbackLabels.labels(answerMatches: rows.map { Self.number($0, "answer_match") }, rating: rating, correctionMatches: correctionMatches)
        // An answer rated again is relabelled (its source tallies follow the latest opinion),
        // but teaches the model once: rating twice must not count twice.
        let learnedBefore = rows.contains { !($0["label"] as DatabaseValue).isNull }
        for (row, label) in zip(rows, labels) {
            try db.execute(sql: "UPDATE passage_uses SET label = ? WHERE id = ?", arguments: [label, row["id"] as DatabaseValue])
        }
        guard !learnedBefore else { return }
        var model = try rankingModel(db, owner: owner)
        model.learn(zip(features, labels).map { RankingModel.Example(features: $0, label: $1) })
        let text = String(decoding: try JSONEncoder().encode(model), as: UTF8.self)
        try db.execute(sql: "INSERT OR REPLACE INTO ranking_models(owner, model, updated) VALUES (?, ?, ?)",
                       arguments: [owner, text, Date().timeIntervalSince1970])
    }

    /// After feedback on an answer: a language or layout it asks for is learned. When it speaks of length ("too long", a much shorter
    /// correction…), for the preset it asks for and against the one used if they differ;
    /// otherwise the rating counts for or against the preset the answer was written under.
    static func learnTaste(_ db: Database, owner: UInt32, message: Int64, rating: Int, comment: String?, correction: String?) throws {
        func add(_ preset: TastePreset, up: Double, down: Double) throws {
            try db.execute(sql: """
                INSERT INTO taste(owner, preset, up, down) VALUES (?, ?, ?, ?)
                ON CONFLICT(owner, preset) DO UPDATE SET up = up + excluded.up, down = down + excluded.down
                """, arguments: [owner, preset.rawValue, up, down])
        }
        if let language = TasteTally.languageRequest(comment: comment) {
            try db.execute(sql: "INSERT OR REPLACE INTO learned_language(owner, language, updated) VALUES (?, ?, ?)",
                           arguments: [owner, language, Date().timeIntervalSince1970])
        }
        for choice in FormatChoice.requests(comment: comment) {
            try db.execute(sql: "INSERT OR REPLACE INTO learned_format(owner, aspect, choice, updated) VALUES (?, ?, ?, ?)",
                           arguments: [owner, choice.aspect.rawValue, choice.rawValue, Date().timeIntervalSince1970])
        }
        // Each answer counts once, at its first rating.
        guard let name = try String.fetchOne(db, sql: "SELECT preset FROM answer_presets WHERE message = ? AND owner = ? AND rated = 0",
                                             arguments: [message, owner]),
            let used = TastePreset(rawValue: name) else { return }
        try db.execute(sql: "UPDATE answer_presets SET rated = 1 WHERE message = ?", arguments: [message])
        let answer = try String.fetchOne(db, sql: "SELECT content FROM messages WHERE id = ?", arguments: [message]) ?? ""
        guard let wanted = TasteTally.lengthSignal(comment: comment, correction: correction, answer: answer) else {
            try add(used, up: rating > 0 ? 1 : 0, down: rating > 0 ? 0 : 1)
            return
        }
        try add(wanted, up: 1, down: 0)
        if wanted != used { try add(used, up: 0, down: 1) }
    }
}
