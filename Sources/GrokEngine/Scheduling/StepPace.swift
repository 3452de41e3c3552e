/// What steps cost lately: a decode-only step, and each prompt row a step adds to it. The
/// scheduler sizes the prompt work it mixes into decode steps from these (moving averages, so
/// they follow the number of streams and the machine's load).
struct StepPace {
    private(set) var decodeStepMs: Double?
    private(set) var prefillRowMs: Double?
    /// Weight of the newest step in the averages.
    private let weight = 0.25

    mutating func record(ms: Double, decodeRows: Int, prefillRows: Int) {
        if prefillRows == 0 {
            guard decodeRows > 0 else { return }
            decodeStepMs = Self.blend(decodeStepMs, ms, weight)
        } else {
            // Beside decoding rows, a prompt row costs what the step took beyond a decode step.
            let base = decodeRows > 0 ? (decodeStepMs ?? ms / 2) : 0
            prefillRowMs = Self.blend(prefillRowMs, max(0, ms - base) / Double(prefillRows), weight)
        }
    }

    private static func blend(_ old: Double?, _ new: Double, _ weight: Double) -> Double {
        old.map { $0 + weight * (new - $0) } ?? new
    }
}
