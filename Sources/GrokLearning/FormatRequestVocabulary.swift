/// The words `FormatRequestReader` reads comments with. Every set was checked against typed
/// comments (Tests/GrokLearningTests/LayoutCommentTests.swift): when one changes, that table says
/// what it costs.
extension FormatRequestReader {
    /// The layout phrases, longest first so that "code examples" is one phrase and not "examples".
    static let phrases: [Phrase] = {
        var list: [Phrase] = []
        func add(_ texts: [String], _ choice: FormatChoice, strict: Bool = false) {
            list += texts.map { Phrase(words: $0.split(separator: " ").map(String.init), choice: choice, strict: strict) }
        }
        add(["bullet points", "bullet point", "bullets", "bullet list", "bullet lists", "bulleted list", "bulleted lists",
             "numbered list", "numbered lists", "numbered steps", "list form", "bullet form", "point form"], .bullets)
        add(["paragraphs", "prose", "full sentences"], .paragraphs)
        add(["markdown", "code blocks", "code block"], .markdown)
        add(["plain text", "plaintext"], .plain, strict: true)
        add(["code examples", "code example", "code samples", "code sample", "code snippets", "code snippet",
             "examples", "example", "snippets"], .examples)
        return list.sorted { $0.words.count > $1.words.count }
    }()

    /// Words that refuse what follows them.
    static let refusals: Set<String> = [
        "no", "not", "never", "without", "avoid", "stop", "skip", "drop", "less", "fewer", "too", "instead", "rather",
        "dont", "doesnt", "didnt", "wont", "wouldnt", "shouldnt", "why", "hate", "dislike", "nobody", "ditch",
    ]
    /// Words that ask for what follows them.
    static let cues: Set<String> = [
        "use", "using", "put", "write", "want", "need", "needs", "include", "including", "show", "give", "add", "provide",
        "prefer", "try", "make", "like", "love", "format", "answer", "answers", "reply", "respond", "keep", "more", "just",
        "only", "please",
    ]
    /// Prepositions that ask only when nothing else stands before them ("in bullet points,
    /// please"), not in a statement ("the README is in markdown").
    static let weakCues: Set<String> = ["in", "as", "into", "with"]
    /// The cues that ask for "plain text" (often said of files: "read it as plain text").
    static let strictCues: Set<String> = [
        "prefer", "answer", "answers", "reply", "respond", "write", "just", "keep", "use", "using", "please",
    ]
    /// Words passed over between a cue or refusal and its phrase.
    static let linking: Set<String> = cues.union(weakCues).union([
        "it", "them", "me", "us", "of", "for", "any", "a", "an", "some", "so", "many", "much", "the", "did", "do", "you",
        "to", "have", "be", "than", "this", "fan", "ask", "asked", "asking", "read",
        "really", "ever", "even", "actually", "always", "still", "necessarily",
    ])
    /// Words after which an example is a particular one ("the example", "for example"), not a habit.
    static let particular: Set<String> = ["the", "this", "that", "your", "my", "its", "these", "those", "their", "for"]
    /// Refusals that may come before a particular example ("skip the examples").
    static let removals: Set<String> = ["skip", "drop", "ditch", "out", "avoid", "stop"]
    /// Words after a phrase that make it a request ("bullet points please", "an example would help").
    static let trailingRequests: Set<String> = ["please", "pls", "plz", "only", "would", "wouldve", "instead", "next", "from"]
    /// What may follow "without <phrase>" for it to be a refusal ("without markdown, please"),
    /// rather than a complaint ("without a code example this is useless").
    static let closings: Set<String> = [
        "please", "thanks", "thank", "you", "next", "time", "from", "now", "on", "again", "anymore", "in", "future",
    ]
    /// Words before "no" or "not" that make it a complaint of absence ("there is no example",
    /// "why no examples"): a request.
    static let absence: Set<String> = ["is", "are", "was", "were", "theres", "there", "has", "why"]
    /// Words whose "with" complains ("the problem with bullet points"), not asks.
    static let complaints: Set<String> = ["problem", "problems", "issue", "issues", "trouble", "wrong", "bug"]
    /// Verbs after "doesn't"/"didn't" that complain of an absence ("it doesn't have an example").
    static let absentVerbs: Set<String> = ["have", "include", "give", "show", "provide", "contain", "add"]
    /// Verbs that are the user's own doing after "I"/"we" or "how to", "want to" ("how do I add
    /// bullet points in Google Docs").
    static let actions: Set<String> = ["use", "using", "put", "write", "add", "make", "include", "including", "format"]
    /// Nouns after a phrase that make it a thing, not a layout ("a markdown parser").
    static let things: Set<String> = ["file", "files", "parser", "library", "renderer", "editor", "document", "cell", "cells", "package"]
    /// Determiners after "to" that name someone's document ("add bullet points to my slides").
    static let destinations: Set<String> = ["my", "our", "the", "a", "an", "this", "that", "their", "his", "her"]
    /// Words after "in"/"into"/"to" that keep a phrase about the answers ("in your answers").
    static let answerWords: Set<String> = [
        "answer", "answers", "reply", "replies", "response", "responses", "future", "general", "here", "chat",
    ]
    /// Words next to "paragraphs" or "bullets" about their size or spacing, not a choice.
    static let qualifiers: Set<String> = ["short", "shorter", "long", "longer", "smaller", "between", "separate"]
    /// "It would be nicer/clearer … as bullet points": a wish.
    static let evaluatives: Set<String> = ["nice", "better", "easier", "clearer", "cleaner", "nicer", "helpful", "useful"]
    static let wishOpenings: Set<String> = ["it", "its", "itd", "this", "thisd", "that", "thatd", "would"]
    /// "it doesn't matter if you use bullet points": indifference.
    static let indifference: Set<String> = ["matter", "matters", "care", "mind", "sure", "wonder"]
    /// Words before "like" that compare ("looks like markdown") instead of asking.
    static let comparisons: Set<String> = ["looks", "look", "looked", "seems", "sounds", "something"]
    /// Words before "to" that make the following verb the user's own plan ("how to add").
    static let plans: Set<String> = ["how", "want", "need", "trying", "possible"]
    /// Words before "not" that describe rather than refuse ("it's not a numbered list").
    static let descriptions: Set<String> = ["is", "its", "was", "are", "were", "thats"]
}
