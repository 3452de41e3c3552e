import Foundation
import GrokLearning
import GrokPlugins
import GrokProtocol
import GrokStore

/// Retrieval reranked for the caller: the retrievers' candidates (a wider pool than asked
/// for), scored by the caller's ranking model learned from their feedback, best first.
struct PassageRanker: Sendable {
    let plugins: PluginManager
    let store: Store?

    /// A passage with the features it was ranked by (recorded when it goes into an answer).
    struct Ranked: Sendable {
        var passage: RetrievalSearch.Passage
        /// Computed when reranking, or when the passage may go into an answer (`recording`).
        var features: PassageFeatures?
    }

    /// The best `k` passages for `query`, reranked with `owner`'s model (a pool of 3k, at least
    /// 20 and at most 100) once it learned something, unless `learned` is false; otherwise in
    /// the retrievers' order. With `recording` (passages for an answer, which records them),
    /// features are computed even when nothing is reranked.
    func search(
        _ query: String, k: Int, owner: UInt32, timeout: Duration?, only: Set<String>? = nil, learned: Bool = true, recording: Bool = false
    ) async -> (ranked: [Ranked], failed: [String]) {
        // The wider pool only when there is a learned order to choose from it.
        let model = learned ? (try? store?.rankingModel(owner: owner)).flatMap { $0.examples > 0 ? $0 : nil } : nil
        let pool = model == nil ? k : min(100, max(20, 3 * k))
        let found = await plugins.search(query, k: pool, timeout: timeout, only: only)
        guard model != nil || recording else { return (found.passages.prefix(k).map { Ranked(passage: $0) }, found.failed) }
        let ranked = rerank(query, found.passages, owner: owner, model: model)
        return (Array(ranked.prefix(k)), found.failed)
    }

    /// `candidates` (best first by the retrievers' scores) in the order of `model`, or as they
    /// are without one.
    func rerank(_ query: String, _ candidates: [RetrievalSearch.Passage], owner: UInt32, model: RankingModel?) -> [Ranked] {
        let tally = (try? store?.feedbackTally(owner: owner)) ?? FeedbackTally()
        let now = Date()
        let features = PassageFeatures.of(candidates.map { passage in
            PassageFeatures.Candidate(
                text: passage.text, source: passage.source, retriever: passage.retriever, score: passage.score,
                ageDays: Self.modified(passage.source).map { now.timeIntervalSince($0) / 86_400 })
        }, query: query, feedback: tally)
        guard let model else {
            return zip(candidates, features).map { Ranked(passage: $0, features: $1) }
        }
        return model.order(features).map { index in
            var passage = candidates[index]
            passage.rankScore = model.score(features[index])
            return Ranked(passage: passage, features: features[index])
        }
    }

    /// What the store records of the passages that went into `answer`.
    static func uses(_ ranked: [Ranked], answer: String) -> [Store.PassageUse] {
        ranked.enumerated().compactMap { rank, item in
            item.features.map { features in
                Store.PassageUse(
                    rank: rank, source: item.passage.source, retriever: item.passage.retriever, text: item.passage.text,
                    features: features, answerMatch: FeedbackLabels.match(item.passage.text, answer: answer))
            }
        }
    }

    /// When a source that is a file on this machine last changed.
    private static func modified(_ source: String) -> Date? {
        guard source.hasPrefix("/") else { return nil }
        return (try? FileManager.default.attributesOfItem(atPath: source))?[.modificationDate] as? Date
    }
}
