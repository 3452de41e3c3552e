import GrokTemplate
import Testing

/// Real chat templates (see Conformance) rendered against prompts written out by hand from
/// each model family's documented format. Every expectation is a complete, exact string.
@Suite struct RealTemplateTests {
    /// The tool of `Conversations.tools` as `tojson` writes it (", " and ": " separators).
    static let toolJSON = #"{"type": "function", "function": {"name": "get_weather", "description": "Get the current weather in a city.", "parameters": {"type": "object", "properties": {"city": {"type": "string", "description": "The city name"}}, "required": ["city"]}}}"#
    static let toolResult = #"{"temperature": 18, "condition": "sunny"}"#

    // MARK: Llama 3.x

    static let llamaChat = [
        "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n",
        "Cutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n",
        "You are a helpful assistant.<|eot_id|>",
        "<|start_header_id|>user<|end_header_id|>\n\nHello!<|eot_id|>",
        "<|start_header_id|>assistant<|end_header_id|>\n\nHi there. How can I help?<|eot_id|>",
        "<|start_header_id|>user<|end_header_id|>\n\nWhat is 2+2?<|eot_id|>",
        "<|start_header_id|>assistant<|end_header_id|>\n\n",
    ].joined()

    @Test(arguments: ["meta-llama-Llama-3.1-8B-Instruct", "meta-llama-Llama-3.2-3B-Instruct", "meta-llama-Llama-3.3-70B-Instruct"])
    func llama3Chat(name: String) throws {
        let template = try Conformance.template(name)
        // Llama 3.2 asks strftime_now for today's date unless date_string is given.
        let prompt = try template.render(
            messages: Conversations.chat, addGenerationPrompt: true, bosToken: "<|begin_of_text|>", eosToken: "<|eot_id|>",
            extra: ["date_string": "26 Jul 2024"])
        #expect(prompt == Self.llamaChat)
    }

    @Test(arguments: ["meta-llama-Llama-3.1-8B-Instruct", "meta-llama-Llama-3.2-3B-Instruct"])
    func llama3Tools(name: String) throws {
        let template = try Conformance.template(name)
        let prompt = try template.render(
            messages: Conversations.toolCall, addGenerationPrompt: true, bosToken: "<|begin_of_text|>", eosToken: "<|eot_id|>",
            tools: Conversations.tools, extra: ["date_string": "26 Jul 2024"])
        // Tools go into the first user message, pretty-printed with indent=4 (`,` then newline).
        let indented = [
            "{",
            #"    "type": "function","#,
            #"    "function": {"#,
            #"        "name": "get_weather","#,
            #"        "description": "Get the current weather in a city.","#,
            #"        "parameters": {"#,
            #"            "type": "object","#,
            #"            "properties": {"#,
            #"                "city": {"#,
            #"                    "type": "string","#,
            #"                    "description": "The city name""#,
            #"                }"#,
            #"            },"#,
            #"            "required": ["#,
            #"                "city""#,
            #"            ]"#,
            #"        }"#,
            #"    }"#,
            "}",
        ].joined(separator: "\n")
        let expected = [
            "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n",
            "Environment: ipython\n",
            "Cutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n",
            "You are a helpful assistant.<|eot_id|>",
            "<|start_header_id|>user<|end_header_id|>\n\n",
            "Given the following functions, please respond with a JSON for a function call ",
            "with its proper arguments that best answers the given prompt.\n\n",
            #"Respond in the format {"name": function name, "parameters": dictionary of argument name and its value}."#,
            "Do not use variables.\n\n",
            indented, "\n\n",
            "What's the weather in Paris?<|eot_id|>",
            "<|start_header_id|>assistant<|end_header_id|>\n\n",
            #"{"name": "get_weather", "parameters": {"city": "Paris"}}<|eot_id|>"#,
            // A string result counts as iterable, so the template JSON-quotes it.
            "<|start_header_id|>ipython<|end_header_id|>\n\n",
            #""{\"temperature\": 18, \"condition\": \"sunny\"}"<|eot_id|>"#,
            "<|start_header_id|>assistant<|end_header_id|>\n\n",
        ].joined()
        #expect(prompt == expected)
    }

