/// How a byte-level BPE model cuts text into words before merging (GGUF `tokenizer.ggml.pre`).
///
/// A pre-tokenizer is a list of steps, each applied to every piece the previous one left (what
/// a step does not match stays a piece of its own), as llama.cpp applies a model's regular
/// expressions in turn. The common expressions (GPT-2's, Llama 3's and Qwen's) are hand-written
/// scanners, as in llama.cpp; the others run through `SplitMatcher` with the semantics of the
/// `std::regex` that llama.cpp falls back to. `PreTokenizerCatalog` maps names to steps.
struct PreTokenizer: Sendable {
    enum Step: Sendable {
        /// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`
        case gpt2
        /// `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
        /// with `\p{N}{1,maxDigits}`; with `marks`, combining marks count as letters (Qwen 3.5).
        case llama3(maxDigits: Int, marks: Bool)
        /// Any other expression.
        case expression(SplitExpression)
    }

    let name: String
    let steps: [Step]
    /// A word that is a token as a whole is taken without merging (Llama 3).
    let ignoreMerges: Bool
    /// Decoding removes spaces before punctuation and some contractions (llama.cpp's
    /// `clean_spaces`, like Hugging Face's `clean_up_tokenization_spaces`).
    let cleanSpaces: Bool
    /// Whether BOS is added when the file does not say (`tokenizer.ggml.add_bos_token`).
    let addsBOSByDefault: Bool

    /// The pre-tokenizer llama.cpp uses for a `tokenizer.ggml.pre` name; nil if unknown here.
    init?(name: String) {
        guard let entry = PreTokenizerCatalog.entry(for: name) else { return nil }
        self.name = name
        steps = entry.steps
        ignoreMerges = entry.ignoreMerges
        cleanSpaces = entry.cleanSpaces
        addsBOSByDefault = entry.addsBOS
    }

    /// Cuts `text` (its scalars and their classes) into words; returns where each word ends,
    /// as scalar indices, in order.
    func split(_ text: ScalarText) -> [Int] {
        var ends = [text.count]
        // Units for the expressions, made once per kind of view and only when needed.
        var collapsedUnits: [UInt32]?
        var wideUnits: [UInt32]?
        for step in steps {
            var result: [Int] = []
            result.reserveCapacity(ends.count * 2 + text.count / 3)
            var start = 0
            for end in ends where end > start {
                switch step {
                case .gpt2:
                    WordScanner(text: text, start: start, end: end).gpt2(into: &result)
                case .llama3(let maxDigits, let marks):
                    WordScanner(text: text, start: start, end: end).llama3(maxDigits: maxDigits, marks: marks, into: &result)
                case .expression(let expression):
                    let units: [UInt32]
                    if expression.collapsed {
                        if collapsedUnits == nil { collapsedUnits = SplitUnits.units(text, collapsed: true) }
                        units = collapsedUnits!
                    } else {
                        if wideUnits == nil { wideUnits = SplitUnits.units(text, collapsed: false) }
                        units = wideUnits!
                    }
                    SplitMatcher(units: units, end: end).split(expression, from: start, into: &result)
                }
                start = end
            }
            ends = result
        }
        return ends
    }
}
