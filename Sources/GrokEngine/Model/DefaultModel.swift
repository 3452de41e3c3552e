import Foundation

/// The embedded default model: Gemma 3 270M, Q4_K_M, fetched by `scripts/fetch-model`.
public enum DefaultModel {
    public static let fileName = "gemma-3-270m-q4_k_m.gguf"
    public static let sha256 = "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818"

    /// `$XDG_DATA_HOME/grok/models/<file>` (XDG's default data home when unset or relative).
    public static func path(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        var data = environment["XDG_DATA_HOME"] ?? ""
        if !data.hasPrefix("/") { data = (environment["HOME"] ?? NSHomeDirectory()) + "/.local/share" }
        return data + "/grok/models/" + fileName
    }
}
