import Foundation
import GrokEngine

/// What a figure was measured on: a benchmark's figures mean nothing without the CPU model.
enum Machine {
    /// "AMD EPYC, 2 cores, kernels avx512-vnni" from /proc/cpuinfo and the kernels' level.
    static var description: String {
        let cpu = cpuModel ?? "unknown CPU"
        return "\(cpu), \(ProcessInfo.processInfo.activeProcessorCount) cores, kernels \(Kernels.level.name)"
    }

    /// The CPU's model name as the kernel reports it.
    static var cpuModel: String? {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("model name") {
            return line.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) }
        }
        return nil
    }
}
