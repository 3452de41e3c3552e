import Foundation
import GrokEngine
import GrokJSON
import GrokProtocol
import GrokTemplate
import Testing

@testable import GrokDaemon

/// The chat prompt as text: Gemma's built-in turns, and real templates from model files (from
/// llama.cpp's sdist, fetched by scripts/fetch-conformance), with the system text as a system
/// message or folded into the first user message where the template refuses one.
@Suite struct ChatPromptTests {
    static func template(_ name: String) throws -> ChatTemplate {
        let path = templatePath(name)
        let source = try #require(try? String(contentsOfFile: path, encoding: .utf8), "\(path) is missing: run scripts/fetch-conformance")
        return try ChatTemplate(source)
    }

    /// Where scripts/fetch-conformance puts llama.cpp's template `name`.
    static func templatePath(_ name: String) -> String {
        var cache = ProcessInfo.processInfo.environment["XDG_CACHE_HOME"] ?? ""
        if !cache.hasPrefix("/") { cache = NSHomeDirectory() + "/.cache" }
        return cache + "/grok/conformance/templates/" + name + ".jinja"
    }

    static var conversation: ChatPrompt {
        var prompt = ChatPrompt(message: "And 3+3?")
        prompt.profile = [("name", "Ada")]
        prompt.turns = [("user", "What is 2+2?"), ("assistant", "4.")]
        return prompt
    }

    static let system = ChatPrompt.system + "\n\nAbout the user:\n- name: Ada"

    /// A call of this turn and its plugin's text result.
    static func round(opening: String = "", text: String, name: String? = nil, arguments: JSONValue? = nil, result: String) -> ChatPrompt.Round {
        let output = ToolsCall.Result(content: [.object(["type": "text", "text": .string(result)])], isError: false)
        return ChatPrompt.Round(
            opening: opening, written: text, call: Chat.ToolCall(name: name, arguments: arguments, text: text, result: output))
    }

