import Foundation
import Testing
@testable import GrokEngine

/// Prints intermediate values for one prompt when GROK_TRACE is set (a debugging aid for
/// comparing with llama.cpp's eval callback; it asserts nothing and runs only on request).
@Suite struct TraceDump {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["GROK_TRACE"] != nil))
    func dump() throws {
        let model = try ReferenceData.model.get()
        let directory = ProcessInfo.processInfo.environment["GROK_TRACE_DIR"]
        model.tracer = { name, values in
            if let directory {
                let data = values.withUnsafeBufferPointer { Data(buffer: $0) }
                try? data.write(to: URL(fileURLWithPath: "\(directory)/\(name).bin"))
            }
            let width = values.count / 6
            let rows = (0..<6).map { r in
                (values[(r * width)..<((r + 1) * width)].reduce(0.0) { $0 + Double($1) * Double($1) } / Double(width)).squareRoot()
            }
            print(name.padding(toLength: 16, withPad: " ", startingAt: 0), rows.map { String(format: "%.6g", $0) }.joined(separator: " "))
        }
        defer { model.tracer = nil }
        _ = model.forward([2, 818, 5279, 529, 7001, 563], cache: model.makeCache(capacity: 16))
    }
}
