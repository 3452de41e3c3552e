/// How a byte-level BPE model cuts text into words before merging (GGUF `tokenizer.ggml.pre`).
///
/// Each kind stands for the regular expression(s) of the model's `tokenizer.json`, written here
/// as a scanner over Unicode scalars that gives the same words as llama.cpp: its hand-written
/// splitters for GPT-2 and Llama 3, and, for the others, what `std::regex` makes of the
/// expression on its "collapsed" text (every non-ASCII scalar reduced to its category).
struct PreTokenizer: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        /// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`
        case gpt2
        /// `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
        case llama3
        /// Llama 3's expression with single digits (`\p{N}` for `\p{N}{1,3}`).
        case qwen2
        /// llama.cpp's fallback: punctuation runs, then GPT-2's expression, then number runs,
        /// then ASCII digits by threes.
        case standard
    }

    let name: String
    let kind: Kind
    /// A word that is a token as a whole is taken without merging (Llama 3).
    let ignoreMerges: Bool
    /// Decoding removes spaces before punctuation and some contractions (llama.cpp's
    /// `clean_spaces`, like Hugging Face's `clean_up_tokenization_spaces`).
    let cleanSpaces: Bool
    /// Whether BOS is added when the file does not say (`tokenizer.ggml.add_bos_token`).
    let addsBOSByDefault: Bool

    /// The pre-tokenizer llama.cpp uses for a `tokenizer.ggml.pre` name; nil if unknown here.
    /// Only names whose expression is one of the kinds above are listed.
    init?(name: String) {
        self.name = name
        let kind: Kind
        var ignoreMerges = false, cleanSpaces = true, addsBOS = false
        switch name {
        case "default":
            kind = .standard
        case "llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2", "jina-v5-nano":
            kind = .llama3
            ignoreMerges = true
            addsBOS = true
        case "dbrx", "smaug-bpe":
            kind = .llama3
        case "qwen2", "deepseek-r1-qwen", "kormo", "f2llmv2", "hunyuan", "solar-open", "grok-2":
            kind = .qwen2
            cleanSpaces = false
        case "stablelm2", "megrez":
            kind = .qwen2
        case "gpt-2", "phi-2", "jina-es", "jina-de", "gigachat", "jina-v2-es", "jina-v2-de", "a.x-4.0", "mellum",
             "modern-bert", "mpt", "olmo", "jais", "exaone4", "jina-v1-en", "jina-v2-code", "roberta-bpe":
            kind = .gpt2
        case "trillion", "granite-docling":
            kind = .gpt2
            cleanSpaces = false
        default:
            return nil
        }
        self.kind = kind
        self.ignoreMerges = ignoreMerges
        self.cleanSpaces = cleanSpaces
        self.addsBOSByDefault = addsBOS
    }

    /// Cuts `text` (its scalars and their classes) into words; returns where each word ends,
    /// as scalar indices, in order.
    func split(_ text: ScalarText) -> [Int] {
        var ends: [Int] = []
        ends.reserveCapacity(text.count / 3 + 1)
        switch kind {
        case .gpt2:
            WordScanner(text: text, start: 0, end: text.count).gpt2(into: &ends)
        case .llama3:
            WordScanner(text: text, start: 0, end: text.count).llama3(maxDigits: 3, into: &ends)
        case .qwen2:
            WordScanner(text: text, start: 0, end: text.count).llama3(maxDigits: 1, into: &ends)
        case .standard:
            ends = Self.standard(text)
        }
        return ends
    }

    /// llama.cpp applies its four expressions in turn, each to the pieces the previous one left
    /// (what an expression does not match stays a piece of its own).
    private static func standard(_ text: ScalarText) -> [Int] {
        var ends = [text.count]
        ends = refine(text, ends) { scanner, out in scanner.runs(of: isPunctuationOrSymbol, into: &out) }
        ends = refine(text, ends) { scanner, out in scanner.gpt2(into: &out) }
        ends = refine(text, ends) { scanner, out in scanner.runs(of: isNumber, into: &out) }
        ends = refine(text, ends) { scanner, out in scanner.asciiDigitTriples(into: &out) }
        return ends
    }

    private static func refine(_ text: ScalarText, _ ends: [Int], _ body: (WordScanner, inout [Int]) -> Void) -> [Int] {
        var result: [Int] = []
        result.reserveCapacity(ends.count * 2)
        var start = 0
        for end in ends where end > start {
            body(WordScanner(text: text, start: start, end: end), &result)
            start = end
        }
        return result
    }

    /// `[\p{P}\$\+<=>\^~\|]` on llama.cpp's collapsed text: ASCII punctuation and symbols but
    /// the backtick, and non-ASCII punctuation.
    private static func isPunctuationOrSymbol(_ scalar: UInt32, _ cls: ScalarClass) -> Bool {
        if scalar < 128 { return scalar != 0x60 && !cls.isDisjoint(with: [.punctuation, .symbol]) }
        return cls == .punctuation
    }

    /// `\p{N}` on the collapsed text: ASCII digits and non-ASCII numbers.
    private static func isNumber(_ scalar: UInt32, _ cls: ScalarClass) -> Bool {
        scalar < 128 ? (0x30...0x39).contains(scalar) : cls == .number
    }
}
