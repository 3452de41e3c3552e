import GrokJSON

/// `tokenize {text, addSpecial?, parseSpecial?}` → `{ids}`.
public enum Tokenize: RPCMethod {
    public static let name = "tokenize"

    public struct Params: Codable, Sendable {
        public var text: String
        public var addSpecial: Bool?
        public var parseSpecial: Bool?
        /// The model whose tokenizer to use (a name or a path); absent: the default.
        public var model: String?
        public init(text: String, addSpecial: Bool? = nil, parseSpecial: Bool? = nil, model: String? = nil) {
            self.text = text
            self.addSpecial = addSpecial
            self.parseSpecial = parseSpecial
            self.model = model
        }
    }

    public struct Result: Codable, Sendable {
        public var ids: [Int32]
        public init(ids: [Int32]) { self.ids = ids }
    }
}

/// `detokenize {ids}` → `{text}`.
public enum Detokenize: RPCMethod {
    public static let name = "detokenize"

    public struct Params: Codable, Sendable {
        public var ids: [Int32]
        /// The model whose tokenizer to use (a name or a path); absent: the default.
        public var model: String?
        public init(ids: [Int32], model: String? = nil) {
            self.ids = ids
            self.model = model
        }
    }

    public struct Result: Codable, Sendable {
        public var text: String
        public init(text: String) { self.text = text }
    }
}

/// `model.info` → what model is loaded.
public enum ModelInfo: RPCMethod {
    public static let name = "model.info"
    public typealias Params = NoParams

    public struct Result: Codable, Sendable {
        public var name: String
        public var path: String
        public var architecture: String
        public var contextLength: Int
        public var vocabSize: Int
        public var parameters: Int
        public var quantization: String
        /// What `chat` samples with on this model when the request and the user's `options`
        /// preference give no value.
        public var sampling: Sampling?
        public init(
            name: String, path: String, architecture: String, contextLength: Int, vocabSize: Int, parameters: Int,
            quantization: String, sampling: Sampling? = nil
        ) {
            self.name = name
            self.path = path
            self.architecture = architecture
            self.contextLength = contextLength
            self.vocabSize = vocabSize
            self.parameters = parameters
            self.quantization = quantization
            self.sampling = sampling
        }
    }

    /// A model's default sampling for conversation: the file's `general.sampling.*` values
    /// where it has them (listed in `fromModelFile`), grok's conversation defaults elsewhere.
    public struct Sampling: Codable, Sendable, Equatable {
        public var temperature: Double
        public var topK: Int
        public var topP: Double
        public var minP: Double
        public var repeatPenalty: Double
        /// How many recent tokens the repeat penalty looks at.
        public var penaltyWindow: Int
        /// The metadata keys the values came from (empty: all are grok's defaults).
        public var fromModelFile: [String]
        public init(
            temperature: Double, topK: Int, topP: Double, minP: Double, repeatPenalty: Double, penaltyWindow: Int, fromModelFile: [String]
        ) {
            self.temperature = temperature
            self.topK = topK
            self.topP = topP
            self.minP = minP
            self.repeatPenalty = repeatPenalty
            self.penaltyWindow = penaltyWindow
            self.fromModelFile = fromModelFile
        }
    }
}

/// `generate {prompt, options?, stream?, parseSpecial?}`: a continuation of the prompt.
public enum Generate: RPCMethod {
    public static let name = "generate"

    public struct Params: Codable, Sendable, StreamableParams {
        public var prompt: String
        public var options: Options?
        public var stream: Bool?
        public var cachePrompt: Bool?
        public var parseSpecial: Bool?
        /// The model to use (a name in the models folder, or a path); absent: the default.
        public var model: String?
        public init(prompt: String, options: Options? = nil, stream: Bool? = nil) {
            self.prompt = prompt
            self.options = options
            self.stream = stream
        }
    }

    /// Sampling options (DESIGN.md §3); every field optional, temperature 0 is greedy.
    public struct Options: Codable, Sendable {
        public var maxTokens: Int?
        public var temperature: Double?
        public var topK: Int?
        public var topP: Double?
        public var minP: Double?
        public var repeatPenalty: Double?
        public var presencePenalty: Double?
        public var frequencyPenalty: Double?
        public var seed: UInt64?
        public var stop: [String]?
        public var logprobs: Int?
        /// Structured output: "json" (any JSON value) or a JSON Schema the answer must follow;
        /// sampling is constrained to it and the generation ends when the value is complete.
        public var format: JSONValue?
        public init() {}
    }

    public struct Result: Codable, Sendable {
        public var text: String
        public var ids: [Int32]
        public var finishReason: String
        public var usage: Usage
        public var timings: Timings
        public var logprobs: [[TokenLogprob]]?
        public init(text: String, ids: [Int32], finishReason: String, usage: Usage, timings: Timings, logprobs: [[TokenLogprob]]?) {
            self.text = text
            self.ids = ids
            self.finishReason = finishReason
            self.usage = usage
            self.timings = timings
            self.logprobs = logprobs
        }
    }

    public struct TokenLogprob: Codable, Sendable {
        public var id: Int32
        public var logprob: Float
        public init(id: Int32, logprob: Float) {
            self.id = id
            self.logprob = logprob
        }
    }

    /// The payload of each `delta` progress notification.
    public struct Delta: Codable, Sendable {
        public var text: String
        public var ids: [Int32]
        public init(text: String, ids: [Int32]) {
            self.text = text
            self.ids = ids
        }
    }
}

/// Token counts of a request (DESIGN.md §3 `usage`).
public struct Usage: Codable, Sendable {
    public var promptTokens: Int
    public var cachedTokens: Int
    public var completionTokens: Int
    public var droppedTurns: Int
    public init(promptTokens: Int, cachedTokens: Int = 0, completionTokens: Int, droppedTurns: Int = 0) {
        self.promptTokens = promptTokens
        self.cachedTokens = cachedTokens
        self.completionTokens = completionTokens
        self.droppedTurns = droppedTurns
    }
}

/// Where the time went (DESIGN.md §3 `timings`).
public struct Timings: Codable, Sendable {
    public var queuedMs: Double
    public var prefillMs: Double
    public var decodeMs: Double
    public var ttftMs: Double
    public var tokensPerSecond: Double
    /// Speculative decoding: tokens drafted by prompt lookup and verified, and how many of
    /// them the model confirmed (absent when none were drafted).
    public var draftedTokens: Int?
    public var acceptedDraftTokens: Int?
    public init(
        queuedMs: Double, prefillMs: Double, decodeMs: Double, ttftMs: Double, tokensPerSecond: Double, draftedTokens: Int? = nil,
        acceptedDraftTokens: Int? = nil
    ) {
        self.queuedMs = queuedMs
        self.prefillMs = prefillMs
        self.decodeMs = decodeMs
        self.ttftMs = ttftMs
        self.tokensPerSecond = tokensPerSecond
        self.draftedTokens = draftedTokens
        self.acceptedDraftTokens = acceptedDraftTokens
    }
}
