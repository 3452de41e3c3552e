import Foundation

/// How a user asked answers to be laid out, learned from feedback comments such as "use
/// bullet points", "no markdown please" or "show me a code example": at most one choice per
/// aspect, the latest comment winning. An explicit `style` or `instructions` preference wins
/// over all of them.
public enum FormatChoice: String, Sendable, CaseIterable, Codable {
    case bullets, paragraphs
    case plain, markdown
    case examples, noExamples

    /// What a choice is about: a later request about the same aspect replaces it.
    public enum Aspect: String, Sendable, CaseIterable, Codable {
        case layout, markup, examples
    }

    public var aspect: Aspect {
        switch self {
        case .bullets, .paragraphs: .layout
        case .plain, .markdown: .markup
        case .examples, .noExamples: .examples
        }
    }

    /// The system text's instruction for this choice.
    public var instruction: String {
        switch self {
        case .bullets: "Lay the answer out as bullet points."
        case .paragraphs: "Write in paragraphs, not lists."
        case .plain: "Write plain text, without Markdown."
        case .markdown: "Format the answer with Markdown."
        case .examples: "Include a short code example."
        case .noExamples: "Leave out code examples unless asked for one."
        }
    }

    /// How `grokctl learn status` names it.
    public var label: String {
        switch self {
        case .bullets: "bullet points"
        case .paragraphs: "paragraphs"
        case .plain: "plain text"
        case .markdown: "Markdown"
        case .examples: "code examples"
        case .noExamples: "no code examples"
        }
    }

    /// The choices a comment asks for, one per aspect at most, in aspect order. A phrase counts
    /// only after a word that asks for it ("use", "as", "in", "with"…) or one that refuses it
    /// ("no", "without", "too many"…), so "the list of flags is wrong" asks for nothing.
    public static func requests(comment: String?) -> [FormatChoice] {
        let said = (comment ?? "").lowercased().replacingOccurrences(of: "\u{2019}", with: "'")
        guard !said.isEmpty else { return [] }
        return Aspect.allCases.compactMap { aspect in
            // Refusals first: "no bullet points" also contains "bullet points".
            patterns.first { $0.choice.aspect == aspect && said.range(of: $0.pattern, options: .regularExpression) != nil }?.choice
        }
    }

    private static let refusing = #"\b(no|not|never|without|fewer|less|avoid|drop|skip|too many|too much|instead of|leave out|don'?t use|do not use|don'?t need|do not need|stop using)\s+(the\s+|any\s+|so many\s+|so much\s+|as\s+|in\s+|with\s+)?(a\s+)?"#
    private static let asking = #"\b(use|using|as|in|into|with|prefer|want|give me|try|more)\s+(a\s+|some\s+)?"#
    private static let askingForCode = #"\b(with|include|including|show|show me|give|give me|add|more|need|needs|want)\s+(a\s+|an\s+|some\s+)?"#
    private static let lists = #"(bullet\s*points?|bullets|bulleted\s+lists?|numbered\s+lists?|lists?)\b"#
    private static let markup = #"(markdown|formatting|asterisks|headings|headers)\b"#
    private static let samples = #"(code\s+)?(examples?|samples?|snippets?)\b"#

    /// Ordered: within an aspect the first match wins, refusals before requests.
    private static let patterns: [(choice: FormatChoice, pattern: String)] = [
        (.paragraphs, refusing + lists),
        (.paragraphs, #"\b(in|as|use|using|write|with)\s+(full\s+|whole\s+)?(paragraphs|prose|sentences)\b"#),
        (.bullets, asking + lists),
        (.bullets, #"^(bullet\s*points?|bullets)\b"#),
        (.plain, refusing + markup),
        (.markdown, #"\b(no|not)\s+(in\s+|as\s+)?plain\s+text\b"#),
        (.plain, #"\bplain\s+text\b"#),
        (.markdown, asking + markup),
        (.noExamples, refusing + #"(code\b|"# + samples + ")"),
        (.examples, askingForCode + samples),
        (.examples, #"\b(show|show me|include|add|give me|more)\s+(the\s+|some\s+)?code\b"#),
    ]
}
