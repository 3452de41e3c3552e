import Foundation

/// Reads a feedback comment for requests about layout, cautiously: learning a layout nobody
/// asked for is worse than missing one, since the user can always set a `style` preference.
///
/// The comment is cut into clauses (at punctuation and "but"). In each clause a layout phrase
/// ("bullet points", "markdown", "code example"…) is first checked for being about something
/// else ("a markdown parser", "bullet points in Google Docs", "the example"). Then the words
/// before it are read backwards over linking words ("use it in", "don't really want any") until
/// a refusal ("don't", "no more", "instead of"), which asks for the opposite choice, or a word
/// that ends the reading: a request verb passed on the way ("use", "show me") asks for it. Failing
/// both, "please" or "would help" after it, or the phrase standing alone ("Bullet points."),
/// asks for it. A phrase joined by "and"/"or" to the one before shares its verdict ("no
/// bullets or markdown"). Within one comment a request beats a refusal of the same aspect
/// ("use a numbered list, not bullets"), and a later one an earlier one.
enum FormatRequestReader {
    /// A phrase in words and the choice it names.
    struct Phrase {
        var words: [String]
        var choice: FormatChoice
        /// Only an answer-shaped verb asks for it (`strictCues`): "plain text" is often said of files.
        var strict = false
    }

    enum Verdict { case asked, refused }

    static func requests(in comment: String) -> [FormatChoice] {
        var requested: [FormatChoice.Aspect: FormatChoice] = [:]
        var refused: [FormatChoice.Aspect: FormatChoice] = [:]
        for clause in clauses(of: comment) {
            for (phrase, verdict) in verdicts(in: clause) {
                switch verdict {
                case .asked: requested[phrase.choice.aspect] = phrase.choice
                case .refused: refused[phrase.choice.aspect] = phrase.choice.opposite
                }
            }
        }
        return FormatChoice.Aspect.allCases.compactMap { requested[$0] ?? refused[$0] }
    }

    /// The phrases of one clause that were asked for or refused, in order.
    static func verdicts(in clause: [String]) -> [(Phrase, Verdict)] {
        var found: [(Phrase, Verdict)] = []
        var previous: (end: Int, verdict: Verdict?)?
        var index = 0
        while index < clause.count {
            guard let phrase = phrases.first(where: { matches($0.words, clause, at: index) }) else {
                index += 1
                continue
            }
            let end = index + phrase.words.count
            var verdict = judge(phrase, in: clause, from: index, to: end)
            // "no bullets or markdown": the second phrase shares the first one's verdict.
            if let previous, let shared = previous.verdict, previous.end < index, ["and", "or", "nor"].contains(clause[previous.end]),
                clause[(previous.end + 1)..<index].allSatisfy(["a", "an", "some", "any", "more"].contains) {
                verdict = shared
            }
            previous = (end, verdict)
            if let verdict { found.append((phrase, verdict)) }
            index = end
        }
        return found
    }

    /// Whether the phrase at `start..<end` is asked for, refused, or only mentioned (nil).
    static func judge(_ phrase: Phrase, in words: [String], from start: Int, to end: Int) -> Verdict? {
        let after = Array(words[end...])
        if isAboutSomethingElse(phrase, in: words, from: start, after: after) { return nil }
        switch readBackwards(phrase, in: words, from: start, after: after) {
        case .decided(let verdict): return verdict
        case .cued: return .asked
        case .undecided: break
        }
        if let next = after.first, trailingRequests.contains(next), next != "from" || after.dropFirst().first == "now" { return .asked }
        if start == 0, after.isEmpty { return .asked }  // the phrase alone: "Bullet points."
        return nil
    }

    /// A particular example, a thing ("markdown parser"), someone's document ("bullet points in
    /// Google Docs") or the size of paragraphs: not a layout for answers.
    static func isAboutSomethingElse(_ phrase: Phrase, in words: [String], from start: Int, after: [String]) -> Bool {
        let before = start > 0 ? words[start - 1] : nil
        if phrase.choice.aspect == .examples, let before, particular.contains(before),
            before != "for" || phrase.words == ["example"],
            !(start >= 2 && removals.contains(words[start - 2])) { return true }
        if let next = after.first, things.contains(next) { return true }
        if let next = after.first, ["in", "into", "to", "inside"].contains(next), after.count > 1,
            next != "to" || destinations.contains(after[1]), !after.contains(where: answerWords.contains) { return true }
        if phrase.choice.aspect == .layout, before.map(qualifiers.contains) == true || after.first.map(qualifiers.contains) == true {
            return true
        }
        return false
    }

