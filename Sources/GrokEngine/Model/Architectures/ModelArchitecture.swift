/// The model families the engine runs, by their GGUF `general.architecture` name. Each
/// family's reader (one file each in this folder) turns the file's metadata into a
/// `ModelConfig` for the shared forward pass.
public enum ModelArchitecture: String, CaseIterable, Sendable {
    case gemma3
    case llama
    case qwen2
    case qwen3

    func config(_ file: GGUFFile) throws(GGUFError) -> ModelConfig {
        switch self {
        case .gemma3: try .gemma3(file)
        case .llama: try .llama(file)
        case .qwen2: try .qwen2(file)
        case .qwen3: try .qwen3(file)
        }
    }
}
