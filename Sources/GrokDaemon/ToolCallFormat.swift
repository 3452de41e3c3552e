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
    /// The whole answer is `{"name": …, "parameters": …}`, results in an `ipython` turn
    /// (Llama 3.1 to 3.3). No marker opens a call: an answer that is one is taken as one.
    case llama3

    /// The format a chat template writes calls in; fenced for a template that knows none.
    static func of(template source: String?) -> ToolCallFormat {
        guard let source else { return .fenced }
        if source.contains("<tool_call>") { return .hermes }
        if source.contains("[TOOL_CALLS]") { return .mistral }
        if source.contains("<|python_tag|>"), source.contains("\"parameters\": ") { return .llama3 }
        return .fenced
    }

    /// What the model writes to open a call: its free text stops there, and the call is written
    /// under the grammar of the offered tools ("" where no marker opens one).
    var opening: String {
        switch self {
        case .fenced: "```tool_call"
        case .hermes: "<tool_call>"
        case .mistral: "[TOOL_CALLS]"
        case .llama3: ""
        }
    }

    /// Written by the daemon between the opening and the call's JSON object.
    var lead: String {
        switch self {
        case .fenced, .hermes: "\n"
        case .mistral: "["
        case .llama3: ""
        }
    }

    /// The start of a result: the daemon gives results, so a model that starts one has finished.
    var resultOpening: String {
        switch self {
        case .fenced: "```tool_result"
        case .hermes: "<tool_response>"
        case .mistral: "[TOOL_RESULTS]"
        case .llama3: "<|start_header_id|>ipython"
        }
    }

    /// The key of a call's arguments.
    var argumentsKey: String { self == .llama3 ? "parameters" : "arguments" }

    /// For a format without an opening marker: the call an answer consists of (its JSON text),
    /// if the whole answer is a call of one of `names`.
    func bareCall(in answer: String, names: [String]) -> String? {
        guard opening.isEmpty else { return nil }
        var text = answer.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.hasPrefix("<|python_tag|>") { text = String(text.dropFirst("<|python_tag|>".count)) }
        guard text.hasPrefix("{"), let value = try? JSONCodec.parse(string: text), let name = value["name"]?.stringValue,
            names.contains(name), value[argumentsKey] != nil || value["arguments"] != nil
        else { return nil }
        return text
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
        let id = String(format: "call%05d", index)
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