    // MARK: Qwen

    static let chatMLChat = [
        "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n",
        "<|im_start|>user\nHello!<|im_end|>\n",
        "<|im_start|>assistant\nHi there. How can I help?<|im_end|>\n",
        "<|im_start|>user\nWhat is 2+2?<|im_end|>\n",
        "<|im_start|>assistant\n",
    ].joined()

    static let qwenToolsSystemTail = [
        "# Tools\n\nYou may call one or more functions to assist with the user query.\n\n",
        "You are provided with function signatures within <tools></tools> XML tags:\n<tools>\n",
        toolJSON,
        "\n</tools>\n\nFor each function call, return a json object with function name and arguments ",
        "within <tool_call></tool_call> XML tags:\n<tool_call>\n",
        #"{"name": <function-name>, "arguments": <args-json-object>}"#,
        "\n</tool_call><|im_end|>\n",
    ].joined()

    static let qwenToolTurns = [
        "<|im_start|>user\nWhat's the weather in Paris?<|im_end|>\n",
        "<|im_start|>assistant\n<tool_call>\n",
        #"{"name": "get_weather", "arguments": {"city": "Paris"}}"#,
        "\n</tool_call><|im_end|>\n",
        "<|im_start|>user\n<tool_response>\n", toolResult, "\n</tool_response><|im_end|>\n",
        "<|im_start|>assistant\n",
    ].joined()

    @Test(arguments: ["Qwen-Qwen2.5-7B-Instruct", "Qwen-Qwen3-0.6B"])
    func qwenChat(name: String) throws {
        let template = try Conformance.template(name)
        let prompt = try template.render(messages: Conversations.chat, addGenerationPrompt: true, bosToken: "", eosToken: "<|im_end|>")
        #expect(prompt == Self.chatMLChat)
    }

    @Test func qwen25DefaultSystem() throws {
        let template = try Conformance.template("Qwen-Qwen2.5-7B-Instruct")
        let prompt = try template.render(messages: [["role": "user", "content": "Hi"]], addGenerationPrompt: false, bosToken: "", eosToken: "")
        #expect(prompt == "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n")
    }

    @Test(arguments: ["Qwen-Qwen2.5-7B-Instruct", "Qwen-Qwen3-0.6B"])
    func qwenTools(name: String) throws {
        let template = try Conformance.template(name)
        let prompt = try template.render(
            messages: Conversations.toolCall, addGenerationPrompt: true, bosToken: "", eosToken: "<|im_end|>", tools: Conversations.tools)
        let expected = "<|im_start|>system\nYou are a helpful assistant.\n\n" + Self.qwenToolsSystemTail + Self.qwenToolTurns
        #expect(prompt == expected)
    }

    @Test func qwen3DropsEarlierThinking() throws {
        let template = try Conformance.template("Qwen-Qwen3-0.6B")
        let messages: [TemplateValue] = [
            ["role": "user", "content": "Hi"],
            ["role": "assistant", "content": "<think>\nLet me greet.\n</think>\n\nHello!"],
            ["role": "user", "content": "Bye"],
        ]
        let prompt = try template.render(messages: messages, addGenerationPrompt: true, bosToken: "", eosToken: "")
        #expect(prompt == "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello!<|im_end|>\n<|im_start|>user\nBye<|im_end|>\n<|im_start|>assistant\n")
    }

