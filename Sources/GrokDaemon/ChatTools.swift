import GrokEngine
import GrokJSON
import GrokProtocol
import GrokRPC

/// The tools a chat turn offers the model, and how calls and results look in its prompt.
///
/// A call opens as the model's format has it (`ToolCallFormat`): a "```tool_call" fence for
/// models without tool tokens (Gemma), `<tool_call>` or `[TOOL_CALLS]` for those trained on
/// them. From there the sampler follows the grammar of a call (`{"name": …, "arguments": …}`
/// of one of the offered tools), so even a small model writes a call that parses and fits the
/// tool's schema. The result goes back in the same format.
struct ChatTools {
    /// Rounds of calls before the model must answer without tools.
    static let maximumRounds = 4
    /// A tool result longer than this is cut (and says so) before it goes into the prompt.
    static let resultCharacters = 4000

    let tools: [ToolsList.Tool]
    /// The answer must start with a call (`toolChoice: "required"`).
    let required: Bool
    let grammar: JSONGrammar
    let format: ToolCallFormat

    /// The tools `params` offers (nil for none), checked against what is loaded, for a model
    /// writing calls in `format`.
    static func offer(_ params: Chat.Params, available: [ToolsList.Tool], format: ToolCallFormat) throws -> ChatTools? {
        let choice = params.toolChoice ?? "auto"
        guard choice == "auto" || choice == "required" else {
            throw RPCError.invalidParams("toolChoice is auto or required", field: "toolChoice")
        }
        let chosen: [ToolsList.Tool]
        switch params.tools {
        case nil, .string("none")?:
            guard choice == "auto" else { throw RPCError.invalidParams("toolChoice required needs tools", field: "toolChoice") }
            return nil
        case .string("auto")?:
            chosen = available
        case .array(let names)?:
            var picked: [ToolsList.Tool] = []
            for name in names {
                guard let name = name.stringValue else { throw RPCError.invalidParams("tools lists tool names", field: "tools") }
                guard let tool = available.first(where: { $0.name == name }) else {
                    throw RPCError.invalidParams("no tool named \(name) is loaded (tools.list)", field: "tools")
                }
                picked.append(tool)
            }
            chosen = picked
        default:
            throw RPCError.invalidParams("tools is \"none\", \"auto\" or a list of tool names", field: "tools")
        }
        guard !chosen.isEmpty else {
            if choice == "required" { throw RPCError.invalidParams("no tools are loaded to require a call of", field: "tools") }
            return nil
        }
        do {
            let grammar = try JSONGrammar.toolCall(chosen.map { ($0.name, $0.inputSchema) }, argumentsKey: format.argumentsKey)
            return ChatTools(tools: chosen, required: choice == "required", grammar: grammar, format: format)
        } catch {
            throw RPCError.invalidParams("a tool's input schema cannot be used: \(error.description)", field: "tools")
        }
    }

    /// What the system text says about the tools (nil where the chat template lists them).
    var instructions: String? {
        guard !format.isNative else { return nil }
        var text = """
            You can call tools. To call one, write only a block like this, with nothing after it:
            \(ToolCallFormat.fenced.opening)
            {"name": "<tool name>", "arguments": {<arguments>}}
            ```
            Its result comes back in a ```tool_result block; then answer the user with it.
            Tools:
            """
        for tool in tools {
            let schema = (try? JSONCodec.encodeToString(tool.inputSchema)) ?? "{}"
            text += "\n- \(tool.name): \(tool.description) Arguments (JSON Schema): \(schema)"
        }
        return text
    }

    /// The call as it stays in the conversation (fenced format).
    static func callBlock(_ json: String) -> String { "\(ToolCallFormat.fenced.opening)\n\(json)\n```" }

    /// The result block for the model (fenced format).
    static func resultBlock(_ call: Chat.ToolCall) -> String {
        "\(ToolCallFormat.fenced.resultOpening)\n\(resultText(call))\n```"
    }

    /// A call's result as text for the model: the plugin's text, or its error.
    static func resultText(_ call: Chat.ToolCall) -> String {
        var body: String
        if let error = call.error {
            body = "error: \(error)"
        } else if let result = call.result {
            let texts = result.content.compactMap { $0["text"]?.stringValue }
            body = texts.isEmpty ? ((try? JSONCodec.encodeToString(result.structuredContent ?? .array(result.content))) ?? "") : texts.joined(separator: "\n")
            if result.isError { body = "error: " + body }
        } else {
            body = "no result"
        }
        if body.count > resultCharacters { body = String(body.prefix(resultCharacters)) + " …(cut)" }
        return body
    }

    static let cutOffError = "the call was cut off by maxTokens"

    /// The call the model wrote: its name and arguments, or what is wrong with it.
    static func parse(_ text: String, finish: GenerationResult.FinishReason, argumentsKey: String = "arguments") -> Chat.ToolCall {
        guard finish != .length else {
            return Chat.ToolCall(name: nil, arguments: nil, text: text, error: cutOffError)
        }
        guard let value = try? JSONCodec.parse(string: text), let name = value["name"]?.stringValue else {
            return Chat.ToolCall(name: nil, arguments: nil, text: text, error: "the call is not {\"name\": …, \"arguments\": …}")
        }
        return Chat.ToolCall(name: name, arguments: value[argumentsKey] ?? value["arguments"] ?? .object([:]), text: text)
    }
}

extension Chat.ToolCall {
    /// The model ran out of tokens while writing it.
    var cutOff: Bool { error == ChatTools.cutOffError }
}
