import Foundation
import GrokTestModels
@testable import GrokEngine

/// llama.cpp's outputs on one real model file, made on this machine by `scripts/fetch-parity`
/// (`scripts/llamacpp-reference`): its tokenisation of varied strings, and greedy continuations
/// with first-step top-5 logprobs.
struct ParityReference: Sendable {
    struct Tokenization: Sendable {
        let text: String
        let addBOS: Bool
        let parseSpecial: Bool
        let ids: [Int32]
    }

    struct Greedy: Sendable {
        let prompt: String
        let promptIDs: [Int32]
        let ids: [Int32]
        let top5: [(id: Int32, logprob: Double)]
    }

    let modelPath: String
    let tokenizations: [Tokenization]
    let greedy: [Greedy]

    static let smolLM2Files = SmolLM2Files.variants

    struct Missing: Error, CustomStringConvertible {
        let path: String
        var description: String { "parity data is missing (\(path)): run scripts/fetch-parity (make test does)" }
    }

    /// The reference for SmolLM2 variant `name`; missing data is an error, never a skip.
    static func smolLM2(_ name: String) throws -> ParityReference {
        let model = SmolLM2Files.model(name)
        let json = SmolLM2Files.reference(name)
        for path in [model, json] where !FileManager.default.fileExists(atPath: path) { throw Missing(path: path) }
        return try ParityReference(json: json, model: model)
    }

    /// llama.cpp's logits at every position of the KL text of variant `name`.
    struct Logits {
        let ids: [Int32]
        let vocabulary: Int
        let data: Data

        func row(_ position: Int) -> [Float] {
            data.withUnsafeBytes { raw in
                (0..<vocabulary).map { raw.loadUnaligned(fromByteOffset: 4 * (position * vocabulary + $0), as: Float.self) }
            }
        }
    }

    static func klLogits(_ name: String) throws -> Logits {
        let folder = SmolLM2Files.referenceFolder + "/"
        let json = SmolLM2Files.reference(name)
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any]
        guard let kl = object?["kl"] as? [String: Any], let ids = kl["ids"] as? [Int], let vocabulary = kl["vocab"] as? Int,
              var file = kl["logits_file"] as? String else { throw Missing(path: json + " (kl)") }
        if !file.hasPrefix("/") { file = folder + file }
        let data = try Data(contentsOf: URL(fileURLWithPath: file), options: .alwaysMapped)
        guard data.count >= ids.count * vocabulary * 4 else { throw Missing(path: file) }
        return Logits(ids: ids.map(Int32.init), vocabulary: vocabulary, data: data)
    }

    init(json: String, model: String) throws {
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any] ?? [:]
        func ids(_ value: Any?) -> [Int32] { (value as? [Int] ?? []).map(Int32.init) }
        modelPath = model
        tokenizations = (object["tokenize"] as? [[String: Any]] ?? []).map {
            Tokenization(text: $0["text"] as? String ?? "", addBOS: $0["add_bos"] as? Bool ?? false,
                         parseSpecial: $0["parse_special"] as? Bool ?? false, ids: ids($0["ids"]))
        }
        greedy = (object["greedy"] as? [[String: Any]] ?? []).map { entry in
            let top = (entry["first_step_top5"] as? [[String: Any]] ?? []).map {
                (id: Int32($0["id"] as? Int ?? -1), logprob: $0["logprob"] as? Double ?? .nan)
            }
            return Greedy(prompt: entry["prompt"] as? String ?? "", promptIDs: ids(entry["prompt_ids"]), ids: ids(entry["ids"]), top5: top)
        }
    }
}
