import Foundation

/// Where `scripts/fetch-parity` leaves SmolLM2-135M-Instruct in each quantisation and llama.cpp's
/// outputs on it (for the real-model tests of the engine and the daemon).
public enum SmolLM2Files {
    /// As shipped (Q4_1) and as llama-quantize requantizes it: between them every 32-element
    /// type, Q2_K (the pure mix) to Q6_K, and IQ4_NL/IQ4_XS.
    public static let variants = ["Q4_1", "Q8_0", "Q4_K_M", "Q5_K_M", "Q3_K_M", "Q2_K", "Q2_K_pure", "IQ4_XS"]

    /// The file of variant `name` ("Q4_1" is the shipped one, in the models folder).
    public static func model(_ name: String) -> String {
        let file = "SmolLM2-135M-Instruct.\(name).gguf"
        return name == "Q4_1" ? folder("XDG_DATA_HOME", ".local/share") + "/grok/models/" + file
            : folder("XDG_CACHE_HOME", ".cache") + "/grok/models-derived/" + file
    }

    /// llama.cpp's outputs on variant `name` (scripts/llamacpp-reference's JSON).
    public static func reference(_ name: String) -> String {
        referenceFolder + "/SmolLM2-135M-Instruct.\(name).json"
    }

    public static var referenceFolder: String { folder("XDG_CACHE_HOME", ".cache") + "/grok/llamacpp-reference" }

    /// An XDG folder, or its default under the home folder when unset or relative.
    static func folder(_ variable: String, _ fallback: String) -> String {
        let value = ProcessInfo.processInfo.environment[variable] ?? ""
        return value.hasPrefix("/") ? value : NSHomeDirectory() + "/" + fallback
    }
}
