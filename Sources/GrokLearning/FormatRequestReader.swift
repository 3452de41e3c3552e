import Foundation

/// Reads a feedback comment for requests about layout, cautiously: learning a layout nobody
/// asked for is worse than missing one, since the user can always set a `style` preference.
///
/// The comment is cut into clauses (at punctuation and "but"). In each clause a layout phrase
/// ("bullet points", "markdown", "code example"…) counts only when the words just before it,
/// read backwards over a small set of linking words ("use it in", "want any"), reach a
/// refusal ("don't", "no more", "instead of") or ask for it ("use", "show me"), or when it is
/// followed by "please", "would help"…, or stands alone ("Bullet points."). A refusal asks for
/// the opposite choice. Within one comment a request beats a refusal of the same aspect ("use a
/// numbered list, not bullets"), and a later one an earlier one.
enum FormatRequestReader {
    /// A phrase in words, the choice it names, and whether only an answer-shaped verb asks for it.
    struct Phrase {
        var words: [String]
        var choice: FormatChoice
        /// "plain text" is often about files ("read it as plain text"): only "answer in plain
        /// text", "just plain text" and the like ask for it.
        var strict = false
    }

    static let phrases: [Phrase] = {
        var list: [Phrase] = []
        func add(_ texts: [String], _ choice: FormatChoice, strict: Bool = false) {
            list += texts.map { Phrase(words: $0.split(separator: " ").map(String.init), choice: choice, strict: strict) }
        }
        add(["bullet points", "bullet point", "bullets", "bullet list", "bullet lists", "bulleted list", "bulleted lists",
             "numbered list", "numbered lists", "numbered steps", "list form"], .bullets)
        add(["paragraphs", "prose", "full sentences"], .paragraphs)
        add(["markdown", "code blocks", "code block"], .markdown)
        add(["plain text"], .plain, strict: true)
        add(["code examples", "code example", "code samples", "code sample", "code snippets", "code snippet",
             "examples", "example", "snippets"], .examples)
        // Longest first, so that "code examples" is one phrase and not "examples".
        return list.sorted { $0.words.count > $1.words.count }
    }()

    /// Words that refuse what follows them.
    static let refusals: Set<String> = [
        "no", "not", "never", "without", "avoid", "stop", "skip", "drop", "less", "fewer", "too", "instead", "rather",
        "dont", "doesnt", "didnt", "isnt", "wont", "wouldnt", "shouldnt", "why",
    ]
    /// Words that ask for what follows them.
    static let cues: Set<String> = [
        "use", "using", "put", "write", "want", "need", "needs", "include", "including", "show", "give", "add", "provide",
        "prefer", "try", "make", "like", "format", "answer", "answers", "reply", "respond", "keep", "more", "just", "only", "please",
    ]
    /// Prepositions that ask only when nothing else stands before them ("in bullet points,
    /// please"), not in a statement ("the README is in markdown").
    static let weakCues: Set<String> = ["in", "as", "into", "with"]
    /// Cues that ask for "plain text".
    static let strictCues: Set<String> = ["answer", "answers", "reply", "respond", "write", "just", "keep", "use", "using", "please"]
    /// Words passed over between a cue or refusal and its phrase.
    static let linking: Set<String> = cues.union(weakCues).union([
        "it", "them", "me", "us", "of", "for", "any", "a", "an", "some", "so", "many", "much", "the", "did", "do", "you", "to",
        "have", "be", "than",
    ])
    /// Words after which an example is a particular one ("the example", "for example"), not a habit.
    static let particular: Set<String> = ["the", "this", "that", "your", "my", "its", "these", "those", "their", "for"]
    /// Words after a phrase that make it a request ("bullet points please", "an example would help").
    static let trailingRequests: Set<String> = ["please", "pls", "only", "would", "instead", "next", "from", "again"]
    /// What may follow "without <phrase>" for it to be a refusal ("without markdown, please"),
    /// rather than a complaint ("without a code example this is useless").
    static let closings: Set<String> = ["please", "thanks", "thank", "you", "next", "time", "from", "now", "on", "again", "anymore", "in", "future"]
    /// Words before "no" that make it a complaint of absence ("there is no example"): a request.
    static let absence: Set<String> = ["is", "are", "was", "were", "theres", "there"]
    /// Words whose "with" complains ("the problem with bullet points"), not asks.
    static let complaints: Set<String> = ["problem", "problems", "issue", "issues", "trouble", "wrong", "bug"]

    static func requests(in comment: String) -> [FormatChoice] {
        var requested: [FormatChoice.Aspect: FormatChoice] = [:]
        var refused: [FormatChoice.Aspect: FormatChoice] = [:]
        for clause in clauses(of: comment) {
            var index = 0
            while index < clause.count {
                guard let phrase = phrases.first(where: { matches($0.words, clause, at: index) }) else {
                    index += 1
                    continue
                }
                let end = index + phrase.words.count
                switch judge(phrase, in: clause, from: index, to: end) {
                case .asked: requested[phrase.choice.aspect] = phrase.choice
                case .refused: refused[phrase.choice.aspect] = phrase.choice.opposite
                case nil: break
                }
                index = end
            }
        }
        return FormatChoice.Aspect.allCases.compactMap { requested[$0] ?? refused[$0] }
    }

    enum Verdict { case asked, refused }

    /// Whether the phrase at `start..<end` is asked for, refused, or only mentioned (nil).
    static func judge(_ phrase: Phrase, in words: [String], from start: Int, to end: Int) -> Verdict? {
        if phrase.choice.aspect == .examples, start > 0, particular.contains(words[start - 1]) { return nil }
        let after = Array(words[end...])
        var cued = false, weaklyCued = false
        var position = start - 1
        while position >= 0 {
            let word = words[position]
            if word == "missing" || word == "lacks" { return .asked }
            if word == "out", position > 0, ["leave", "cut", "take"].contains(words[position - 1]) { return .refused }
            if refusals.contains(word) {
                if word == "no", position > 0, absence.contains(words[position - 1]) { return .asked }
                if word == "without", !after.allSatisfy(closings.contains) { return nil }
                return .refused
            }
            guard linking.contains(word) else {
                if complaints.contains(word) { return nil }
                break
            }
            if (phrase.strict ? strictCues : cues).contains(word) { cued = true }
            if weakCues.contains(word) { weaklyCued = true }
            position -= 1
        }
        if cued || (weaklyCued && position < 0 && !phrase.strict) { return .asked }
        if let next = after.first, trailingRequests.contains(next) { return .asked }
        if start == 0, after.isEmpty { return .asked }  // the phrase alone: "Bullet points."
        return nil
    }

    static func matches(_ phrase: [String], _ words: [String], at index: Int) -> Bool {
        index + phrase.count <= words.count && zip(phrase, words[index...]).allSatisfy(==)
    }

    /// The comment's clauses as lowercase words, apostrophes dropped ("don't" → "dont").
    static func clauses(of comment: String) -> [[String]] {
        let text = comment.lowercased().replacingOccurrences(of: "\u{2019}", with: "").replacingOccurrences(of: "'", with: "")
        return text.split(whereSeparator: { ".,;:!?()[]\n\"".contains($0) }).flatMap { part in
            let words = part.split(whereSeparator: { !($0.isLetter || $0.isNumber) }).map(String.init)
            // "but" and "though" start a new clause too.
            return words.split(whereSeparator: { $0 == "but" || $0 == "though" || $0 == "however" }).map(Array.init)
        }.filter { !$0.isEmpty }
    }
}
