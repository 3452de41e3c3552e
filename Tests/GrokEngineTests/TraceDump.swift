import Foundation
import Testing
@testable import GrokEngine

/// Prints intermediate values for one prompt when GROK_TRACE is set (a debugging aid for
/// comparing with llama.cpp's eval callback; it asserts nothing and runs only on request).
@Suite struct TraceDump {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["GROK_TRACE"] != nil))
    func dump() throws {
        let other = ProcessInfo.processInfo.environment["GROK_TRACE_MODEL"]
        let model = try other.map { try LanguageModel(file: GGUFFile(path: $0)) } ?? ReferenceData.model.get()
        let directory = ProcessInfo.processInfo.environment["GROK_TRACE_DIR"]
        model.tracer = { name, values in
            if let directory {
                let data = values.withUnsafeBufferPointer { Data(buffer: $0) }
                try? data.write(to: URL(fileURLWithPath: "\(directory)/\(name).bin"))
            }
            let width = values.count / 6
            let rows = (0..<min(6, values.count / max(width, 1))).map { r in
                (values[(r * width)..<((r + 1) * width)].reduce(0.0) { $0 + Double($1) * Double($1) } / Double(width)).squareRoot()
            }
            print(name.padding(toLength: 16, withPad: " ", startingAt: 0), rows.map { String(format: "%.6g", $0) }.joined(separator: " "))
        }
        defer { model.tracer = nil }
        let tokens = ProcessInfo.processInfo.environment["GROK_TRACE_TOKENS"].map { $0.split(separator: ",").compactMap { Int32($0) } }
        let logits = model.forward(tokens ?? [2, 818, 5279, 529, 7001, 563], cache: model.makeCache(capacity: 256))
        if let directory { try? logits.withUnsafeBufferPointer { Data(buffer: $0) }.write(to: URL(fileURLWithPath: "\(directory)/logits.bin")) }
    }
}

extension TraceDump {
    /// Prints our first-step top-5 for every reference prompt (compare with llama.cpp's).
    @Test(.enabled(if: ProcessInfo.processInfo.environment["GROK_TRACE"] != nil))
    func firstSteps() throws {
        let model = try ReferenceData.model.get()
        for reference in ReferenceData.greedyCases {
            let logits = model.forward(reference.promptIDs, cache: model.makeCache(capacity: 64))
            let scores = GreedyGenerationTests.logSoftmax(logits)
            let top = GreedyGenerationTests.ranked(scores).prefix(5)
            print("ours", top.map { "\($0):\(String(format: "%.6f", scores[$0]))" }.joined(separator: " "))
            let cache = model.makeCache(capacity: 64)
            var single: [Float] = []
            for token in reference.promptIDs { single = model.forward([token], cache: cache) }
            let singleScores = GreedyGenerationTests.logSoftmax(single)
            print("1by1", reference.top5.map { "\($0.id):\(String(format: "%.6f", singleScores[Int($0.id)]))" }.joined(separator: " "))
            print("ref ", reference.top5.map { "\($0.id):\(String(format: "%.6f", $0.logprob))" }.joined(separator: " "))
        }
    }
}
