/// The words retrieval features compare: lowercased runs of letters and digits, three
/// characters or more, without the commonest English words, with a plural "s" dropped so that
/// "files" meets "file".
public enum Words {
    public static let stopwords: Set<String> = [
        "the", "and", "for", "with", "that", "this", "from", "are", "was", "were", "will", "can", "not", "but", "you",
        "your", "has", "have", "had", "its", "into", "than", "then", "there", "their", "what", "when", "which", "who",
        "how", "all", "any", "each", "only", "also", "such", "may", "does", "did", "use", "used", "using", "one",
    ]

    /// The text's words, in order, repeats kept.
    public static func of(_ text: String) -> [String] {
        var words: [String] = []
        var current = ""
        func flush() {
            if current.count >= 3, !stopwords.contains(current) {
                words.append(current.count >= 4 && current.hasSuffix("s") && !current.hasSuffix("ss") ? String(current.dropLast()) : current)
            }
            current = ""
        }
        for character in text.lowercased() {
            if character.isLetter || character.isNumber { current.append(character) } else if !current.isEmpty { flush() }
        }
        flush()
        return words
    }

    /// The text's distinct words of four letters or more that are not stopwords, in order,
    /// as written (no plural stripping: for matching against a plain FTS index).
    public static func uncommon(_ text: String) -> [String] {
        var seen: Set<String> = []
        return text.lowercased().split { !($0.isLetter || $0.isNumber) }.map(String.init).filter {
            $0.count >= 4 && !stopwords.contains($0) && seen.insert($0).inserted
        }
    }

    /// The share of `query`'s distinct words found in `words` (0 when the query has none).
    public static func coverage(of query: Set<String>, in words: Set<String>) -> Double {
        guard !query.isEmpty else { return 0 }
        return Double(query.intersection(words).count) / Double(query.count)
    }
}
