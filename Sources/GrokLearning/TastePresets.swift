import Foundation

/// Answer presets a user's feedback chooses between when they have not said how they like
/// their answers: a small bandit, greedy on each preset's rating with a bonus for presets
/// seldom tried, started on `balanced` (the daemon's plain behaviour).
public enum TastePreset: String, Sendable, CaseIterable, Codable {
    case brief, balanced, detailed

    /// The system text's instruction for this preset (none for `balanced`).
    public var instruction: String? {
        switch self {
        case .brief: "Answer briefly: a few sentences at most."
        case .balanced: nil
        case .detailed: "Answer in detail, with an example where it helps."
        }
    }

    /// The answer's token limit under this preset, from the limit it would otherwise have.
    public func maxTokens(from limit: Int) -> Int {
        switch self {
        case .brief: min(limit, 96)
        case .balanced: limit
        case .detailed: max(limit, 512)
        }
    }
}

/// How answers under each preset were rated by one user.
public struct TasteTally: Sendable, Equatable {
    public var ratings: [TastePreset: (up: Double, down: Double)]

    public init(ratings: [TastePreset: (up: Double, down: Double)] = [:]) { self.ratings = ratings }

    public static func == (lhs: TasteTally, rhs: TasteTally) -> Bool {
        TastePreset.allCases.allSatisfy { lhs.ratings[$0]?.up == rhs.ratings[$0]?.up && lhs.ratings[$0]?.down == rhs.ratings[$0]?.down }
    }

    /// The preset's estimated chance of a good rating: the mean of a Beta prior updated with
    /// its ratings (`balanced` starts as if rated up twice, the others from even).
    public func estimate(_ preset: TastePreset) -> Double {
        let (up, down) = ratings[preset] ?? (0, 0)
        let priorUp = preset == .balanced ? 3.0 : 1.0
        return (up + priorUp) / (up + down + priorUp + 1)
    }

    /// The preset to use next: the best estimate plus a bonus that fades as a preset gets rated,
    /// so a preset rated down makes way for one not yet tried. Deterministic: the same ratings
    /// always choose the same preset.
    public var choice: TastePreset {
        func value(_ preset: TastePreset) -> Double {
            let (up, down) = ratings[preset] ?? (0, 0)
            return estimate(preset) + 0.3 / (1 + up + down).squareRoot()
        }
        return TastePreset.allCases.max { value($0) < value($1) || (value($0) == value($1) && $1 == .balanced) } ?? .balanced
    }

    /// Which preset the feedback speaks for, when it says something about length: a comment
    /// such as "too long" or "more detail", or a correction much shorter or longer than the answer.
    public static func lengthSignal(comment: String?, correction: String?, answer: String) -> TastePreset? {
        let said = (comment ?? "").lowercased()
        // "Too brief" asks for more, so the longer phrases are looked for first.
        let longer = ["too short", "too brief", "more detail", "more details", "elaborate", "explain more", "expand on", "longer answer"]
        let shorter = ["too long", "shorter", "be brief", "concise", "verbose", "wordy", "less detail", "tl;dr"]
        if longer.contains(where: { said.containsPhrase($0) }) { return .detailed }
        if shorter.contains(where: { said.containsPhrase($0) }) { return .brief }
        if let correction = correction?.trimmingCharacters(in: .whitespacesAndNewlines), !correction.isEmpty, answer.count >= 40 {
            let ratio = Double(correction.count) / Double(answer.count)
            if ratio < 0.5 { return .brief }
            if ratio > 2 { return .detailed }
        }
        return nil
    }

    static let languages = [
        "English", "French", "German", "Spanish", "Italian", "Portuguese", "Dutch", "Polish", "Russian", "Ukrainian", "Czech",
        "Swedish", "Danish", "Norwegian", "Finnish", "Greek", "Turkish", "Arabic", "Hebrew", "Hindi", "Chinese", "Japanese", "Korean",
    ]

    /// The language a comment asks answers to be in ("answer in French", "in German please"),
    /// when it names one: "in <language>" at the start, or after answer, reply, respond, write
    /// or speak ("plain English" or "explain Greek letters" ask for nothing).
    public static func languageRequest(comment: String?) -> String? {
        let said = (comment ?? "").lowercased()
        return languages.first { language in
            let name = language.lowercased()
            return said.range(of: #"(^|\b(answer|reply|respond|write|speak)(\s+to\s+me)?\s+)in\s+"# + name + #"\b"#,
                              options: .regularExpression) != nil
        }
    }
}

extension String {
    /// Whether the (lowercase) phrase occurs as whole words.
    func containsPhrase(_ phrase: String) -> Bool {
        range(of: #"(^|\W)"# + NSRegularExpression.escapedPattern(for: phrase) + #"($|\W)"#, options: .regularExpression) != nil
    }
}
