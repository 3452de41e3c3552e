import ArgumentParser
import Foundation
import GrokEngine

/// Prefill and decode speed of the engine on a model, like llama-bench's pp512 and tg128.
struct EngineBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engine", abstract: "Engine speed: prefill tokens/s (pp) and decode tokens/s (tg), peak RSS.")

    @Option(help: "GGUF model (default: the fidelity model, Gemma 3 270M, in $XDG_DATA_HOME/grok/models).")
    var model: String?

    @Option(help: "Prompt tokens for the prefill figure.")
    var prompt = 512

    @Option(help: "Tokens for the decode figure.")
    var generate = 128

    @Option(help: "Sequences decoding together for the batched decode figure (0: skip).")
    var batch = 8

    @Option(help: "Worker threads.")
    var threads = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Repetitions of each figure.")
    var repetitions = 2

    func run() throws {
        let path = model ?? FidelityModel.path()
        let engine = try LanguageModel(file: GGUFFile(path: path), threads: threads)
        print("engine benchmark: \((path as NSString).lastPathComponent), \(threads) threads")
        for _ in 0..<repetitions {
            print("pp\(prompt): \(String(format: "%.1f", Self.prefillSpeed(engine, tokens: prompt))) tokens/s")
        }
        for _ in 0..<repetitions {
            print("tg\(generate): \(String(format: "%.1f", Self.decodeSpeed(engine, tokens: generate))) tokens/s")
        }
        if batch > 0 { batchedDecode(engine) }
        print("peak RSS: \(Self.peakResidentMB()) MB (model file \(Self.fileMB(path)) MB)")
    }

    /// `batch` sequences decoding `generate` tokens each, one batched step per token.
    private func batchedDecode(_ engine: LanguageModel) {
        let caches = (0..<batch).map { _ in engine.makeCache(capacity: generate + 2) }
        var next = (0..<batch).map { Int32(2 + $0) }
        let seconds = Self.time {
            for _ in 0..<generate {
                var greedy = Sampler(options: .greedy)
                engine.step(zip(caches, next).map { StepInput(cache: $0, tokens: [$1]) }) { index, logits in
                    next[index] = greedy.sample(logits)
                }
            }
        }
        print("tg\(generate) × \(batch) sequences: \(String(format: "%.1f", Double(generate * batch) / seconds)) tokens/s aggregate")
    }

    /// Tokens/s prefilling `tokens` arbitrary ids in one pass, as llama-bench's pp figure.
    static func prefillSpeed(_ engine: LanguageModel, tokens: Int) -> Double {
        let ids = (0..<tokens).map { Int32(2 + ($0 * 7919) % max(1, min(200_000, engine.config.vocabularySize - 2))) }
        let cache = engine.makeCache(capacity: tokens)
        return Double(tokens) / time { _ = engine.forward(ids, cache: cache) }
    }

    /// Tokens/s decoding `tokens` greedy tokens one at a time, as llama-bench's tg figure.
    static func decodeSpeed(_ engine: LanguageModel, tokens: Int) -> Double {
        let cache = engine.makeCache(capacity: tokens + 1)
        var next: Int32 = 2
        return Double(tokens) / time {
            for _ in 0..<tokens {
                next = engine.forward([next], cache: cache).withUnsafeBufferPointer { logits in
                    var best = 0
                    for i in logits.indices where logits[i] > logits[best] { best = i }
                    return Int32(best)
                }
            }
        }
    }

    static func time(_ body: () -> Void) -> Double {
        let clock = ContinuousClock()
        let start = clock.now
        body()
        return (clock.now - start).seconds
    }

    static func peakResidentMB() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss / 1024
    }

    static func fileMB(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0) / (1 << 20)
    }
}
