import Foundation
import GrokTemplate

/// Real chat templates from llama.cpp's source distribution, which `scripts/fetch-conformance`
/// puts in `${XDG_CACHE_HOME:-$HOME/.cache}/grok/conformance/templates`. They are not in the
/// repository; a missing cache fails the test (it never skips) and says how to fetch it.
enum Conformance {
    struct Missing: Error, CustomStringConvertible {
        var description: String
    }

    static var directory: String {
        var cache = ProcessInfo.processInfo.environment["XDG_CACHE_HOME"] ?? ""
        if !cache.hasPrefix("/") {
            cache = (ProcessInfo.processInfo.environment["HOME"] ?? NSHomeDirectory()) + "/.cache"
        }
        return cache + "/grok/conformance/templates"
    }

    /// Loads and parses `name.jinja` from the conformance cache.
    static func template(_ name: String) throws -> ChatTemplate {
        let path = directory + "/" + name + ".jinja"
        guard let source = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw Missing(description: "conformance template \(path) is missing: run scripts/fetch-conformance")
        }
        return try ChatTemplate(source)
    }
}

/// The conversations the real-template tests render.
enum Conversations {
    static let system: TemplateValue = ["role": "system", "content": "You are a helpful assistant."]

    /// system + user + assistant + user.
    static let chat: [TemplateValue] = [
        system,
        ["role": "user", "content": "Hello!"],
        ["role": "assistant", "content": "Hi there. How can I help?"],
        ["role": "user", "content": "What is 2+2?"],
    ]

    /// The same without the system message.
    static let chatWithoutSystem = Array(chat.dropFirst())

    /// One tool with a JSON schema.
    static let tools: [TemplateValue] = [
        [
            "type": "function",
            "function": [
                "name": "get_weather",
                "description": "Get the current weather in a city.",
                "parameters": [
                    "type": "object",
                    "properties": ["city": ["type": "string", "description": "The city name"]],
                    "required": ["city"],
                ],
            ],
        ],
    ]

    /// system + user + assistant tool call + tool result.
    static let toolCall: [TemplateValue] = [
        system,
        ["role": "user", "content": "What's the weather in Paris?"],
        [
            "role": "assistant", "content": "",
            "tool_calls": [
                ["id": "call12345", "type": "function", "function": ["name": "get_weather", "arguments": ["city": "Paris"]]],
            ],
        ],
        ["role": "tool", "tool_call_id": "call12345", "name": "get_weather", "content": #"{"temperature": 18, "condition": "sunny"}"#],
    ]
}
