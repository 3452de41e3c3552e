/// A model's chat template (GGUF `tokenizer.chat_template`, a Jinja2 template in the Hugging
/// Face convention), parsed once and rendered per request.
///
/// Rendering matches Python's jinja2 with Hugging Face's settings: `trim_blocks`,
/// `lstrip_blocks`, no trailing newline kept, `tojson` as `json.dumps(ensure_ascii=False)`, and
/// the `raise_exception` and `strftime_now` globals. Templates may use `{% generation %}`.
///
/// ```swift
/// let template = try ChatTemplate(source)
/// let prompt = try template.render(
///     messages: [["role": "user", "content": "Hi"]],
///     addGenerationPrompt: true, bosToken: "<bos>", eosToken: "<eos>")
/// ```
public struct ChatTemplate: Sendable {
    private let nodes: [Node]

    /// Parses `source`; syntax errors name their line and column.
    public init(_ source: String) throws(TemplateError) {
        nodes = try TemplateParser.parse(source)
    }

    /// Renders with the given top-level variables.
    public func render(_ variables: [String: TemplateValue]) throws(TemplateError) -> String {
        try TemplateEvaluator(variables: variables).render(nodes)
    }

    /// Convenience for chat: messages as (role, content) plus extra fields.
    ///
    /// Sets `messages`, `add_generation_prompt`, `bos_token`, `eos_token` and `tools`. As in
    /// Hugging Face's `apply_chat_template`, `tools` (and `documents`) are `none` rather than
    /// undefined when not given; `extra` adds or overrides variables (e.g. `enable_thinking`).
    public func render(
        messages: [TemplateValue], addGenerationPrompt: Bool, bosToken: String, eosToken: String,
        tools: [TemplateValue]? = nil, extra: [String: TemplateValue] = [:]
    ) throws(TemplateError) -> String {
        var variables: [String: TemplateValue] = [
            "messages": .list(messages),
            "add_generation_prompt": .bool(addGenerationPrompt),
            "bos_token": .string(bosToken),
            "eos_token": .string(eosToken),
            "tools": tools.map { .list($0) } ?? .none,
            "documents": .none,
        ]
        for (key, value) in extra { variables[key] = value }
        return try render(variables)
    }
}
