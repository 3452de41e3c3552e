import GrokJSON
import GrokLearning
import GrokProtocol
import GrokRPC
import GrokStore

/// `learn.status` and `learn.reset`: what the daemon learned from the caller's feedback
/// (exemplars, passage ranking, answer taste), and forgetting it.
extension MemoryMethods {
    func registerLearning(in table: inout MethodTable) {
        table.register(LearnStatus.self) { _, context in
            try run(context) { store, uid in
                let model = try store.rankingModel(owner: uid)
                let tally = try store.feedbackTally(owner: uid)
                let taste = try store.tasteTally(owner: uid)
                let profile = try store.preferences(owner: uid)
                let overridden = ChatMethods.preset(store, uid: uid, options: Self.optionsPreference(profile), profile: profile) == nil
                return LearnStatus.Result(
                    exemplars: try store.exemplarCount(owner: uid),
                    ranking: .init(
                        examples: model.examples,
                        weights: Dictionary(uniqueKeysWithValues: zip(PassageFeatures.names, model.weights)),
                        sources: Self.mostRated(tally), trust: model.trust),
                    taste: .init(
                        preset: taste.choice.rawValue, overridden: overridden,
                        ratings: TastePreset.allCases.map { preset in
                            let (up, down) = taste.ratings[preset] ?? (0, 0)
                            return .init(preset: preset.rawValue, up: up, down: down)
                        },
                        language: try store.learnedLanguage(owner: uid), format: try Self.formatStatus(store.learnedFormat(owner: uid))))
            }
        }
        table.register(LearnReset.self) { _, context in
            try run(context) { store, uid in
                let forgotten = try store.forgetLearning(owner: uid)
                return LearnReset.Result(
                    forgotten: forgotten.exemplars, rankingExamples: forgotten.rankingExamples, tasteRatings: forgotten.tasteRatings)
            }
        }
    }

    /// The learned layout by aspect; nil when none was asked for.
    private static func formatStatus(_ choices: [FormatChoice]) -> [String: String]? {
        choices.isEmpty ? nil : Dictionary(uniqueKeysWithValues: choices.map { ($0.aspect.rawValue, $0.rawValue) })  // one per aspect
    }

    /// The ten sources with the most feedback.
    private static func mostRated(_ tally: FeedbackTally) -> [LearnStatus.SourceFeedback] {
        tally.sources.sorted { ($0.value.helped + $0.value.unhelpful, $1.key) > ($1.value.helped + $1.value.unhelpful, $0.key) }
            .prefix(10).map { LearnStatus.SourceFeedback(source: $0.key, helped: $0.value.helped, unhelpful: $0.value.unhelpful) }
    }

    /// The `options` preference as request options (nil when unset or unreadable).
    private static func optionsPreference(_ profile: [(key: String, value: JSONValue)]) -> Generate.Options? {
        guard let value = profile.first(where: { $0.key == "options" })?.value else { return nil }
        return try? JSONValueDecoder().decode(Generate.Options.self, from: value)
    }
}
