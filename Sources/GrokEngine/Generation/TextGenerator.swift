import Foundation

/// What a generation produced.
public struct GenerationResult: Sendable {
    public enum FinishReason: String, Sendable, Codable { case stop, length, cancelled }

    public var text: String
    public var ids: [Int32]
    public var finishReason: FinishReason
    public var promptTokens: Int
    public var prefillMs: Double
    public var decodeMs: Double
    /// Per generated token, the top alternatives (when asked for).
    public var logprobs: [[(id: Int32, logprob: Float)]]
    /// Time spent waiting for a scheduler slot.
    public var queuedMs: Double = 0
    /// Prompt tokens taken from the prompt cache instead of being prefilled.
    public var cachedTokens: Int = 0
    /// The stop string that ended the generation, if one did (it is not part of `text`).
    public var stoppedBy: String?
    /// Tokens drafted by prompt lookup and verified by the model (speculative decoding), and
    /// how many of them it confirmed.
    public var draftedTokens: Int = 0
    public var acceptedDraftTokens: Int = 0
}

/// A loaded model with its tokenizer; generations run on a `Scheduler` over it.
public final class TextGenerator: @unchecked Sendable {
    public let model: LanguageModel
    public let tokenizer: Tokenizer

    public init(model: LanguageModel, tokenizer: Tokenizer) {
        self.model = model
        self.tokenizer = tokenizer
    }

    /// Loads a GGUF model and its tokenizer.
    public convenience init(path: String, threads: Int = ProcessInfo.processInfo.activeProcessorCount) throws(GGUFError) {
        let file = try GGUFFile(path: path)
        let model = try LanguageModel(file: file, threads: threads)
        self.init(model: model, tokenizer: try Tokenizer(file: file))
    }
}

/// The generated text, released piece by piece: never half a UTF-8 character, never the
/// start of a stop string that may yet complete.
struct GenerationOutput {
    let stops: [String]
    private var decoder = StreamingDecoder()
    private(set) var text = ""
    /// The stop string that ended the text.
    private(set) var stoppedBy: String?
    private var emitted = 0

    init(stops: [String]) {
        self.stops = stops.filter { !$0.isEmpty }
    }

    /// Adds a token's bytes; returns the text that can be shown now, and whether a stop string ended it.
    mutating func append(_ bytes: [UInt8]) -> (String, Bool) {
        text += decoder.append(bytes)
        for stop in stops {
            if let range = text.range(of: stop) {
                text = String(text[..<range.lowerBound])
                stoppedBy = stop
                return (release(upTo: text.count), true)
            }
        }
        return (release(upTo: text.count - heldBack()), false)
    }

    mutating func finish() -> String {
        text += decoder.finish()
        return release(upTo: text.count)
    }

    /// Characters at the end that could be the start of a stop string.
    private func heldBack() -> Int {
        var longest = 0
        for stop in stops {
            for length in stride(from: min(stop.count - 1, text.count), to: 0, by: -1)
            where text.hasSuffix(stop.prefix(length)) {
                longest = max(longest, length)
                break
            }
        }
        return longest
    }

    private mutating func release(upTo end: Int) -> String {
        guard end > emitted else { return "" }
        let start = text.index(text.startIndex, offsetBy: emitted)
        let stop = text.index(text.startIndex, offsetBy: end)
        emitted = end
        return String(text[start..<stop])
    }
}
