import ArgumentParser
import Foundation
import GrokEngine

/// Decode speed with and without speculative decoding by prompt lookup, on a repetitive
/// workload (a pasted file copied back with a change, quotes from a pasted text) and on a
/// non-repetitive one; greedy, one sequence at a time, on the fidelity model (Gemma 3 270M).
struct SpeculativeBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "speculative",
        abstract: "Decode tokens/s with and without prompt-lookup drafts (repetitive and non-repetitive workloads).")

    @Option(help: "GGUF model (default: the fidelity model, Gemma 3 270M).")
    var model: String?

    @Option(help: "Tokens generated per prompt.")
    var generate = 96

    @Option(help: "Tokens drafted per step when speculating.")
    var draft = 8

    @Option(help: "Repetitions (the best run counts).")
    var repetitions = 2

    static let code = """
        import Foundation

        struct Inventory {
            var items: [String: Int] = [:]

            mutating func add(_ name: String, count: Int) {
                items[name, default: 0] += count
            }

            mutating func remove(_ name: String, count: Int) -> Bool {
                guard let have = items[name], have >= count else { return false }
                items[name] = have - count
                return true
            }

            func total() -> Int {
                items.values.reduce(0, +)
            }
        }
        """

    static let article = """
        The lighthouse at the end of the harbour was built in 1874 by the town's fishermen, who paid for \
        it with a share of every catch for eleven years. Its keeper, Martha Quill, kept the lamp burning \
        through the storm of 1881, when the harbour master said that "no light on this coast has ever \
        saved more boats in a single night". The tower was automated in 1962, and the keeper's cottage \
        is now a small museum. Visitors can climb the 132 steps to the lantern room, where a plaque \
        reads: "For those who went out, and for those who waited."
        """

    /// (name, prompts): each workload's prompts.
    static let workloads: [(String, [String])] = [
        ("repetitive: edit a pasted file", [
            "Here is a Swift file:\n\n\(code)\n\nHere is the same file, with `total` renamed to `count`:\n\n",
            "File:\n\(code)\n\nThe file again, unchanged, for review:\n",
        ]),
        ("repetitive: quotes from a pasted text", [
            "\(article)\n\nQuote the two sentences with quotation marks from the text above, exactly:\n",
            "\(article)\n\nSummary with quotes: The text says that",
        ]),
        ("open prompts", [
            "Write a short story about a fox who learns to sail.",
            "List ten unusual uses for a paperclip:",
        ]),
    ]

    /// Varied questions answered in a few tokens each, before a pretrained model starts to loop:
    /// little for drafts to find, so this is where speculation must not slow decoding down.
    static let shortAnswers = [
        "The capital of Australia is", "Water boils at sea level at a temperature of", "The author of Pride and Prejudice was",
        "Photosynthesis turns sunlight into", "In Python, a list is reversed with", "The largest planet in the solar system is",
        "A haiku has three lines of", "The chemical symbol for gold is", "Mount Everest lies on the border between",
        "The speed of light in a vacuum is about", "A prime number is a number that", "The French word for library is",
        "Bees make honey from", "The first person to walk on the Moon was", "A byte is made of", "The opposite of generous is",
    ]

    /// Prompts of seeded random tokens: their continuations rarely repeat what came before, so
    /// drafts are mostly wrong (the worst case: what speculation costs when it cannot help).
    static func noise(count: Int, length: Int, vocabulary: Int) -> [[Int32]] {
        var random = SplitMix64(seed: 42)
        return (0..<count).map { _ in [2] + (0..<length).map { _ in Int32(1000 + random.next() % UInt64(vocabulary - 1000)) } }
    }

    func run() throws {
        let generator = try TextGenerator(path: model ?? FidelityModel.path())
        print("speculative decoding: \(generate) tokens per prompt, drafts of up to \(draft) tokens, greedy")
        verificationCost(generator)
        let noise = ("non-repetitive: random-token prompts", Self.noise(count: 3, length: 48, vocabulary: min(200_000, generator.tokenizer.vocabulary.count)))
        for (name, ids) in Self.workloads.map({ ($0.0, $0.1.map { generator.tokenizer.encode($0, addSpecial: true) }) }) + [noise] {
            let plain = try measure(generator, ids, draftTokens: 0)
            let speculative = try measure(generator, ids, draftTokens: draft)
            report(name, plain, speculative)
        }
        let short = Self.shortAnswers.map { generator.tokenizer.encode($0, addSpecial: true) }
        report("non-repetitive: \(short.count) short answers of 16 tokens", try measure(generator, short, draftTokens: 0, maxTokens: 16),
               try measure(generator, short, draftTokens: draft, maxTokens: 16))
    }

    private func report(_ name: String, _ plain: Measured, _ speculative: Measured) {
        let acceptance = speculative.drafted > 0 ? 100 * Double(speculative.confirmed) / Double(speculative.drafted) : 0
        print(String(
            format: "%@: %.1f → %.1f tokens/s (×%.2f), %d of %d drafted tokens confirmed (%.0f%%), same output: %@", name,
            plain.tokensPerSecond, speculative.tokensPerSecond, speculative.tokensPerSecond / plain.tokensPerSecond,
            speculative.confirmed, speculative.drafted, acceptance, plain.ids == speculative.ids ? "yes" : "NO"))
    }

    /// What verifying drafts costs when all are wrong: a decode step with 1, 2, 4 and 8 drafted
    /// rows against a plain one (median of 15 steps each, the cache put back after each).
    private func verificationCost(_ generator: TextGenerator) {
        let model = generator.model
        let prompt = generator.tokenizer.encode(Self.article, addSpecial: true)
        let cache = model.makeCache(capacity: prompt.count + 16)
        _ = model.forward(prompt, cache: cache)
        func stepMs(drafts: Int) -> Double {
            var times: [Double] = []
            for _ in 0..<15 {
                let tokens = [Int32](repeating: 506, count: 1 + drafts)
                let length = cache.count
                times.append(1000 * EngineBenchmark.time { model.step([StepInput(cache: cache, tokens: tokens, verifies: drafts > 0)]) { _, _ in } })
                cache.truncate(to: length)
            }
            return times.sorted()[times.count / 2]
        }
        let plain = stepMs(drafts: 0)
        let costs = [1, 2, 4, 8].map { drafts in String(format: "%d drafted ×%.2f", drafts, stepMs(drafts: drafts) / plain) }
        print(String(format: "a step with wrong drafts, against a plain step (%.1f ms): ", plain) + costs.joined(separator: ", "))
    }

    /// Decode tokens/s over the prompts (one at a time, best of the repetitions), with the output.
    typealias Measured = (tokensPerSecond: Double, ids: [[Int32]], drafted: Int, confirmed: Int)

    private func measure(_ generator: TextGenerator, _ prompts: [[Int32]], draftTokens: Int, maxTokens: Int? = nil) throws -> Measured {
        var limits = SchedulerLimits()
        limits.draftTokens = draftTokens
        var best = 0.0
        var outputs: [[Int32]] = []
        var totals = (drafted: 0, confirmed: 0)
        for _ in 0..<repetitions {
            let scheduler = Scheduler(generator: generator, limits: limits)
            defer { scheduler.shutdown() }
            var tokens = 0
            var decodeMs = 0.0
            outputs = []
            for prompt in prompts {
                let result = try Self.generate(prompt, maxTokens: maxTokens ?? generate, on: scheduler)
                tokens += result.ids.count
                decodeMs += result.decodeMs
                outputs.append(result.ids)
            }
            best = max(best, Double(tokens) / (decodeMs / 1000))
            totals = scheduler.speculation
        }
        return (best, outputs, totals.drafted, totals.confirmed)
    }

    private static func generate(_ prompt: [Int32], maxTokens: Int, on scheduler: Scheduler) throws -> GenerationResult {
        var options = SamplingOptions.greedy
        options.maxTokens = maxTokens
        let done = DispatchSemaphore(value: 0)
        let box = ResultBox()
        var request = GenerationRequest(prompt: prompt, options: options) { result in
            box.set(result)
            done.signal()
        }
        request.cachePrompt = false  // every measurement starts cold
        try scheduler.submit(request)
        done.wait()
        return box.get()
    }
}

/// Hands a result from the engine thread to the waiting benchmark.
private final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var result: GenerationResult?
    func set(_ value: GenerationResult) { lock.withLock { result = value } }
    func get() -> GenerationResult { lock.withLock { result! } }
}
