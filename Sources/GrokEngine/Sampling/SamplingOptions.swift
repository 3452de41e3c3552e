/// How to choose each next token (DESIGN.md §3 `options`); temperature 0 is greedy.
public struct SamplingOptions: Sendable, Equatable, Codable {
    public var maxTokens: Int = 128
    public var temperature: Double = 0.8
    public var topK: Int = 40
    public var topP: Double = 0.95
    public var minP: Double = 0.05
    public var repeatPenalty: Double = 1.0
    /// How many recent tokens the penalties look at.
    public var penaltyWindow: Int = 64
    public var presencePenalty: Double = 0
    public var frequencyPenalty: Double = 0
    public var seed: UInt64?
    public var stop: [String] = []
    /// Top-n alternatives to report per generated token (0: none).
    public var logprobs: Int = 0

    public init() {}

    public static let greedy: SamplingOptions = {
        var options = SamplingOptions()
        options.temperature = 0
        return options
    }()
}
