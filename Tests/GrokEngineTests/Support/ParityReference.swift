import Foundation
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

    /// SmolLM2-135M-Instruct as shipped and as llama-quantize requantizes it: between them every
    /// 32-element type, Q2_K (the pure mix) to Q6_K, and IQ4_NL/IQ4_XS.
    static let smolLM2Files = ["Q4_1", "Q8_0", "Q4_K_M", "Q5_K_M", "Q3_K_M", "Q2_K", "Q2_K_pure", "IQ4_XS"]

    struct Missing: Error, CustomStringConvertible {
        let path: String
        var description: String { "parity data is missing (\(path)): run scripts/fetch-parity (make test does)" }
    }

    static func folder(_ variable: String, _ fallback: String) -> String {
        let value = ProcessInfo.processInfo.environment[variable] ?? ""
        return value.hasPrefix("/") ? value : NSHomeDirectory() + "/" + fallback
    }

    /// The file of SmolLM2 variant `name` ("Q4_1" is the shipped one, in the models folder).
    static func smolLM2Path(_ name: String) -> String {
        let file = "SmolLM2-135M-Instruct.\(name).gguf"
        return name == "Q4_1" ? folder("XDG_DATA_HOME", ".local/share") + "/grok/models/" + file
            : folder("XDG_CACHE_HOME", ".cache") + "/grok/models-derived/" + file
    }

    /// The reference for SmolLM2 variant `name`; missing data is an error, never a skip.
    static func smolLM2(_ name: String) throws -> ParityReference {
        let model = smolLM2Path(name)
        let json = folder("XDG_CACHE_HOME", ".cache") + "/grok/llamacpp-reference/SmolLM2-135M-Instruct.\(name).json"
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
        let folder = folder("XDG_CACHE_HOME", ".cache") + "/grok/llamacpp-reference/"
        let json = folder + "SmolLM2-135M-Instruct.\(name).json"
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
