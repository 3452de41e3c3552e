import ArgumentParser
import Foundation
import GrokEngine
import GrokTestModels

/// How far an engine's next-token distributions are from a float64 forward pass of the same
/// file (`ReferenceTransformer`): the engine-independent fidelity measure, since llama.cpp's own
/// numerics differ between CPU families. grok and llama.cpp are measured on the same token ids
/// at every position of a text of a few hundred tokens; lower is better, and grok's must be no
/// larger than llama.cpp's.
///
/// llama.cpp's logits come from `scripts/llamacpp-reference MODEL OUT.json` (`LlamaCppReference`:
/// the ids and a file of float32 logits for every position, evaluated as one batch). grok
/// evaluates the ids one at a time through its decode path.
struct FidelityBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fidelity",
        abstract: "KL divergence of grok's and llama.cpp's next-token distributions from a float64 reference.")

    @Argument(help: "GGUF models.")
    var models: [String]

    @Option(help: "Folder of llama.cpp references (<model file name>.json from scripts/llamacpp-reference).")
    var references: String?

    @Option(help: "Positions to compare (at most the reference text's length).")
    var positions = 256

    func run() throws {
        print("fidelity benchmark on \(Machine.description)")
        print("model | positions | KL grok | KL llama.cpp | max KL grok | max KL llama.cpp | top-1 = reference: grok, llama.cpp")
        for path in models { try measure(path) }
    }

    private func measure(_ path: String) throws {
        let name = (path as NSString).lastPathComponent
        let llama = try references.flatMap { folder in
            let json = folder + "/" + (name as NSString).deletingPathExtension + ".json"
            return FileManager.default.fileExists(atPath: json) ? try LlamaCppReference(json: json) : nil
        }
        let ids = try llama.map { Array($0.klIDs.prefix(positions)) } ?? Self.ids(path, count: positions)
        var reference: [[Double]] = [], ours: [[Double]] = []
        let exactSeconds = try Measure.seconds { reference = try ReferenceTransformer(path: path).logits(for: ids).map(Distribution.logSoftmax) }
        let grokSeconds = try Measure.seconds { ours = try Self.engineLogits(path, ids).map(Distribution.logSoftmax) }
        print("(\(name): float64 reference \(Measure.format(exactSeconds)) s, grok \(Measure.format(grokSeconds)) s)")
        let grok = Divergence(reference: reference, other: ours)
        let theirs = llama.map { llama in Divergence(reference: reference, other: ids.indices.map { Distribution.logSoftmax(llama.logits(at: $0)) }) }
        func f(_ x: Double?) -> String { x.map { String(format: "%.5f", $0) } ?? "-" }
        print("\(name) | \(ids.count) | \(f(grok.mean)) | \(f(theirs?.mean)) | \(f(grok.max)) | \(f(theirs?.max)) | "
              + "\(grok.agreement)/\(ids.count), \(theirs.map { "\($0.agreement)/\(ids.count)" } ?? "-")")
    }

    /// The benchmark text through the model's own tokenizer, when no llama.cpp reference is given.
    static func ids(_ path: String, count: Int) throws -> [Int32] {
        let tokenizer = try Tokenizer(file: GGUFFile(path: path))
        return Array(tokenizer.encode(FidelityText.text, addSpecial: true).prefix(count))
    }

    /// grok's logits after each position, one decode step per token.
    static func engineLogits(_ path: String, _ ids: [Int32]) throws -> [[Double]] {
        let engine = try LanguageModel(file: GGUFFile(path: path))
        let cache = engine.makeCache(capacity: ids.count + 1)
        return ids.map { engine.forward([$0], cache: cache).map(Double.init) }
    }
}

/// KL(reference ‖ other) per position, its mean and maximum, and how often the two agree on
/// the most likely token.
struct Divergence {
    let mean: Double
    let max: Double
    let agreement: Int

    init(reference: [[Double]], other: [[Double]]) {
        var values: [Double] = []
        var agreement = 0
        for (p, q) in zip(reference, other) {
            values.append(Distribution.divergence(p, q))
            if Distribution.best(p) == Distribution.best(q) { agreement += 1 }
        }
        mean = values.reduce(0, +) / Double(Swift.max(1, values.count))
        max = values.max() ?? .nan
        self.agreement = agreement
    }
}
