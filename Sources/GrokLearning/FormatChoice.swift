import Foundation

/// How a user asked answers to be laid out, learned from feedback comments such as "use
/// bullet points", "no markdown please" or "show me a code example": at most one choice per
/// aspect, the latest comment winning. An explicit `style` or `instructions` preference wins
/// over all of them.
public enum FormatChoice: String, Sendable, CaseIterable {
    case bullets, paragraphs
    case plain, markdown
    case examples, noExamples

    /// What a choice is about: a later request about the same aspect replaces it.
    public enum Aspect: String, Sendable, CaseIterable {
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
        case .examples: "Include a short code example where code is relevant."
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

    /// The choice that refusing this one asks for ("no bullet points" asks for paragraphs).
    public var opposite: FormatChoice {
        switch self {
        case .bullets: .paragraphs
        case .paragraphs: .bullets
        case .plain: .markdown
        case .markdown: .plain
        case .examples: .noExamples
        case .noExamples: .examples
        }
    }

    /// The choices a comment asks for, one per aspect at most, in aspect order (see
    /// `FormatRequestReader` for how a comment is read).
    public static func requests(comment: String?) -> [FormatChoice] {
        FormatRequestReader.requests(in: comment ?? "")
    }
}
