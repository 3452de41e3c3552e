import ArgumentParser
import Foundation
import GrokLearning
import GrokProtocol

/// `grokctl learn status|reset`: what grok learned from your feedback, and forgetting it.
struct LearnCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "learn", abstract: "What grok learned from your feedback (status), and forgetting it (reset).",
        subcommands: [Status.self, Reset.self], defaultSubcommand: Status.self)

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Exemplars, passage ranking and answer taste learned from your ratings and corrections.")
        @OptionGroup var options: ClientOptions

        func run() async throws {
            try await options.run(LearnStatus.self, NoParams()) { result in
                Output.line("exemplars: \(result.exemplars) (answers you rated up or corrected, shown to similar questions)")
                Self.printRanking(result.ranking)
                let taste = result.taste
                let ratings = taste.ratings.map { "\($0.preset) +\(Self.number($0.up))/-\(Self.number($0.down))" }.joined(separator: ", ")
                Output.line("answers: \(taste.preset)\(taste.overridden ? " (your style or options preference decides)" : "") — rated \(ratings)")
                if let language = taste.language { Output.line("language asked for: \(language) (a language preference wins)") }
                let format = FormatChoice.Aspect.allCases.compactMap { taste.format?[$0.rawValue].flatMap(FormatChoice.init(rawValue:))?.label }
                if !format.isEmpty {
                    Output.line("layout asked for: \(format.joined(separator: ", ")) (a style or instructions preference wins)")
                }
            }
        }

        static func printRanking(_ ranking: LearnStatus.Ranking) {
            guard ranking.examples > 0 else {
                Output.line("passage ranking: the retrievers' own order (no rated answers used passages yet)")
                return
            }
            Output.line("passage ranking: learned from \(ranking.examples) passages of rated answers, applied at \(Int((100 * ranking.trust).rounded()))%")
            for (name, weight) in ranking.weights.sorted(by: { abs($0.value) > abs($1.value) }) where abs(weight) >= 0.005 {
                Output.line("  \(name.padding(toLength: 18, withPad: " ", startingAt: 0)) \(String(format: "%+.3f", weight))")
            }
            for source in ranking.sources {
                Output.line("  \(source.source): helped \(number(source.helped)), did not help \(number(source.unhelpful))")
            }
        }

        static func number(_ value: Double) -> String {
            value == value.rounded() ? String(Int(value)) : String(format: "%.2f", value)
        }
    }

    struct Reset: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Forget what was learned (your feedback and sessions stay).")
        @OptionGroup var options: ClientOptions

        func run() async throws {
            try await options.run(LearnReset.self, NoParams()) { result in
                Output.line("forgot \(result.forgotten) exemplars, \(result.rankingExamples) ranking examples, \(result.tasteRatings) answer ratings")
            }
        }
    }
}
