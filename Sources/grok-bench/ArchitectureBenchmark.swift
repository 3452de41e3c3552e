import ArgumentParser
import Foundation
import GrokEngine
import GrokTestModels

/// Prefill and decode speed of each architecture the engine runs, on seeded random models of
/// one shape (written to a temporary folder), beside the fidelity model (Gemma 3 270M).
struct ArchitectureBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "architectures",
        abstract: "Engine speed per architecture: random models of one shape (gemma3, llama, qwen2, qwen3) beside the fidelity model.")

    @Option(help: "Embedding width of the random models (a multiple of 256 for K-quants).")
    var embedding = 256

    @Option(help: "Layers of the random models (Gemma 3's every sixth is global).")
    var layers = 6

    @Option(help: "Feed-forward width.")
    var feedForward = 1024

    @Option(help: "Tensor type of every matrix (default: each architecture's mix of types, as the tests use).")
    var type: String?

    @Option(help: "Prompt tokens for the prefill figure.")
    var prompt = 512

    @Option(help: "Tokens for the decode figure.")
    var generate = 128

    @Option(help: "Worker threads.")
    var threads = ProcessInfo.processInfo.activeProcessorCount

    @Flag(help: "Skip the fidelity model (Gemma 3 270M).")
    var noFidelity = false

    @Option(help: "Keep the random models in this folder (e.g. to run llama.cpp on the same files).")
    var keep: String?

    func run() throws {
        let folder = keep ?? NSTemporaryDirectory() + "grok-bench-architectures-\(getpid())"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { if keep == nil { try? FileManager.default.removeItem(atPath: folder) } }
        let chosen = try type.map { name in
            guard let type = GGMLType.allCases.first(where: { $0.name == name && $0.isSupported }) else {
                throw ValidationError("unknown or unsupported tensor type \(name)")
            }
            return type
        }
        print("architectures: embedding \(embedding), \(layers) layers, feed-forward \(feedForward), \(threads) threads")
        for architecture in TinyModel.Architecture.allCases {
            var model = TinyModel(architecture, seed: 7)
            model.embedding = embedding
            model.layers = layers
            model.feedForward = feedForward
            if let chosen { for role in TinyModel.Role.allCases { model.types[role] = chosen } }
            let path = folder + "/\(architecture.rawValue).gguf"
            try model.write(to: path)
            try measure(path, label: architecture.rawValue)
        }
        if !noFidelity { try measure(FidelityModel.path(), label: "fidelity (\(FidelityModel.fileName))") }
    }

    /// One line per model: prefill and decode tokens/s (best of two).
    private func measure(_ path: String, label: String) throws {
        let engine = try LanguageModel(file: GGUFFile(path: path), threads: threads)
        let vocabulary = engine.config.vocabularySize
        let tokens = (0..<prompt).map { Int32(1 + ($0 * 7919) % (vocabulary - 1)) }
        var prefill = 0.0, decode = 0.0
        for _ in 0..<2 {
            let cache = engine.makeCache(capacity: prompt)
            prefill = max(prefill, Double(prompt) / EngineBenchmark.time { _ = engine.forward(tokens, cache: cache) })
            let decoding = engine.makeCache(capacity: generate + 1)
            var next: Int32 = 1
            decode = max(decode, Double(generate) / EngineBenchmark.time {
                for _ in 0..<generate {
                    var greedy = Sampler(options: .greedy)
                    next = engine.forward([next], cache: decoding).withUnsafeBufferPointer { greedy.sample($0) }
                }
            })
        }
        let c = engine.config
        print(String(
            format: "%@: pp%d %.1f tokens/s, tg%d %.1f tokens/s (%d layers × %d, vocabulary %d, %d MB)", label, prompt, prefill,
            generate, decode, c.layers, c.embedding, vocabulary, EngineBenchmark.fileMB(path)))
    }
}