    @Test func qwen3KeepsThinkingAfterLastQuery() throws {
        let template = try Conformance.template("Qwen-Qwen3-0.6B")
        let messages: [TemplateValue] = [
            ["role": "user", "content": "Hi"],
            ["role": "assistant", "content": "<think>\nLet me greet.\n</think>\n\nHello!"],
        ]
        let prompt = try template.render(messages: messages, addGenerationPrompt: false, bosToken: "", eosToken: "")
        #expect(prompt == "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n<think>\nLet me greet.\n</think>\n\nHello!<|im_end|>\n")
    }

    @Test func qwen3ThinkingDisabled() throws {
        let template = try Conformance.template("Qwen-Qwen3-0.6B")
        let prompt = try template.render(
            messages: [["role": "user", "content": "Hi"]], addGenerationPrompt: true, bosToken: "", eosToken: "",
            extra: ["enable_thinking": false])
        #expect(prompt == "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n")
    }

    // MARK: Mistral

    @Test func mistralNemoChat() throws {
        let template = try Conformance.template("mistralai-Mistral-Nemo-Instruct-2407")
        let prompt = try template.render(messages: Conversations.chat, addGenerationPrompt: true, bosToken: "<s>", eosToken: "</s>")
        // The system message goes into the last user turn.
        #expect(prompt == "<s>[INST]Hello![/INST]Hi there. How can I help?</s>[INST]You are a helpful assistant.\n\nWhat is 2+2?[/INST]")
    }

    @Test func mistralNemoTools() throws {
        let template = try Conformance.template("mistralai-Mistral-Nemo-Instruct-2407")
        let prompt = try template.render(
            messages: Conversations.toolCall, addGenerationPrompt: true, bosToken: "<s>", eosToken: "</s>", tools: Conversations.tools)
        let expected = [
            "<s>[AVAILABLE_TOOLS][", Self.toolJSON, "][/AVAILABLE_TOOLS]",
            "[INST]What's the weather in Paris?[/INST]",
            #"[TOOL_CALLS][{"name": "get_weather", "arguments": {"city": "Paris"}, "id": "call12345"}]</s>"#,
            #"[TOOL_RESULTS]{"content": {"temperature": 18, "condition": "sunny"}, "call_id": "call12345"}[/TOOL_RESULTS]"#,
        ].joined()
        #expect(prompt == expected)
    }

