/// The pre-tokenizer names found in GGUF files (`tokenizer.ggml.pre`), and the rules each
/// stands for: the splitting expressions of the model's `tokenizer.json` as llama.cpp applies
/// them, and the settings that come with the name in llama.cpp (`clean_spaces`,
/// `ignore_merges`, BOS by default).
///
/// Left out, and so refused by name: the SentencePiece-style BPE names (`gemma4`, `mmbert`,
/// `sarvam-moe`, `granite-embed-multi-311m`) and `whitespace`, which merge raw UTF-8 rather
/// than byte-level text; and `kimi-k2`, `afmoe`, `tiny_aya`/`cohere2moe` and `exaone-moe`, whose
/// splitting llama.cpp writes as custom code or nested repetitions not covered here.
enum PreTokenizerCatalog {
    struct Entry: Sendable {
        let steps: [PreTokenizer.Step]
        var ignoreMerges = false
        var cleanSpaces = true
        var addsBOS = false
    }

    /// The entry for a name, or nil if the name is not one of ours.
    static func entry(for name: String) -> Entry? {
        switch name {
        case "default":
            Entry(steps: PreTokenizerSteps.standard)
        case "llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2", "jina-v5-nano":
            Entry(steps: PreTokenizerSteps.llama3, ignoreMerges: true, addsBOS: true)
        case "dbrx", "smaug-bpe", "chatglm-bpe":
            Entry(steps: PreTokenizerSteps.llama3)
        case "glm4", "glm5":
            Entry(steps: PreTokenizerSteps.llama3, ignoreMerges: true)
        case "jais-2":
            Entry(steps: PreTokenizerSteps.jais2)
        case "minicpm5":
            Entry(steps: PreTokenizerSteps.minicpm5, ignoreMerges: true)
        case "qwen2", "deepseek-r1-qwen", "kormo", "f2llmv2", "hunyuan", "solar-open", "grok-2":
            Entry(steps: PreTokenizerSteps.qwen2, cleanSpaces: false)
        case "stablelm2", "megrez":
            Entry(steps: PreTokenizerSteps.qwen2)
        case "qwen35":
            Entry(steps: PreTokenizerSteps.qwen35, cleanSpaces: false)
        case "ufakzeka":
            Entry(steps: PreTokenizerSteps.ufakzeka, cleanSpaces: false)
        case "laguna":
            Entry(steps: PreTokenizerSteps.laguna, cleanSpaces: false)
        case "gpt-2", "phi-2", "jina-es", "jina-de", "gigachat", "jina-v2-es", "jina-v2-de", "a.x-4.0", "mellum",
             "modern-bert", "mpt", "olmo", "jais", "exaone4", "jina-v1-en", "jina-v2-code", "roberta-bpe":
            Entry(steps: PreTokenizerSteps.gpt2)
        case "trillion", "granite-docling":
            Entry(steps: PreTokenizerSteps.gpt2, cleanSpaces: false)
        case "starcoder", "refact", "codeshell", "exaone", "minerva-7b", "mellum2":
            Entry(steps: PreTokenizerSteps.singleDigits)
        case "command-r", "smollm":
            Entry(steps: PreTokenizerSteps.singleDigits, cleanSpaces: false)
        case "falcon":
            Entry(steps: PreTokenizerSteps.falcon)
        case "deepseek-llm":
            Entry(steps: PreTokenizerSteps.deepseekLLM, cleanSpaces: false)
        case "deepseek-coder":
            Entry(steps: PreTokenizerSteps.deepseekCoder, cleanSpaces: false)
        case "deepseek-v3", "hunyuan-dense", "joyai-llm", "hy_v4":
            Entry(steps: PreTokenizerSteps.deepseekV3, cleanSpaces: false)
        case "spark2_5":
            Entry(steps: PreTokenizerSteps.spark, cleanSpaces: false)
        case "youtu":
            Entry(steps: PreTokenizerSteps.youtu, ignoreMerges: true, cleanSpaces: false)
        case "gpt-4o", "llama4", "kanana2", "talkie", "minimax-m2":
            Entry(steps: PreTokenizerSteps.gpt4o, cleanSpaces: false)
        case "granite-embed-multi-97m":
            Entry(steps: PreTokenizerSteps.graniteMultilingual, ignoreMerges: true, cleanSpaces: false)
        case "tekken":
            Entry(steps: PreTokenizerSteps.tekken, ignoreMerges: true, cleanSpaces: false, addsBOS: true)
        case "bloom", "gpt3-finnish":
            Entry(steps: PreTokenizerSteps.bloom)
        case "poro-chat":
            Entry(steps: PreTokenizerSteps.bloom, cleanSpaces: false)
        case "viking":
            Entry(steps: PreTokenizerSteps.viking, cleanSpaces: false)
        case "chameleon":
            Entry(steps: PreTokenizerSteps.chameleon, cleanSpaces: false, addsBOS: true)
        case "superbpe":
            Entry(steps: PreTokenizerSteps.superBPE, cleanSpaces: false)
        case "bailingmoe", "bailingmoe2", "llada-moe":
            Entry(steps: PreTokenizerSteps.bailing, cleanSpaces: false)
        case "seed-coder":
            Entry(steps: PreTokenizerSteps.seedCoder, cleanSpaces: false)
        default:
            nil
        }
    }

    /// Every name `entry(for:)` knows (for tests).
    static let names: [String] = [
        "default", "llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2",
        "jina-v5-nano", "dbrx", "smaug-bpe", "chatglm-bpe", "glm4", "glm5", "jais-2", "minicpm5", "qwen2",
        "deepseek-r1-qwen", "kormo", "f2llmv2", "hunyuan", "solar-open", "grok-2", "stablelm2", "megrez", "qwen35",
        "ufakzeka", "laguna", "gpt-2", "phi-2", "jina-es", "jina-de", "gigachat", "jina-v2-es", "jina-v2-de",
        "a.x-4.0", "mellum", "modern-bert", "mpt", "olmo", "jais", "exaone4", "jina-v1-en", "jina-v2-code",
        "roberta-bpe", "trillion", "granite-docling", "starcoder", "refact", "codeshell", "exaone", "minerva-7b",
        "mellum2", "command-r", "smollm", "falcon", "deepseek-llm", "deepseek-coder", "deepseek-v3",
        "hunyuan-dense", "joyai-llm", "hy_v4", "spark2_5", "youtu", "gpt-4o", "llama4", "kanana2", "talkie",
        "minimax-m2", "granite-embed-multi-97m", "tekken", "bloom", "gpt3-finnish", "poro-chat", "viking",
        "chameleon", "superbpe", "bailingmoe", "bailingmoe2", "llada-moe", "seed-coder",
    ]
}
