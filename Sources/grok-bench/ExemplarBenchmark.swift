import ArgumentParser
import Foundation
import GrokJSON
import GrokProtocol
import GrokRPC

/// Exemplars measured through the daemon with the default model: a user asks about facts the
/// model cannot know (an invented setup), corrects each answer, then asks about the same
/// facts in other words, each in a new session. Counted: answers that state the corrected fact
/// with no exemplar, with the same question and correction written into the system text (as
/// exemplars were at first: here through the `instructions` preference), and with the learned
/// exemplars; prompts the exemplar reached, answers to unrelated questions that borrow a
/// learned fact, and what the exemplars cost in prompt tokens.
struct ExemplarBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exemplars",
        abstract: "Answers that state a fact the user corrected earlier, asked again in other words: before and after.",
        discussion: "Starts its own grokd (next to this binary) with the default model and a database of its own.")

    @Option(help: "Most tokens in each answer.") var maxTokens = 32

    /// A fact: the first question, the user's correction, the same question in other words,
    /// and the text a right answer must contain.
    struct Fact {
        var question: String
        var correction: String
        var paraphrase: String
        var key: String
    }

    func run() async throws {
        let (path, pid) = try BenchDaemon.start("exemplars", privateDatabase: true)
        defer { if let pid { kill(pid, SIGTERM) } }
        try await ServeBenchmark.waitForModel(path)
        let client = try await RPCClient.connect(path: path)
        defer { Task { await client.close() } }
        print("exemplars: \(Self.facts.count) invented facts, each asked, corrected, then asked in other words in a new session;",
              "\(Self.unrelated.count) unrelated questions; greedy, at most \(maxTokens) tokens per answer")
        let before = try await ask(client, Self.facts.map(\.paraphrase))
        let unrelatedBefore = try await ask(client, Self.unrelated)
        let inSystemText = try await askWithSystemText(client)
        for fact in Self.facts {
            let answer = try await client.call(Chat.self, .init(message: fact.question, options: options, retrieval: "off"))
            _ = try await client.call(FeedbackSubmit.self, .init(messageId: answer.messageId, rating: -1, correction: fact.correction))
        }
        let learned = try await client.call(LearnStatus.self, NoParams()).exemplars
        let after = try await ask(client, Self.facts.map(\.paraphrase))
        let unrelatedAfter = try await ask(client, Self.unrelated)
        var reached = 0
        var intruded: [String] = []
        for fact in Self.facts {
            if try await prompt(client, fact.paraphrase).contains(fact.correction) { reached += 1 }
        }
        for question in Self.unrelated {
            let text = try await prompt(client, question)
            if Self.facts.contains(where: { text.contains($0.correction) }) { intruded.append(question) }
        }
        print("exemplars learned: \(learned) of \(Self.facts.count) corrections")
        print("answers stating the fact: no exemplar \(share(hits(before), Self.facts.count)),",
              "in the system text \(share(hits(inSystemText), Self.facts.count)), as an earlier exchange \(share(hits(after), Self.facts.count))")
        print("the correction reached the prompt of \(reached) of \(Self.facts.count) questions in other words;",
              "an exemplar reached \(intruded.count) of \(Self.unrelated.count) unrelated prompts"
              + (intruded.isEmpty ? "" : ": " + intruded.joined(separator: " / ")))
        let borrowing = zip(Self.unrelated, unrelatedAfter).filter { question, answer in Self.facts.contains { Self.states(answer.text, $0.key) } }
        for (question, answer) in borrowing { print("  borrowed: \(question) → \(answer.text.prefix(80).replacingOccurrences(of: "\n", with: " "))") }
        print("unrelated answers stating a learned fact: \(share(borrowed(unrelatedBefore), Self.unrelated.count)) before,",
              "\(share(borrowed(unrelatedAfter), Self.unrelated.count)) after")
        print("prompt tokens, median: \(median(before.map(\.usage.promptTokens))) → \(median(after.map(\.usage.promptTokens)));",
              "answer time, median: \(Measure.format(median(before.map(\.total)))) → \(Measure.format(median(after.map(\.total)))) ms")
    }

    private var options: Generate.Options {
        var options = Generate.Options()
        options.temperature = 0
        options.maxTokens = maxTokens
        return options
    }

    private struct Answer {
        var text: String
        var usage: Usage
        var total: Double
    }

    /// Each question in a new session.
    private func ask(_ client: RPCClient, _ questions: [String]) async throws -> [Answer] {
        var answers: [Answer] = []
        for question in questions {
            let result = try await client.call(Chat.self, .init(message: question, options: options, retrieval: "off"))
            answers.append(Answer(text: result.text, usage: result.usage, total: result.timings.prefillMs + result.timings.decodeMs))
        }
        return answers
    }

    /// Each fact's question and correction in the system text, the way exemplars were written
    /// there at first, then the question in other words.
    private func askWithSystemText(_ client: RPCClient) async throws -> [Answer] {
        var answers: [Answer] = []
        for fact in Self.facts {
            let text = "Answers this user approved for similar questions:\n- Q: \(fact.question)\n  A: \(fact.correction)"
            _ = try await client.call(PrefsSet.self, .init(key: "instructions", value: .string(text)))
            answers += try await ask(client, [fact.paraphrase])
        }
        _ = try await client.call(PrefsUnset.self, .init(key: "instructions"))
        return answers
    }

    private func prompt(_ client: RPCClient, _ question: String) async throws -> String {
        try await client.call(ChatPromptPreview.self, .init(message: question, retrieval: "off")).prompt
    }

    private func hits(_ answers: [Answer]) -> Int {
        zip(answers, Self.facts).filter { Self.states($0.text, $1.key) }.count
    }

    private func borrowed(_ answers: [Answer]) -> Int {
        answers.filter { answer in Self.facts.contains { Self.states(answer.text, $0.key) } }.count
    }

    /// Whether `text` holds `key` as a whole ("9 days" is not in "19 days").
    static func states(_ text: String, _ key: String) -> Bool {
        let pattern = #"(?<![\w/-])"# + NSRegularExpression.escapedPattern(for: key) + #"(?![\w/-])"#
        return text.range(of: pattern, options: [.regularExpression, .caseInsensitive]) != nil
    }

    /// A count of `total` with its 95% Wilson interval (honest at 0 and at all).
    private func share(_ count: Int, _ total: Int) -> String {
        let n = Double(total), p = Double(count) / n, z = 1.96
        let centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        let spread = z / (1 + z * z / n) * (p * (1 - p) / n + z * z / (4 * n * n)).squareRoot()
        return "\(count)/\(total) (95% CI \(Measure.format(100 * max(0, centre - spread), 0))–\(Measure.format(100 * min(1, centre + spread), 0))%)"
    }

    private func median<T: Comparable>(_ values: [T]) -> T { values.sorted()[values.count / 2] }

    /// Invented facts: no model knows them, so an answer states one only from the user's correction.
    static let facts: [Fact] = [
        Fact(question: "What port does the quokka daemon listen on?", correction: "The quokka daemon listens on port 8731.",
             paraphrase: "Which port is the quokka daemon using?", key: "8731"),
        Fact(question: "Where does the zephyr backup job write its archives?", correction: "The zephyr backup job writes its archives to /srv/zephyr/vault.",
             paraphrase: "Which folder do the zephyr backup archives go to?", key: "/srv/zephyr/vault"),
        Fact(question: "Who maintains the lantern build server?", correction: "Marisol Okafor maintains the lantern build server.",
             paraphrase: "Which person looks after the lantern build server?", key: "Okafor"),
        Fact(question: "What is the codename of our next release?", correction: "The next release is codenamed Bramblewick.",
             paraphrase: "Which codename does the next release have?", key: "Bramblewick"),
        Fact(question: "How many replicas does the heron cluster run?", correction: "The heron cluster runs 7 replicas.",
             paraphrase: "The heron cluster: how many replicas are running?", key: "7 replicas"),
        Fact(question: "Which branch does the pelican team deploy from?", correction: "The pelican team deploys from the branch release-tern.",
             paraphrase: "From which branch are pelican team deploys made?", key: "release-tern"),
        Fact(question: "What is the timeout of the walrus health check?", correction: "The walrus health check times out after 45 seconds.",
             paraphrase: "How long before the walrus health check times out?", key: "45 seconds"),
        Fact(question: "Which database does the marmot service use?", correction: "The marmot service uses a database called ledgerstone.",
             paraphrase: "What is the database behind the marmot service?", key: "ledgerstone"),
        Fact(question: "What time does the nightly osprey job start?", correction: "The nightly osprey job starts at 02:40.",
             paraphrase: "When is the osprey nightly job started?", key: "02:40"),
        Fact(question: "What is the office wifi network called?", correction: "The office wifi network is called Thistle-5G.",
             paraphrase: "Which name does the office wifi network have?", key: "Thistle-5G"),
        Fact(question: "Which version of the kestrel library do we pin?", correction: "We pin the kestrel library at version 3.14.2.",
             paraphrase: "The kestrel library: which pinned version?", key: "3.14.2"),
        Fact(question: "Where is the gannet config file kept?", correction: "The gannet config file is kept at /etc/gannet/gannet.toml.",
             paraphrase: "Which path holds the gannet config file?", key: "/etc/gannet/gannet.toml"),
        Fact(question: "What is the size limit for uploads to the badger portal?", correction: "Uploads to the badger portal are limited to 750 MB.",
             paraphrase: "How large can uploads to the badger portal be?", key: "750 MB"),
        Fact(question: "Which channel do the otter alerts go to?", correction: "The otter alerts go to the channel #otter-pager.",
             paraphrase: "Where are otter alerts posted, which channel?", key: "otter-pager"),
        Fact(question: "What is the retention period of the plover logs?", correction: "The plover logs are kept for 19 days.",
             paraphrase: "How long are plover logs kept before deletion?", key: "19 days"),
        Fact(question: "Which region hosts the ibis cluster?", correction: "The ibis cluster is hosted in the region north-lisbon-2.",
             paraphrase: "In what region is the ibis cluster hosted?", key: "north-lisbon-2"),
        Fact(question: "What is the name of the puffin test suite runner?", correction: "The puffin test suite runner is called drumroll.",
             paraphrase: "How is the runner of the puffin test suite called?", key: "drumroll"),
        Fact(question: "How often does the starling cache refresh?", correction: "The starling cache refreshes every 11 minutes.",
             paraphrase: "What is the refresh interval of the starling cache?", key: "11 minutes"),
        Fact(question: "Which user runs the magpie worker processes?", correction: "The magpie worker processes run as the user svc-magpie.",
             paraphrase: "As which user do magpie worker processes run?", key: "svc-magpie"),
        Fact(question: "What is the budget code for the curlew project?", correction: "The curlew project's budget code is CW-5521.",
             paraphrase: "The curlew project: which budget code?", key: "CW-5521"),
        Fact(question: "Which compiler flag does the tapir build need?", correction: "The tapir build needs the compiler flag -fno-strict-overflow.",
             paraphrase: "What compiler flag is needed for the tapir build?", key: "-fno-strict-overflow"),
        Fact(question: "Where do the lemur metrics get exported?", correction: "The lemur metrics get exported to metrics.lemur.internal:9102.",
             paraphrase: "To which address are lemur metrics exported?", key: "9102"),
        Fact(question: "How many shards does the bison index have?", correction: "The bison index has 13 shards.",
             paraphrase: "The bison index: how many shards?", key: "13 shards"),
        Fact(question: "What is the on-call rotation length for the ferret team?", correction: "The ferret team's on-call rotation lasts 9 days.",
             paraphrase: "How long is an on-call rotation in the ferret team?", key: "9 days"),
    ]

    /// Questions sharing no fact with the above. The first twelve were seen when choosing the
    /// words that make questions similar; the last twelve were written after, held out.
    static let unrelated = [
        "What is the capital of France?", "How do I list the files in a directory?", "What is a prime number?",
        "Why is the sky blue?", "How do I make a cup of tea?", "What does HTTP stand for?",
        "How many legs does a spider have?", "What is the boiling point of water?", "Who wrote Hamlet?",
        "What is a linked list?", "How do I undo the last git commit?", "What is photosynthesis?",
        "Which port does SSH use by default?", "How many days does a leap year have?", "Where is the config file of git kept?",
        "What time zone is Lisbon in?", "How long should I boil an egg?", "Which database is best for a small web app?",
        "How do I run a job every night with cron?", "What is the default branch name in git?", "Who maintains the Linux kernel?",
        "How often should backups run?", "What does a health check do in Kubernetes?", "How many replicas should a database cluster have?",
    ]
}
