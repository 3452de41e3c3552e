import Foundation
@testable import GrokEngine

/// llama.cpp's outputs on the default model (`../shared/reference`), and the model itself.
enum ReferenceData {
    static let repositoryRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url
    }()

    /// A copy of `../shared/reference/gemma3-270m-llamacpp.json` (llama.cpp's tokenisation and
    /// greedy output on the default model), kept in the repository so a clone anywhere can test.
    static var referenceFile: URL {
        repositoryRoot.appendingPathComponent("Tests/GrokEngineTests/Fixtures/gemma3-270m-llamacpp.json")
    }

    /// llama.cpp b11434 as built by `../shared/tools/llamacpp-anchor` on this kind of machine, run
    /// on the same prompts by `scripts/llamacpp-trace/make-fixture.py` (first-step top-5 and 48
    /// greedy tokens). The shared reference file disagrees with this build on some logprobs.
    static var localFile: URL {
        repositoryRoot.appendingPathComponent("Tests/GrokEngineTests/Fixtures/gemma3-270m-llamacpp-local.json")
    }

    nonisolated(unsafe) static let json: [String: Any] = load(referenceFile)  // read-only after first use
    nonisolated(unsafe) static let localJSON: [String: Any] = load(localFile)

    static func load(_ url: URL) -> [String: Any] {
        guard let data = try? Data(contentsOf: url),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return [:] }
        return object
    }

    struct TokenizeCase: Sendable, CustomStringConvertible {
        let text: String
        let ids: [Int32]
        var description: String { text.debugDescription }
    }

    struct GreedyCase: @unchecked Sendable, CustomStringConvertible {
        let prompt: String
        let promptIDs: [Int32]
        let ids: [Int32]
        let top5: [(id: Int32, logprob: Double)]
        var description: String { prompt.debugDescription }
    }

    static var tokenizeCases: [TokenizeCase] {
        (json["tokenize"] as? [[String: Any]] ?? []).map {
            TokenizeCase(text: $0["text"] as? String ?? "", ids: ($0["ids"] as? [Int] ?? []).map(Int32.init))
        }
    }

    static var greedyCases: [GreedyCase] { greedyCases(in: json) }
    static var localGreedyCases: [GreedyCase] { greedyCases(in: localJSON) }

    static func greedyCases(in json: [String: Any]) -> [GreedyCase] {
        (json["greedy"] as? [[String: Any]] ?? []).map { item in
            let top = (item["first_step_top5"] as? [[String: Any]] ?? []).map {
                (id: Int32($0["id"] as? Int ?? -1), logprob: $0["logprob"] as? Double ?? 0)
            }
            return GreedyCase(
                prompt: item["prompt"] as? String ?? "", promptIDs: (item["prompt_ids"] as? [Int] ?? []).map(Int32.init),
                ids: (item["ids"] as? [Int] ?? []).map(Int32.init), top5: top)
        }
    }

    /// The fidelity model (Gemma 3 270M, the model of the reference data), at the path tests and
    /// CI share (`scripts/fetch-model` puts it there).
    static var modelPath: String { FidelityModel.path() }

    /// Loaded once for all tests (it is mapped, so this costs no copy).
    static let model: Result<LanguageModel, GGUFError> = Result { () throws(GGUFError) in
        try LanguageModel(file: GGUFFile(path: modelPath))
    }
}

/// Runs heavy, blocking work (whole forward passes) on a GCD thread instead of the Swift
/// cooperative pool, which other suites' async tests share (two threads on this machine), and
/// one body at a time: suites run in parallel, but the shared model is not reentrant.
func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global(qos: .userInitiated).async {
            modelLock.lock()
            defer { modelLock.unlock() }
            continuation.resume(with: Result { try body() })
        }
    }
}

private let modelLock = NSLock()
