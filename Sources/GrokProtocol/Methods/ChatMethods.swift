import GrokJSON

/// `chat {session?, message, options?, retrieval?, stream?}`: one turn of a conversation. Creates
/// a session when none is given, answers in context (the session's recent turns, the user's
/// preferences, retrieved passages) and stores both turns.
public enum Chat: RPCMethod {
    public static let name = "chat"

    public struct Params: Codable, Sendable, StreamableParams {
        public var session: String?
        public var message: String
        public var options: Generate.Options?
        /// "auto" (default: ask every retriever for 3 passages, use what they find), "off", or
        /// `{k, sources}`: how many passages (1–20), from which plugins' retrievers.
        public var retrieval: JSONValue?
        /// Tools offered to the model: "none" (default), "auto" (every tool of `tools.list`) or
        /// a list of tool names.
        public var tools: JSONValue?
        /// "auto" (default: the model decides) or "required" (the answer starts with a call).
        public var toolChoice: String?
        /// The model to use (a name in the models folder, or a path); absent: the default.
        public var model: String?
        public var stream: Bool?
        public init(
            session: String? = nil, message: String, options: Generate.Options? = nil, retrieval: JSONValue? = nil,
            tools: JSONValue? = nil, toolChoice: String? = nil, stream: Bool? = nil
        ) {
            self.session = session
            self.message = message
            self.options = options
            self.retrieval = retrieval
            self.tools = tools
            self.toolChoice = toolChoice
            self.stream = stream
        }
    }

    /// A tool call the model made, and what came of it. A call that could not be made (bad
    /// JSON, unknown tool, arguments against the schema, a failing plugin) has `error`; the
    /// model is told so, and the call is still reported.
    public struct ToolCall: Codable, Sendable {
        public var name: String?
        public var arguments: JSONValue?
        /// The call as the model wrote it.
        public var text: String
        public var result: ToolsCall.Result?
        public var error: String?
        public init(name: String?, arguments: JSONValue?, text: String, result: ToolsCall.Result? = nil, error: String? = nil) {
            self.name = name
            self.arguments = arguments
            self.text = text
            self.result = result
            self.error = error
        }
    }

    /// A passage that went into the answer's context, numbered as the prompt cites it.
    public struct Citation: Codable, Sendable, Equatable {
        public var number: Int
        public var citation: String
        public var source: String
        public var retriever: String
        public init(number: Int, citation: String, source: String, retriever: String) {
            self.number = number
            self.citation = citation
            self.source = source
            self.retriever = retriever
        }
    }

    public struct Result: Codable, Sendable {
        public var session: String
        /// The stored assistant message.
        public var messageId: Int64
        public var text: String
        public var citations: [Citation]
        /// The tool calls made on the way to the answer, in order.
        public var toolCalls: [ToolCall]?
        public var finishReason: String
        public var usage: Usage
        public var timings: Timings
        public init(
            session: String, messageId: Int64, text: String, citations: [Citation], toolCalls: [ToolCall]? = nil, finishReason: String,
            usage: Usage, timings: Timings
        ) {
            self.session = session
            self.messageId = messageId
            self.text = text
            self.citations = citations
            self.toolCalls = toolCalls
            self.finishReason = finishReason
            self.usage = usage
            self.timings = timings
        }
    }
}

/// `chat.prompt {…chat's params}` → the prompt `chat` would send the model, as text, with its
/// token count, the turns left out for the budget and the passages cited — without running the
/// model or storing anything (nor creating a session).
public enum ChatPromptPreview: RPCMethod {
    public static let name = "chat.prompt"
    public typealias Params = Chat.Params

    public struct Result: Codable, Sendable {
        public var prompt: String
        public var promptTokens: Int
        public var droppedTurns: Int
        public var citations: [Chat.Citation]
        public init(prompt: String, promptTokens: Int, droppedTurns: Int, citations: [Chat.Citation]) {
            self.prompt = prompt
            self.promptTokens = promptTokens
            self.droppedTurns = droppedTurns
            self.citations = citations
        }
    }
}