    /// Tools for a template that lists them itself (Qwen's `<tools>`, Mistral's `[AVAILABLE_TOOLS]`).
    static func tools(_ format: ToolCallFormat) throws -> ChatTools {
        let schema = try JSONCodec.parse(string: #"{"type":"object","properties":{"expression":{"type":"string"}},"required":["expression"]}"#)
        let tool = ToolsList.Tool(name: "calc.eval", description: "Evaluates arithmetic.", inputSchema: schema, plugin: "calc")
        return ChatTools(tools: [tool], required: false, grammar: try JSONGrammar.toolCall([(tool.name, schema)]), format: format)
    }

    /// Models trained for tools get them, their calls and results in their own format, written
    /// by their template: Qwen's `<tool_call>`/`<tool_response>`, Mistral's `[TOOL_CALLS]`/`[TOOL_RESULTS]`.
    @Test func toolCallsUseTheTemplatesNativeFormat() throws {
        let cases: [(template: String, format: ToolCallFormat, expected: [String], eos: String)] = [
            ("Qwen-Qwen2.5-7B-Instruct", .hermes,
             ["<tools>\n{\"type\": \"function\", \"function\": {\"name\": \"calc.eval\"",
              "<|im_start|>assistant\nLet me see.\n<tool_call>\n{\"name\": \"calc.eval\", \"arguments\": {\"expression\": \"3+3\"}}\n</tool_call><|im_end|>",
              "<|im_start|>user\n<tool_response>\n6\n</tool_response><|im_end|>\n<|im_start|>assistant\n"], "<|im_end|>"),
            ("Qwen-Qwen3-0.6B", .hermes, ["<tool_call>\n{\"name\": \"calc.eval\"", "<tool_response>\n6\n</tool_response>"], "<|im_end|>"),
            ("mistralai-Mistral-Nemo-Instruct-2407", .mistral,
             ["[AVAILABLE_TOOLS][{\"type\": \"function\", \"function\": {\"name\": \"calc.eval\"",
              "[TOOL_CALLS][{\"name\": \"calc.eval\", \"arguments\": {\"expression\": \"3+3\"}, \"id\": \"call00000\"}]</s>",
              "[TOOL_RESULTS]{\"content\": 6, \"call_id\": \"call00000\"}[/TOOL_RESULTS]"], "</s>"),
            ("meta-llama-Llama-3.1-8B-Instruct", .llama3,
             ["Given the following functions", "\"name\": \"calc.eval\"",
              "<|start_header_id|>assistant<|end_header_id|>\n\n{\"name\": \"calc.eval\", \"parameters\": {\"expression\": \"3+3\"}}<|eot_id|>",
              "<|start_header_id|>ipython<|end_header_id|>\n\n\"6\"<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n"], "<|eot_id|>"),
        ]
        for (name, format, expected, eos) in cases {
            let source = try String(contentsOfFile: Self.templatePath(name), encoding: .utf8)
            #expect(ToolCallFormat.of(template: source) == format, "\(name)")
            var prompt = Self.conversation
            prompt.format = .template(try ChatTemplate(source), bos: "<s>", eos: eos)
            prompt.tools = try Self.tools(format)
            #expect(prompt.tools?.instructions == nil, "the template lists the tools, not the system text")
            prompt.rounds = [
                Self.round(opening: "Let me see.\n", text: #"{"name": "calc.eval", "arguments": {"expression": "3+3"}}"#, name: "calc.eval",
                           arguments: .object(["expression": "3+3"]), result: "6"),
            ]
            let text = try prompt.render(keptTurns: 2)
            for part in expected { #expect(text.contains(part), "\(name): \(part) is missing from\n\(text)") }
            #expect(!text.contains("```tool"), "\(name)")
        }
        // Llama 3 opens calls with no marker: an answer that is a call of an offered tool is one.
        let llama = ToolCallFormat.llama3
        #expect(llama.bareCall(in: " {\"name\": \"calc.eval\", \"parameters\": {\"expression\": \"1+1\"}}\n", names: ["calc.eval"]) != nil)
        #expect(llama.bareCall(in: "<|python_tag|>{\"name\": \"calc.eval\", \"parameters\": {}}", names: ["calc.eval"]) != nil)
        #expect(llama.bareCall(in: "{\"name\": \"rm\", \"parameters\": {}}", names: ["calc.eval"]) == nil)
        #expect(llama.bareCall(in: "The answer is {\"name\": \"calc.eval\"}", names: ["calc.eval"]) == nil)
        #expect(ToolCallFormat.hermes.bareCall(in: "{\"name\": \"calc.eval\", \"arguments\": {}}", names: ["calc.eval"]) == nil)
        // Templates without a call format (Gemma's) keep the fenced blocks.
        #expect(ToolCallFormat.of(template: try String(contentsOfFile: Self.templatePath("google-gemma-2-2b-it"), encoding: .utf8)) == .fenced)
    }

    @Test func gemmasTurnsAreBuiltIn() throws {
        var prompt = Self.conversation
        prompt.rounds = [Self.round(text: "{}", result: "6")]
        prompt.answerPrefix = "So"
        #expect(try prompt.render(keptTurns: 2) == """
            <start_of_turn>user
            \(Self.system)

            What is 2+2?<end_of_turn>
            <start_of_turn>model
            4.<end_of_turn>
            <start_of_turn>user
            And 3+3?<end_of_turn>
            <start_of_turn>model
            ```tool_call
            {}
            ```<end_of_turn>
            <start_of_turn>user
            ```tool_result
            6
            ```<end_of_turn>
            <start_of_turn>model
            So
            """)
        // Turns dropped for the budget go as whole exchanges.
        #expect(try prompt.render(keptTurns: 1).hasPrefix("<start_of_turn>user\n\(Self.system)\n\nAnd 3+3?<end_of_turn>"))
    }

    @Test func aTemplateWithASystemRoleGetsASystemMessage() throws {
        var prompt = Self.conversation
        prompt.format = .template(try Self.template("Qwen-Qwen2.5-7B-Instruct"), bos: "", eos: "<|im_end|>")
        #expect(try prompt.render(keptTurns: 2) == """
            <|im_start|>system
            \(Self.system)<|im_end|>
            <|im_start|>user
            What is 2+2?<|im_end|>
            <|im_start|>assistant
            4.<|im_end|>
            <|im_start|>user
            And 3+3?<|im_end|>
            <|im_start|>assistant

            """)
    }

    @Test func aTemplateThatRefusesASystemRoleGetsItFolded() throws {
        var prompt = Self.conversation
        prompt.format = .template(try Self.template("google-gemma-2-2b-it"), bos: "<bos>", eos: "<eos>")
        #expect(try prompt.render(keptTurns: 0) == """
            <bos><start_of_turn>user
            \(Self.system)

            And 3+3?<end_of_turn>
            <start_of_turn>model

            """)
    }

    @Test func aTemplateThatFailsIsAnError() throws {
        var prompt = Self.conversation
        prompt.format = .template(try ChatTemplate("{{ raise_exception('no chat here') }}"), bos: "", eos: "")
        #expect {
            _ = try prompt.render(keptTurns: 2)
        } throws: { error in
            "\(error)".contains("no chat here")
        }
    }
}