    enum Reading { case decided(Verdict?), cued, undecided }

    /// Reads the words before the phrase, nearest first, over linking words.
    static func readBackwards(_ phrase: Phrase, in words: [String], from start: Int, after: [String]) -> Reading {
        let asksWhy = words[..<start].contains("why")
        var cued = false, weaklyCued = false
        var position = start - 1
        while position >= 0 {
            let word = words[position]
            if let verdict = idiom(at: position, in: words) { return .decided(verdict) }
            if refusals.contains(word) {
                return .decided(refusal(at: position, in: words, phraseStart: start, after: after, asksWhy: asksWhy))
            }
            guard linking.contains(word) else {
                if let verdict = stoppingWord(at: position, in: words, phrase: phrase) { return .decided(verdict) }
                break
            }
            if (phrase.strict ? strictCues : cues).contains(word) { cued = true }
            if weakCues.contains(word) { weaklyCued = true }
            position -= 1
        }
        if cued { return asksWhy ? .decided(.refused) : .cued }  // "why are you using bullet points"
        if weaklyCued, position < 0, !phrase.strict { return .cued }
        return .undecided
    }

    /// Phrases that settle the reading wherever they stand: a complaint of absence ("missing"),
    /// a wish ("I'd rather have"), a comparison ("looks like"), the user's own plan ("how to
    /// add"), a description ("it's not a list") or a statement about the answers ("you keep
    /// using markdown"). `.some(nil)`: only a mention.
    static func idiom(at position: Int, in words: [String]) -> Verdict?? {
        let word = words[position]
        let before = position > 0 ? words[position - 1] : nil
        if word == "missing" || word == "lacks" { return .some(.asked) }
        if word == "rather", let before, ["would", "id", "wed"].contains(before) { return .some(.asked) }
        if word == "enough", before == "not" { return .some(.asked) }
        if word == "out", let before, ["leave", "cut", "take"].contains(before) { return .some(.refused) }
        if word == "like", let before, comparisons.contains(before) { return .some(nil) }
        if word == "not", let before, descriptions.contains(before) { return .some(nil) }
        if ["isnt", "arent", "wasnt"].contains(word) { return .some(nil) }
        if actions.contains(word), let before {
            if ["i", "we"].contains(before) { return .some(nil) }
            if before == "to", position > 1, plans.contains(words[position - 2]) { return .some(nil) }
        }
        if word == "you", position == 0, words.count > 1, actions.union(["keep", "always", "still"]).contains(words[1]) {
            return .some(nil)
        }
        return nil
    }

    /// What a refusal word means here: usually a refusal, but "there is no example" and "why
    /// not use bullet points" ask, "it doesn't have an example" complains of absence, "drop a
    /// snippet" asks, and "without an example this is useless" is only a complaint.
    static func refusal(at position: Int, in words: [String], phraseStart start: Int, after: [String], asksWhy: Bool) -> Verdict? {
        let word = words[position]
        let next = words[position + 1]  // exists: the phrase follows
        if ["no", "not"].contains(word), position > 0, absence.contains(words[position - 1]) { return .asked }
        if ["doesnt", "didnt"].contains(word), position + 1 < start, absentVerbs.contains(next), words[position + 2] != "to" {
            return .asked
        }
        if asksWhy, word != "why", ["no", "not", "never", "dont", "doesnt", "didnt", "stop"].contains(word) { return .asked }
        if word == "drop", ["a", "an", "me", "us", "some"].contains(next) { return .asked }
        if word == "without", !after.allSatisfy(closings.contains) { return nil }
        return .refused
    }

    /// A word outside the linking set that still decides: a complaint ("the problem with"),
    /// indifference ("doesn't matter if you use") or a wish ("it would be clearer as").
    static func stoppingWord(at position: Int, in words: [String], phrase: Phrase) -> Verdict?? {
        let word = words[position]
        if complaints.contains(word) { return .some(nil) }
        if ["if", "whether"].contains(word), words[..<position].contains(where: indifference.contains) { return .some(nil) }
        if !phrase.strict, evaluatives.contains(word), let first = words.first, wishOpenings.contains(first) { return .some(.asked) }
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
