import Foundation

/// What the ranking model knows about a retrieved passage, each feature scaled to about 0...1:
/// the retriever's score and rank; how many of the query's words the passage holds, in one
/// line (words close together), and in its first line (a heading); its length; how much it
/// looks like code; how recently its file changed; the user's feedback on its source and
/// retriever so far.
/// The same features are recorded when a passage goes into an answer, so later feedback on that
/// answer can teach the model which kinds of passages helped this user.
public struct PassageFeatures: Sendable, Equatable, Codable {
    /// The feature names, in the order of `values`.
    public static let names = [
        "retrieverScore", "retrieverRank", "queryCoverage", "lineCoverage", "headingMatch", "length", "codeLike", "recency",
        "sourceFeedback", "retrieverFeedback",
    ]
    public static let count = names.count

    public var values: [Double]

    public init(values: [Double]) {
        precondition(values.count == Self.count, "a passage has \(Self.count) features")
        self.values = values
    }

    /// One retrieved passage as the features see it.
    public struct Candidate: Sendable {
        public var text: String
        public var source: String
        public var retriever: String
        /// The retriever's own score (BM25 for the docs plugin): higher is better.
        public var score: Double
        /// Days since the source last changed, when known.
        public var ageDays: Double?
        public init(text: String, source: String, retriever: String, score: Double, ageDays: Double? = nil) {
            self.text = text
            self.source = source
            self.retriever = retriever
            self.score = score
            self.ageDays = ageDays
        }
    }

    /// The features of each candidate (in the retriever's order, best first) for `query`, with
    /// the user's earlier feedback on sources and retrievers.
    public static func of(_ candidates: [Candidate], query: String, feedback: FeedbackTally) -> [PassageFeatures] {
        let queryWords = Set(Words.of(query))
        let best = candidates.map(\.score).max() ?? 0
        return candidates.enumerated().map { rank, candidate in
            let lines = candidate.text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: true)
            let heading = Set(Words.of(lines.first.map(String.init) ?? ""))
            let lineCoverage = candidate.text.split(separator: "\n").reduce(0.0) { best, line in
                max(best, Words.coverage(of: queryWords, in: Set(Words.of(String(line)))))
            }
            return PassageFeatures(values: [
                best > 0 ? max(0, candidate.score / best) : 0,
                1 / Double(1 + rank),
                Words.coverage(of: queryWords, in: Set(Words.of(candidate.text))),
                lineCoverage,
                Words.coverage(of: queryWords, in: heading),
                min(1, Double(candidate.text.count) / 2000),
                codeLikeness(candidate.text),
                candidate.ageDays.map { exp(-max(0, $0) / 180) } ?? 0.5,
                feedback.sources[candidate.source]?.lean ?? 0,
                feedback.retrievers[candidate.retriever]?.lean ?? 0,
            ])
        }
    }

    /// How much of the text is code-like punctuation (braces, parentheses, semicolons, equals),
    /// scaled so that ordinary source code comes near 1 and prose near 0.
    static func codeLikeness(_ text: String) -> Double {
        guard !text.isEmpty else { return 0 }
        var marks = 0
        for scalar in text.unicodeScalars where "{}();=<>[]$_".unicodeScalars.contains(scalar) { marks += 1 }
        return min(1, 12 * Double(marks) / Double(text.unicodeScalars.count))
    }
}

/// How a user's feedback fell on each source and retriever: sums of the labels of passages
/// that went into rated answers.
public struct FeedbackTally: Sendable, Equatable {
    public struct Count: Sendable, Equatable {
        public var helped: Double
        public var unhelpful: Double
        public init(helped: Double = 0, unhelpful: Double = 0) {
            self.helped = helped
            self.unhelpful = unhelpful
        }
        /// Between -1 and 1, pulled toward 0 by four imaginary neutral ratings, so that one or
        /// two ratings cannot condemn (or crown) a source.
        public var lean: Double { (helped - unhelpful) / (helped + unhelpful + 4) }
    }

    public var sources: [String: Count]
    public var retrievers: [String: Count]
    public init(sources: [String: Count] = [:], retrievers: [String: Count] = [:]) {
        self.sources = sources
        self.retrievers = retrievers
    }

    /// Adds one labelled passage.
    public mutating func add(source: String, retriever: String, label: Double) {
        add(source: source, retriever: retriever, helped: max(0, label), unhelpful: max(0, -label))
    }

    /// Adds the sums of labelled passages of one source and retriever.
    public mutating func add(source: String, retriever: String, helped: Double, unhelpful: Double) {
        sources[source, default: Count()].helped += helped
        sources[source, default: Count()].unhelpful += unhelpful
        retrievers[retriever, default: Count()].helped += helped
        retrievers[retriever, default: Count()].unhelpful += unhelpful
    }
}
