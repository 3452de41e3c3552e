import Foundation

/// The sampling a model file recommends, in llama.cpp's `general.sampling.*` metadata keys
/// (gguf-py's `Keys.General.SAMPLING_*`; llama.cpp's `common_init_sampler_from_model` reads
/// them the same way), laid over defaults the caller chooses.
///
/// Order of precedence, as in llama.cpp: the request's own options, then the file's keys,
/// then the defaults.
public enum ModelSampling {
    /// The keys read: temperature, top-k, top-p, min-p, repeat penalty and its window.
    public static let temperatureKey = "general.sampling.temp"
    public static let topKKey = "general.sampling.top_k"
    public static let topPKey = "general.sampling.top_p"
    public static let minPKey = "general.sampling.min_p"
    public static let repeatPenaltyKey = "general.sampling.penalty_repeat"
    public static let penaltyWindowKey = "general.sampling.penalty_last_n"

    /// Grok's defaults for a conversation when the file names none: suited to a small
    /// instruction-tuned model, which loops or drifts at the engine's general 0.8. Temperature
    /// 0.2 and top-p 0.9 are what SmolLM2-135M-Instruct's model card recommends; a mild repeat
    /// penalty over the last 64 tokens keeps a 135M model from repeating its sentence.
    public static let conversation: SamplingOptions = {
        var options = SamplingOptions()
        options.temperature = 0.2
        options.topK = 40
        options.topP = 0.9
        options.minP = 0.05
        options.repeatPenalty = 1.1
        options.penaltyWindow = 64
        return options
    }()

    /// `defaults` with every value `file` recommends, and the keys it had. A window of -1
    /// means the whole context (`contextLength`), as in llama.cpp; values out of range are
    /// ignored.
    public static func recommended(by file: GGUFFile, over defaults: SamplingOptions, contextLength: Int)
        -> (options: SamplingOptions, keys: [String])
    {
        var options = defaults
        var found: [String] = []
        func number(_ key: String, _ valid: (Double) -> Bool) -> Double? {
            guard let value = file[key], let number = Self.number(value), valid(number) else { return nil }
            found.append(key)
            return number
        }
        if let value = number(temperatureKey, { $0 >= 0 && $0 <= 10 }) { options.temperature = value }
        if let value = number(topKKey, { $0 >= 0 && $0 <= 16_777_216 && $0 == $0.rounded() }) { options.topK = Int(value) }
        if let value = number(topPKey, { $0 > 0 && $0 <= 1 }) { options.topP = value }
        if let value = number(minPKey, { $0 >= 0 && $0 < 1 }) { options.minP = value }
        if let value = number(repeatPenaltyKey, { $0 > 0 && $0 <= 10 }) { options.repeatPenalty = value }
        if let value = number(penaltyWindowKey, { $0 >= -1 && $0 <= 16_777_216 && $0 == $0.rounded() }) {
            options.penaltyWindow = value < 0 ? contextLength : Int(value)
        }
        return (options, found)
    }

    /// A metadata value as a number: llama.cpp reads these keys as text, so a number written
    /// as a string counts too.
    private static func number(_ value: GGUFValue) -> Double? {
        if let number = value.doubleValue { return number.isFinite ? number : nil }
        return value.stringValue.flatMap { Double($0.trimmingCharacters(in: .whitespaces)) }.flatMap { $0.isFinite ? $0 : nil }
    }
}
