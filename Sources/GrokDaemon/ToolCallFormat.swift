import Foundation
import GrokJSON
import GrokProtocol
import GrokTemplate

/// How a model writes a tool call and reads its result.
///
/// Models trained for tools have their own format, which their chat template knows: the
/// template lists the tools (`tools`), writes earlier calls (`tool_calls` of an assistant
/// message) and results (`tool` messages). Other models (Gemma, base models) get the built-in
/// fenced blocks, explained in the system text.
enum ToolCallFormat: Sendable, Equatable {
    /// "```tool_call" … "```", results in "```tool_result" blocks of a user turn.
    case fenced
    /// `<tool_call>{"name": …, "arguments": …}</tool_call>`, results in `<tool_response>`
    /// (Qwen 2.5 and 3, Hermes, and the templates that copied them).
    case hermes
    /// `[TOOL_CALLS][{"name": …, "arguments": …, "id": …}]`, results in `[TOOL_RESULTS]` (Mistral).
    case mistral

    /// The format a chat template writes calls in; fenced for a template that knows none.
    static func of(template source: String?) -> ToolCallFormat {
        guard let source else { return .fenced }
        if source.contains("<tool_call>") { return .hermes }
        if source.contains("[TOOL_CALLS]") { return .mistral }
        return .fenced
    }

    /// What the model writes to open a call: its free text stops there, and the call is written
    /// under the grammar of the offered tools.
    var opening: String {
        switch self {
        case .fenced: "```tool_call"
        case .hermes: "<tool_call>"
        case .mistral: "[TOOL_CALLS]"
        }
    }

    /// Written by the daemon between the opening and the call's JSON object.
    var lead: String {
        switch self {
        case .fenced, .hermes: "\n"
        case .mistral: "["
        }
    }

    /// The start of a result: the daemon gives results, so a model that starts one has finished.
    var resultOpening: String {
        switch self {
        case .fenced: "```tool_result"
        case .hermes: "<tool_response>"
        case .mistral: "[TOOL_RESULTS]"
        }
    }

    /// Whether the chat template lists the tools and writes calls and results itself.
    var isNative: Bool { self != .fenced }

    /// The tools in the shape templates expect (OpenAI's function tools).
    static func templateTools(_ tools: [ToolsList.Tool]) -> [TemplateValue] {
        tools.map { tool in
            .object([
                ("type", "function"),
                ("function", .object([
                    ("name", .string(tool.name)), ("description", .string(tool.description)),
                    ("parameters", templateValue(tool.inputSchema)),
                ])),
            ])
        }
    }

    /// The assistant message holding a call (with the text the model wrote before it), and the
    /// `tool` message with its result. Mistral's templates insist on nine-character call ids.
    static func templateMessages(opening: String, call: Chat.ToolCall, result: String, index: Int) -> [TemplateValue] {
        let id = "call" + String(String(index + 100_000).suffix(5))
        let function = TemplateValue.object([
            ("name", .string(call.name ?? "")), ("arguments", templateValue(call.arguments ?? .object([:]))),
        ])
        return [
            .object([
                ("role", "assistant"), ("content", .string(opening.trimmingCharacters(in: .whitespacesAndNewlines))),
                ("tool_calls", .list([.object([("id", .string(id)), ("type", "function"), ("function", function)])])),
            ]),
            .object([("role", "tool"), ("name", .string(call.name ?? "")), ("tool_call_id", .string(id)), ("content", .string(result))]),
        ]
    }

    /// A JSON value as a template value (object keys keep their order).
    static func templateValue(_ value: JSONValue) -> TemplateValue {
        switch value {
        case .null: .none
        case .bool(let b): .bool(b)
        case .int(let i): .int(Int(i))
        case .double(let d): .double(d)
        case .string(let s): .string(s)
        case .array(let items): .list(items.map(templateValue))
        case .object(let fields): .object(fields.map { ($0.key, templateValue($0.value)) })
        }
    }
}
