import ArgumentParser
import Foundation
import GrokEngine

/// Prefill and decode tokens/s of grok beside llama.cpp's `llama-bench` on the same files, in
/// the same run, one file after the other: the quantisations of one model side by side.
struct QuantBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quants", abstract: "Tokens/s per quantisation, grok beside llama-bench on the same files.")

    @Argument(help: "GGUF models (e.g. SmolLM2 as shipped and as requantized by scripts/fetch-smollm2 --variants).")
    var models: [String]

    @Option(help: "Folder of llama.cpp's binaries (scripts/llamacpp-tools prints it); without it, grok only.")
    var llamacpp: String?

    @Option(help: "Prompt tokens for the prefill figure.")
    var prompt = 512

    @Option(help: "Tokens for the decode figure.")
    var generate = 128

    @Option(help: "Worker threads (both engines).")
    var threads = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Repetitions of each figure (the best is kept).")
    var repetitions = 2

    func run() throws {
        print("quantisation benchmark on \(Machine.description), \(threads) threads")
        print("model | types | grok pp\(prompt) | llama.cpp pp\(prompt) | ratio | grok tg\(generate) | llama.cpp tg\(generate) | ratio")
        for path in models {
            let file = try GGUFFile(path: path)
            let (pp, tg) = try grok(file)
            let theirs = llamacpp.flatMap { try? llamaBench(path, bin: $0) }
            func f(_ x: Double?) -> String { x.map { String(format: "%.1f", $0) } ?? "-" }
            func ratio(_ a: Double, _ b: Double?) -> String { b.map { String(format: "%.2f×", a / $0) } ?? "-" }
            print("\((path as NSString).lastPathComponent) | \(Self.types(file)) | \(f(pp)) | \(f(theirs?.pp)) | \(ratio(pp, theirs?.pp)) | "
                  + "\(f(tg)) | \(f(theirs?.tg)) | \(ratio(tg, theirs?.tg))")
        }
    }

    /// The matrix types of a file with their share of its bytes, largest first.
    static func types(_ file: GGUFFile) -> String {
        let bytes = Dictionary(grouping: file.tensors.values.filter { $0.dimensions.count > 1 }, by: \.type)
            .mapValues { $0.reduce(0) { $0 + $1.byteCount } }
        let total = Double(bytes.values.reduce(0, +))
        return bytes.sorted { $0.value > $1.value }.map { "\($0.key.name) \(Int((Double($0.value) / total * 100).rounded()))%" }
            .joined(separator: ", ")
    }

    /// grok's best prefill and decode tokens/s, as `grok-bench engine` measures them.
    private func grok(_ file: GGUFFile) throws -> (pp: Double, tg: Double) {
        let engine = try LanguageModel(file: file, threads: threads)
        let pp = (0..<repetitions).map { _ in EngineBenchmark.prefillSpeed(engine, tokens: prompt) }.max() ?? 0
        let tg = (0..<repetitions).map { _ in EngineBenchmark.decodeSpeed(engine, tokens: generate) }.max() ?? 0
        return (pp, tg)
    }

    /// llama-bench's best prefill and decode tokens/s on the same file (its JSON output).
    private func llamaBench(_ path: String, bin: String) throws -> (pp: Double, tg: Double) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: bin + "/llama-bench")
        process.arguments = ["-m", path, "-t", "\(threads)", "-p", "\(prompt)", "-n", "\(generate)", "-r", "\(repetitions)", "-o", "json"]
        var environment = ProcessInfo.processInfo.environment
        environment["LD_LIBRARY_PATH"] = bin
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard let runs = try JSONSerialization.jsonObject(with: data) as? [[String: Any]] else {
            throw ValidationError("llama-bench gave no JSON for \(path)")
        }
        func best(_ key: String) -> Double {
            runs.filter { ($0[key] as? Int ?? 0) > 0 }.compactMap { ($0["samples_ts"] as? [Double])?.max() }.max() ?? .nan
        }
        return (best("n_prompt"), best("n_gen"))
    }
}
