import Foundation

/// llama.cpp's outputs on one model file, as `scripts/llamacpp-reference` writes them (made on
/// this machine by `scripts/fetch-parity`): its tokenisation of varied strings, greedy
/// continuations with first-step top-5 logprobs, and the logits of every position of a text
/// (the `kl` section: token ids and a raw float32 [positions × vocabulary] file).
public struct LlamaCppReference: Sendable {
    public struct Tokenization: Sendable {
        public let text: String
        public let addBOS: Bool
        public let parseSpecial: Bool
        public let ids: [Int32]
    }

    public struct Candidate: Sendable {
        public let id: Int32
        public let logprob: Double
    }

    public struct Greedy: Sendable {
        public let prompt: String
        public let promptIDs: [Int32]
        public let ids: [Int32]
        public let top5: [Candidate]
    }

    public let tokenizations: [Tokenization]
    public let greedy: [Greedy]
    /// The ids of the KL text, and the vocabulary size of its logits rows (empty, 0: none).
    public let klIDs: [Int32]
    public let vocabulary: Int
    private let logits: Data

    public struct Missing: Error, CustomStringConvertible {
        public let path: String
        public init(path: String) { self.path = path }
        public var description: String { "llama.cpp's reference is missing (\(path)): run scripts/fetch-parity (make test does)" }
    }

    /// Reads the JSON at `json`; the logits file it names is mapped, not read.
    public init(json: String) throws {
        guard FileManager.default.fileExists(atPath: json) else { throw Missing(path: json) }
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any] ?? [:]
        func ids(_ value: Any?) -> [Int32] { (value as? [Int] ?? []).map(Int32.init) }
        tokenizations = (object["tokenize"] as? [[String: Any]] ?? []).map {
            Tokenization(text: $0["text"] as? String ?? "", addBOS: $0["add_bos"] as? Bool ?? false,
                         parseSpecial: $0["parse_special"] as? Bool ?? false, ids: ids($0["ids"]))
        }
        greedy = (object["greedy"] as? [[String: Any]] ?? []).map { entry in
            let top = (entry["first_step_top5"] as? [[String: Any]] ?? []).map {
                Candidate(id: Int32($0["id"] as? Int ?? -1), logprob: $0["logprob"] as? Double ?? .nan)
            }
            return Greedy(prompt: entry["prompt"] as? String ?? "", promptIDs: ids(entry["prompt_ids"]), ids: ids(entry["ids"]), top5: top)
        }
        guard let kl = object["kl"] as? [String: Any], var file = kl["logits_file"] as? String else {
            (klIDs, vocabulary, logits) = ([], 0, Data())
            return
        }
        if !file.hasPrefix("/") { file = (json as NSString).deletingLastPathComponent + "/" + file }
        klIDs = ids(kl["ids"])
        vocabulary = kl["vocab"] as? Int ?? 0
        logits = try Data(contentsOf: URL(fileURLWithPath: file), options: .alwaysMapped)
        guard logits.count >= klIDs.count * vocabulary * 4 else { throw Missing(path: file + " (shorter than its ids)") }
    }

    /// llama.cpp's logits after klIDs[0…position].
    public func logits(at position: Int) -> [Float] {
        logits.withUnsafeBytes { raw in
            (0..<vocabulary).map { raw.loadUnaligned(fromByteOffset: 4 * (position * vocabulary + $0), as: Float.self) }
        }
    }
}

/// Next-token distributions as log probabilities, and how far apart two of them are.
public enum Distribution {
    /// log softmax(logits), in Double.
    public static func logSoftmax<F: BinaryFloatingPoint>(_ logits: [F]) -> [Double] {
        let values = logits.map { Double($0) }
        let top = values.max() ?? 0
        let total = top + log(values.reduce(0.0) { $0 + exp($1 - top) })
        return values.map { $0 - total }
    }

    /// KL(p ‖ q) of two log-probability vectors.
    public static func divergence(_ p: [Double], _ q: [Double]) -> Double {
        zip(p, q).reduce(0.0) { $0 + exp($1.0) * ($1.0 - $1.1) }
    }

    /// The index of the most likely token.
    public static func best(_ scores: [Double]) -> Int32 {
        Int32(scores.indices.max { scores[$0] < scores[$1] } ?? 0)
    }
}
