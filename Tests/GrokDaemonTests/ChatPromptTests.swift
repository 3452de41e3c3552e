import Foundation
import GrokJSON
import GrokTemplate
import Testing

@testable import GrokDaemon

/// The chat prompt as text: Gemma's built-in turns, and real templates from model files (from
/// llama.cpp's sdist, fetched by scripts/fetch-conformance), with the system text as a system
/// message or folded into the first user message where the template refuses one.
@Suite struct ChatPromptTests {
    static func template(_ name: String) throws -> ChatTemplate {
        var cache = ProcessInfo.processInfo.environment["XDG_CACHE_HOME"] ?? ""
        if !cache.hasPrefix("/") { cache = NSHomeDirectory() + "/.cache" }
        let path = cache + "/grok/conformance/templates/" + name + ".jinja"
        let source = try #require(try? String(contentsOfFile: path, encoding: .utf8), "\(path) is missing: run scripts/fetch-conformance")
        return try ChatTemplate(source)
    }

    static var conversation: ChatPrompt {
        var prompt = ChatPrompt(message: "And 3+3?")
        prompt.profile = [("name", "Ada")]
        prompt.turns = [("user", "What is 2+2?"), ("assistant", "4.")]
        return prompt
    }

    static let system = ChatPrompt.system + "\n\nAbout the user:\n- name: Ada"

    @Test func gemmasTurnsAreBuiltIn() throws {
        var prompt = Self.conversation
        prompt.rounds = [("```tool_call\n{}\n```", "```tool_result\n6\n```")]
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
