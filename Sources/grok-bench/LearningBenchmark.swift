import ArgumentParser
import Foundation
import GrokClient
import GrokEngine
import GrokJSON
import GrokLearning
import GrokProtocol
import GrokRPC

/// The offline evaluation of retrieval that learns from feedback: simulated users ask
/// questions written from the corpus, rate the answers with noise, and the held-out questions'
/// MRR@10 and nDCG@10 are measured before learning and after each round, over several seeds.
struct LearningBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "learning",
        abstract: "MRR@10 and nDCG@10 of retrieval before and after rounds of simulated, noisy feedback.")

    @Option(help: "Seeds (each: new questions, a new split, new noise).") var seeds = 5
    @Option(help: "Rounds of feedback (each training question asked once per round).") var rounds = 5
    @Option(help: "Questions per simulated user (two thirds rated, one third held out).") var questions = 300
    @Option(help: "Chance a rating is the wrong way round.") var noise = 0.2
    @Option(help: "Candidates the retriever gives for reranking (chat's pool for its 3 passages is 20).") var pool = 20
    @Option(help: "The repository whose docs and sources go into the corpus.") var repository = "."

    func validate() throws {
        guard seeds >= 1, rounds >= 1, questions >= 3, pool >= 3 else { throw ValidationError("seeds and rounds are at least 1, questions and pool at least 3") }
    }

    func run() async throws {
        let products = (try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") as NSString).deletingLastPathComponent
        let work = NSTemporaryDirectory() + "grok-bench-learning-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: work) }
        let cache = (ProcessInfo.processInfo.environment["XDG_CACHE_HOME"] ?? NSHomeDirectory() + "/.cache") + "/grok/debs"
        try FileManager.default.createDirectory(atPath: cache, withIntermediateDirectories: true)
        let repository = URL(fileURLWithPath: self.repository).standardizedFileURL.path
        let corpus = try LearningCorpus.build(at: work + "/corpus", repository: repository, cache: cache)
        print("corpus: \(corpus.repositoryFiles) files of this repository, \(corpus.manPages) man pages from \(LearningCorpus.packages.count) Debian packages"
              + (corpus.missing.isEmpty ? "" : " (none found for: \(corpus.missing.joined(separator: ", ")))"))
        let config = work + "/grokd.json"
        let docs: JSONValue = ["builtinPlugins": false, "plugins": [["path": .string(products + "/libgrok-docs.so"), "config": ["database": .string(work + "/docs.db")]]]]
        try JSONCodec.encodeToString(docs).write(toFile: config, atomically: true, encoding: .utf8)
        let (path, pid) = try BenchDaemon.start("learning", arguments: ["--config", config, "--model", "none"])
        defer { if let pid { kill(pid, SIGTERM) } }
        let client = try await RPCClient.connect(path: path)
        defer { Task { await client.close() } }
        try await PluginBenchmark.waitForPlugins(client, ["docs"])
        let indexed = try await client.call(ToolsCall.self, .init(name: "docs.index", arguments: ["path": .string(corpus.folder)], timeoutMs: 600_000))
        let facts = indexed.structuredContent ?? .null
        print("indexed by the docs plugin: \(facts["files"]?.intValue ?? 0) files, \(facts["passages"]?.intValue ?? 0) passages",
              "in \(Measure.format(facts["seconds"]?.doubleValue ?? 0)) s")
        try await evaluate(client, corpus: corpus)
    }

    static let users = [
        SimulatedUser(name: "reader", proseShare: 0.8),
        SimulatedUser(name: "developer", proseShare: 0.2),
        // Controls: ratings at random (what remains is what the answers' choice of passage
        // teaches), and ratings at random of answers using a random passage (nothing to learn).
        SimulatedUser(name: "coin-flip", proseShare: 0.5, coinFlip: true),
        SimulatedUser(name: "no-signal", proseShare: 0.5, coinFlip: true, answerSkill: 0),
    ]

    /// Per user, per round (0 = before learning): MRR@10 and nDCG@10 of each seed.
    private func evaluate(_ client: RPCClient, corpus: LearningCorpus) async throws {
        let files = FileManager.default.enumerator(atPath: corpus.folder)?.compactMap { $0 as? String }.map { corpus.folder + "/" + $0 } ?? []
        let prose = files.filter { $0.hasSuffix(".md") }.sorted(), code = files.filter { !$0.hasSuffix(".md") && $0.contains(".") }.sorted()
        var users = Self.users
        for index in users.indices { users[index].noise = noise }
        print("questions: \(questions) per user (\(questions * 2 / 3) rated each round, the rest held out unless their line was asked about in training), \(pool) candidates each,",
              "3 passages per answer drawing on a relevant one (when shown) 70% of the time, \(Int(noise * 100))% of ratings wrong way round,",
              "70% of answers rated, 20% of ratings down corrected, \(seeds) seeds, \(rounds) rounds")
        var mrr: [[[Double]]] = Array(repeating: Array(repeating: [], count: rounds + 1), count: users.count)
        var ndcg = mrr
        var split: [[(seen: Double, unseen: Double, seenShare: Double)]] = Array(repeating: [], count: users.count)
        var inPool: [Double] = []
        var learned: [[[Double]]] = Array(repeating: [], count: users.count)
        for seed in 0..<seeds {
            for (number, user) in users.enumerated() {
                var random = SplitMix64(seed: UInt64(seed * 7919 + number * 104_729 + 1))
                let asked = try await writeQuestions(client, prose: prose, code: code, user: user, random: &random)
                inPool.append(Double(asked.filter { !$0.relevant.isEmpty }.count) / Double(max(1, asked.count)))
                // Held out: questions from lines never asked about in training.
                let training = Array(asked.prefix(asked.count * 2 / 3))
                let trainedLines = Set(training.map { $0.file + "\n" + $0.line })
                let heldOut = asked.dropFirst(asked.count * 2 / 3).filter { !trainedLines.contains($0.file + "\n" + $0.line) }
                var simulation = FeedbackSimulation(user: user, random: random)
                for round in 0...rounds {
                    if round > 0 { simulation.round(training) }
                    let measured = simulation.measure(heldOut)
                    mrr[number][round].append(measured.mrr)
                    ndcg[number][round].append(measured.ndcg)
                }
                learned[number].append(simulation.model.weights)
                let seen = heldOut.filter { simulation.ratedFiles.contains($0.file) }, unseen = heldOut.filter { !simulation.ratedFiles.contains($0.file) }
                let before = FeedbackSimulation(user: user, random: random)
                split[number].append((
                    simulation.measure(seen).mrr - before.measure(seen).mrr, simulation.measure(unseen).mrr - before.measure(unseen).mrr,
                    Double(seen.count) / Double(max(1, heldOut.count))))
            }
        }
        print("a relevant passage among the candidates: \(Measure.format(100 * Self.mean(inPool)))% of questions")
        report(users, mrr: mrr, ndcg: ndcg, split: split)
        print("\nlearned weights (mean over seeds; untrained: retrieverScore 1, the rest 0)")
        for (number, user) in users.enumerated() {
            let weights = PassageFeatures.names.indices.map { index in (PassageFeatures.names[index], Self.mean(learned[number].map { $0[index] })) }
            print("\(user.name):", weights.filter { abs($0.1) >= 0.05 }.map { "\($0.0) \(String(format: "%+.2f", $0.1))" }.joined(separator: ", "))
        }
    }

    /// The user's questions, with their candidates (the retriever's own order) and relevant passages.
    private func writeQuestions(
        _ client: RPCClient, prose: [String], code: [String], user: SimulatedUser, random: inout SplitMix64
    ) async throws -> [EvaluationQuery] {
        var asked: [EvaluationQuery] = []
        var attempts = 0
        while asked.count < questions && attempts < questions * 20 {
            attempts += 1
            let fromProse = Double.random(in: 0..<1, using: &random) < user.proseShare
            guard let file = (fromProse ? prose : code).randomElement(using: &random),
                let text = try? String(contentsOfFile: file, encoding: .utf8),
                let (query, line) = EvaluationQuery.keywords(from: text, using: &random) else { continue }
            let found = try await client.call(RetrievalSearch.self, .init(query: query, k: pool, learned: false)).passages
            // Each passage's own file's age, as the daemon computes it.
            let candidates = found.map { passage in
                let modified = (try? FileManager.default.attributesOfItem(atPath: passage.source))?[.modificationDate] as? Date
                return PassageFeatures.Candidate(text: passage.text, source: passage.source, retriever: passage.retriever, score: passage.score,
                                                 ageDays: modified.map { Date().timeIntervalSince($0) / 86_400 })
            }
            let relevant = Set(found.indices.filter { found[$0].source == file && found[$0].text.contains(line) })
            asked.append(EvaluationQuery(text: query, file: file, line: line, candidates: candidates, relevant: relevant))
        }
        return asked
    }

    private func report(_ users: [SimulatedUser], mrr: [[[Double]]], ndcg: [[[Double]]], split: [[(seen: Double, unseen: Double, seenShare: Double)]]) {
        print("\nheld-out questions, mean ± standard deviation over \(seeds) seeds")
        print("user        round   MRR@10            nDCG@10")
        for (number, user) in users.enumerated() {
            for round in 0...rounds {
                print(user.name.padding(toLength: 12, withPad: " ", startingAt: 0), String(round).padding(toLength: 7, withPad: " ", startingAt: 0),
                      Self.spread(mrr[number][round]).padding(toLength: 17, withPad: " ", startingAt: 0), Self.spread(ndcg[number][round]))
            }
        }
        print("\ngain after \(rounds) rounds (per seed: after minus before)")
        for (number, user) in users.enumerated() {
            let gains = zip(mrr[number][rounds], mrr[number][0]).map { $0 - $1 }
            let ndcgGains = zip(ndcg[number][rounds], ndcg[number][0]).map { $0 - $1 }
            let final = Self.mean(gains)
            let needed = (1...rounds).first { round in Self.mean(zip(mrr[number][round], mrr[number][0]).map { $0 - $1 }) >= 0.9 * final } ?? rounds
            let seen = split[number]
            print("\(user.name): MRR@10 \(Self.signed(gains)), nDCG@10 \(Self.signed(ndcgGains));",
                  final > 0 ? "90% of the gain after \(needed) round\(needed == 1 ? "" : "s");" : "no gain;",
                  "held-out questions on files rated before (\(Measure.format(100 * Self.mean(seen.map(\.seenShare)), 0))%):",
                  "MRR \(Self.signed(seen.map(\.seen))), others \(Self.signed(seen.map(\.unseen)))")
        }
    }

    static func mean(_ values: [Double]) -> Double { values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count) }

    static func deviation(_ values: [Double]) -> Double {
        guard values.count > 1 else { return 0 }
        let average = mean(values)
        return (values.reduce(0) { $0 + ($1 - average) * ($1 - average) } / Double(values.count - 1)).squareRoot()
    }

    static func spread(_ values: [Double]) -> String { String(format: "%.3f ± %.3f", mean(values), deviation(values)) }
    static func signed(_ values: [Double]) -> String { String(format: "%+.3f ± %.3f", mean(values), deviation(values)) }
}
