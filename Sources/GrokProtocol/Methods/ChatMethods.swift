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
        /// "auto" (default: ask the retrievers, use what they find) or "off".
        public var retrieval: String?
        public var stream: Bool?
        public init(session: String? = nil, message: String, options: Generate.Options? = nil, retrieval: String? = nil, stream: Bool? = nil) {
            self.session = session
            self.message = message
            self.options = options
            self.retrieval = retrieval
            self.stream = stream
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
        public var finishReason: String
        public var usage: Usage
        public var timings: Timings
        public init(
            session: String, messageId: Int64, text: String, citations: [Citation], finishReason: String, usage: Usage, timings: Timings
        ) {
            self.session = session
            self.messageId = messageId
            self.text = text
            self.citations = citations
            self.finishReason = finishReason
            self.usage = usage
            self.timings = timings
        }
    }
}