    @Test func mistralNemoRejectsBadAlternation() throws {
        let template = try Conformance.template("mistralai-Mistral-Nemo-Instruct-2407")
        let messages: [TemplateValue] = [["role": "user", "content": "a"], ["role": "user", "content": "b"]]
        #expect {
            _ = try template.render(messages: messages, addGenerationPrompt: true, bosToken: "<s>", eosToken: "</s>")
        } throws: { error in
            "\(error)" == "After the optional system message, conversation roles must alternate user/assistant/user/assistant/..."
        }
    }

    // MARK: Gemma, Phi, ChatML with tools

    @Test func gemma2Chat() throws {
        let template = try Conformance.template("google-gemma-2-2b-it")
        let prompt = try template.render(messages: Conversations.chatWithoutSystem, addGenerationPrompt: true, bosToken: "<bos>", eosToken: "<eos>")
        let expected = [
            "<bos><start_of_turn>user\nHello!<end_of_turn>\n",
            "<start_of_turn>model\nHi there. How can I help?<end_of_turn>\n",
            "<start_of_turn>user\nWhat is 2+2?<end_of_turn>\n",
            "<start_of_turn>model\n",
        ].joined()
        #expect(prompt == expected)
    }

    @Test func gemma2RejectsSystem() throws {
        let template = try Conformance.template("google-gemma-2-2b-it")
        #expect {
            _ = try template.render(messages: Conversations.chat, addGenerationPrompt: true, bosToken: "<bos>", eosToken: "<eos>")
        } throws: { error in
            "\(error)" == "System role not supported"
        }
    }

    @Test func phi35Chat() throws {
        let template = try Conformance.template("microsoft-Phi-3.5-mini-instruct")
        let prompt = try template.render(messages: Conversations.chat, addGenerationPrompt: true, bosToken: "<s>", eosToken: "<|endoftext|>")
        let expected = [
            "<|system|>\nYou are a helpful assistant.<|end|>\n",
            "<|user|>\nHello!<|end|>\n",
            "<|assistant|>\nHi there. How can I help?<|end|>\n",
            "<|user|>\nWhat is 2+2?<|end|>\n",
            "<|assistant|>\n",
        ].joined()
        #expect(prompt == expected)
        let closed = try template.render(messages: Conversations.chatWithoutSystem, addGenerationPrompt: false, bosToken: "<s>", eosToken: "<|endoftext|>")
        #expect(closed == "<|user|>\nHello!<|end|>\n<|assistant|>\nHi there. How can I help?<|end|>\n<|user|>\nWhat is 2+2?<|end|>\n<|endoftext|>")
    }

    /// ChatML with tools (Hermes 2 Pro): a recursive macro turns the JSON schema into Python types.
    @Test func hermes2ProTools() throws {
        let template = try Conformance.template("NousResearch-Hermes-2-Pro-Llama-3-8B-tool_use")
        let prompt = try template.render(
            messages: Conversations.toolCall, addGenerationPrompt: true, bosToken: "<|begin_of_text|>", eosToken: "<|im_end|>",
            tools: Conversations.tools)
        let expected = [
            "<|begin_of_text|><|im_start|>system\n",
            "You are a function calling AI model. You are provided with function signatures within <tools></tools> XML tags. ",
            "You may call one or more functions to assist with the user query. Don't make assumptions about what values to plug ",
            "into functions. Here are the available tools: <tools> ",
            #"{"type": "function", "function": {"name": "get_weather", "description": "get_weather(city: str) - Get the current weather in a city."#,
            "\n\n    Args:\n        city(str): The city name\"",
            #", "parameters": {"type": "object", "properties": {"city": {"type": "string", "description": "The city name"}}, "required": ["city"]}}"#,
            " </tools>",
            #"Use the following pydantic model json schema for each tool call you will make: {"properties": {"name": {"title": "Name", "type": "string"}, "arguments": {"title": "Arguments", "type": "object"}}, "required": ["name", "arguments"], "title": "FunctionCall", "type": "object"}}"#,
            "\nFor each function call return a json object with function name and arguments within <tool_call></tool_call> XML tags as follows:\n",
            "<tool_call>\n",
            #"{"name": <function-name>, "arguments": <args-dict>}"#, "\n",
            "</tool_call><|im_end|>\n",
            "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n",
            "<|im_start|>user\nWhat's the weather in Paris?<|im_end|>\n",
            "<|im_start|>assistant\n<tool_call>\n",
            #"{"name": "get_weather", "arguments": {"city": "Paris"}}"#,
            "\n</tool_call><|im_end|>\n",
            "<|im_start|>tool\n<tool_response>\n", Self.toolResult, "\n</tool_response><|im_end|>",
            "<|im_start|>assistant\n",
        ].joined()
        #expect(prompt == expected)
    }

    /// Every template in the cache at least parses; most render a plain conversation.
    @Test func allConformanceTemplatesParse() throws {
        let names = ["google-gemma-2-2b-it", "meta-llama-Llama-3.1-8B-Instruct", "Qwen-Qwen3-0.6B",
                     "mistralai-Mistral-Nemo-Instruct-2407", "Qwen-QwQ-32B", "HuggingFaceTB-SmolLM3-3B",
                     "deepseek-ai-DeepSeek-R1-Distill-Qwen-32B", "ibm-granite-granite-3.3-2B-Instruct", "openai-gpt-oss-120b"]
        for name in names {
            let template = try Conformance.template(name)
            let prompt = try template.render(messages: Conversations.chatWithoutSystem, addGenerationPrompt: true, bosToken: "<s>", eosToken: "</s>")
            #expect(prompt.contains("What is 2+2?"), "\(name)")
        }
    }
}
