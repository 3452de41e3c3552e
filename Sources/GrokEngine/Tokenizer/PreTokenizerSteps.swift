/// The splitting steps of each family of pre-tokenizers: the expressions of the models'
/// `tokenizer.json` files in the form llama.cpp runs them (where it rewrote one, for instance
/// case-insensitive contractions spelled out, or "an uppercase letter" as a lookahead because
/// its collapsed text cannot tell cases apart outside ASCII, the rewrite is what counts).
/// Compiled once, on first use.
enum PreTokenizerSteps {
    typealias Step = PreTokenizer.Step

    private static func expression(_ pattern: String) -> Step { .expression(SplitExpression(pattern)) }

    /// `'s 't 're 've 'm 'll 'd` in either case.
    private static let contractions = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])"
    /// A letter that is not an ASCII lowercase one / not an ASCII uppercase one.
    private static let upper = "(?:(?=\\p{L})[^a-z])"
    private static let lower = "(?:(?=\\p{L})[^A-Z])"
    /// Han (the unified block as the models list it), kana.
    private static let hanAndKana = "[\\u{4E00}-\\u{9FA5}\\u{3040}-\\u{309F}\\u{30A0}-\\u{30FF}]+"
    /// Han, Samaritan to Han (as DeepSeek lists it), Hangul.
    private static let deepseekCJK = "[\\u{4E00}-\\u{9FA5}\\u{800}-\\u{4E00}\\u{AC00}-\\u{D7FF}]+"
    /// Anything but whitespace and `| ( ) . , ! ? …` and CJK/Devanagari/Arabic full stops and commas.
    private static let bloomWords = " ?[^(\\s|.,!?\\u{2026}\\u{3002}\\u{FF0C}\\u{3001}\\u{964}\\u{6D4}\\u{60C})]+"

    static let gpt2: [Step] = [.gpt2]
    static let llama3: [Step] = [.llama3(maxDigits: 3, marks: false)]
    static let qwen2: [Step] = [.llama3(maxDigits: 1, marks: false)]
    static let qwen35: [Step] = [.llama3(maxDigits: 1, marks: true)]

    /// llama.cpp's fallback for an unnamed pre-tokenizer: punctuation runs, GPT-2's expression,
    /// number runs, ASCII digits by threes.
    static let standard: [Step] = [
        expression("[\\p{P}\\$\\+<=>\\^~\\|]+"), .gpt2, expression("\\p{N}+"), expression("[0-9][0-9][0-9]"),
    ]

    /// StarCoder, Refact, Command-R, SmolLM, CodeShell, EXAONE, Minerva, Mellum 2: every digit
    /// alone, then GPT-2's expression.
    static let singleDigits: [Step] = [expression("\\p{N}"), .gpt2]

    static let falcon: [Step] = [
        expression("[\\p{P}\\$\\+<=>\\^~\\|`]+"), .gpt2, expression("[0-9][0-9][0-9]"),
    ]

    static let jais2: [Step] = [expression(
        contractions + "|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+"
            + "|\\s{512}(?!\\S)|\\s{256}(?!\\S)|\\s{128}(?!\\S)|\\s{64}(?!\\S)|\\s{32}(?!\\S)|\\s{16}(?!\\S)"
            + "|\\s{8}(?!\\S)|\\s{4}(?!\\S)|\\s{1,2}(?!\\S)|\\s{1}")]

    static let minicpm5: [Step] = [
        expression("\\p{N}{1,3}"),
        expression(contractions + "|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}+| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"),
    ]

    /// Qwen 2's expression without the contractions (Turkish suffixes after an apostrophe stay).
    static let ufakzeka: [Step] = [
        expression("[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"),
    ]

    static let laguna: [Step] = [expression("[^\\n]+|[\\n]+"), .llama3(maxDigits: 1, marks: false)]

    static let deepseekLLM: [Step] = [
        expression("[\\r\\n]"),
        expression("\\s?[A-Za-z\\u{B5}\\u{C0}-\\u{D6}\\u{D8}-\\u{F6}\\u{F8}-\\u{1BA}\\u{1BC}-\\u{1BF}\\u{1C4}-\\u{293}"
            + "\\u{295}-\\u{2AF}\\u{370}-\\u{373}\\u{376}\\u{377}\\u{37B}-\\u{37D}\\u{37F}\\u{386}\\u{388}-\\u{38A}"
            + "\\u{38C}\\u{38E}-\\u{3A1}\\u{3A3}-\\u{3F5}\\u{3F7}-\\u{481}\\u{48A}-\\u{52F}\\u{531}-\\u{556}"
            + "\\u{10A0}-\\u{10C5}\\u{13A0}-\\u{13F5}\\u{13F8}-\\u{13FD}\\u{1C90}-\\u{1CBA}\\u{1CBD}-\\u{1CBF}"
            + "\\u{1D00}-\\u{1D2B}\\u{1D6B}-\\u{1D77}\\u{1D79}-\\u{1D9A}\\u{1E00}-\\u{1F15}\\u{1F18}-\\u{1F1D}"
            + "\\u{1F20}-\\u{1F45}\\u{1F48}-\\u{1F4D}\\u{1F50}-\\u{1F57}\\u{1F59}\\u{1F5B}\\u{1F5D}\\u{1F5F}-\\u{1F7D}"
            + "\\u{1F80}-\\u{1FB4}\\u{1FB6}-\\u{1FBC}\\u{1FBE}\\u{1FC2}-\\u{1FC4}\\u{1FC6}-\\u{1FCC}\\u{1FD0}-\\u{1FD3}"
            + "\\u{1FD6}-\\u{1FDB}\\u{1FE0}-\\u{1FEC}\\u{1FF2}-\\u{1FF4}\\u{1FF6}-\\u{1FFC}\\u{2102}\\u{2107}"
            + "\\u{210A}-\\u{2113}\\u{2115}\\u{2119}-\\u{211D}\\u{2124}\\u{2126}\\u{2128}\\u{212A}-\\u{212D}"
            + "\\u{212F}-\\u{2134}\\u{2139}\\u{213C}-\\u{213F}\\u{2145}-\\u{2149}\\u{214E}\\u{2183}\\u{2184}"
            + "\\u{2C00}-\\u{2C7B}\\u{2C7E}-\\u{2CE4}\\u{2CEB}-\\u{2CEE}\\u{2CF2}\\u{2CF3}\\u{A640}-\\u{A66D}"
            + "\\u{A680}-\\u{A69B}\\u{A722}-\\u{A76F}\\u{A771}-\\u{A787}\\u{A78B}-\\u{A78E}\\u{AB70}-\\u{ABBF}"
            + "\\u{FB00}-\\u{FB06}\\u{FB13}-\\u{FB17}\\u{FF21}-\\u{FF3A}\\u{FF41}-\\u{FF5A}\\u{10400}-\\u{1044F}"
            + "\\u{104B0}-\\u{104D3}\\u{104D8}-\\u{104FB}\\u{10C80}-\\u{10CB2}\\u{10CC0}-\\u{10CF2}"
            + "\\u{118A0}-\\u{118DF}\\u{1E900}-\\u{1E943}]+"),
        expression("\\s?[!-/:-~\\u{FF01}-\\u{FF0F}\\u{FF1A}-\\u{FF5E}\\u{2018}-\\u{201F}\\u{3000}-\\u{3002}]+"),
        expression("\\s+$"),
        expression(deepseekCJK),
        expression("\\p{N}+"),
    ]

    static let deepseekCoder: [Step] = [
        expression("[\\r\\n]"), expression("\\s?\\p{L}+"), expression("\\s?\\p{P}+"), expression(deepseekCJK),
        expression("\\p{N}"),
    ]

    /// ASCII punctuation directly before ASCII letters joins them (`.method`, `_name`).
    private static let asciiPunctuationWord = "[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+"

    static let deepseekV3: [Step] = [
        expression("\\p{N}{1,3}"),
        expression(hanAndKana),
        expression(asciiPunctuationWord + "|[^\\r\\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+| ?[\\p{P}\\p{S}]+[\\r\\n]*"
            + "|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"),
    ]

    static let spark: [Step] = [
        expression("\\p{N}{1,3}"),
        expression(hanAndKana),
        expression(asciiPunctuationWord + "|[^\\r\\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+| ?[\\p{P}\\p{S}]+|[\\r\\n]"
            + "|\\s+(?!\\S)|\\s+"),
        expression("\\p{N}"),
    ]

    static let youtu: [Step] = [
        expression("[\\u{AC00}-\\u{D7A3}\\u{3131}-\\u{318E}]+"
            + "|[\\u{FF01}\\u{2026}\\u{201C}\\u{201D}\\u{2018}\\u{2019}\\u{2014}\\u{FF1A}\\u{FF1B}\\u{FF0C}"
            + "\\u{3001}-\\u{303F}\\u{FE30}-\\u{FE4F}]+|[\\u{3105}-\\u{312F}]+|" + hanAndKana),
        // As llama.cpp runs it, `\p{Lu}` and `\p{Ll}` are any letter.
        expression("[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+" + contractions + "?"
            + "|[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*" + contractions + "?"
            + "|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"),
    ]

    /// GPT-4o (o200k), Llama 4, MiniMax-M2: words split before an uppercase letter that
    /// follows lowercase ones, with a trailing contraction; digits by threes.
    static let gpt4o: [Step] = [expression(
        "[^\\r\\n\\p{L}\\p{N}]?\(upper)*\(lower)+\(contractions)?|[^\\r\\n\\p{L}\\p{N}]?\(upper)+\(lower)*\(contractions)?"
            + "|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+")]

    /// GPT-4o's expression with combining marks counted as letters.
    static let graniteMultilingual: [Step] = [expression(
        "[^\\r\\n\\p{L}\\p{N}]?(?:(?=[\\p{L}\\p{M}])[^a-z])*(?:(?=[\\p{L}\\p{M}])[^A-Z])+\(contractions)?"
            + "|[^\\r\\n\\p{L}\\p{N}]?(?:(?=[\\p{L}\\p{M}])[^a-z])+(?:(?=[\\p{L}\\p{M}])[^A-Z])*\(contractions)?"
            + "|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+")]

    /// Mistral's Tekken: GPT-4o's words without contractions, single digits.
    static let tekken: [Step] = [expression(
        "[^\\r\\n\\p{L}\\p{N}]?\(upper)*\(lower)+|[^\\r\\n\\p{L}\\p{N}]?\(upper)+\(lower)*"
            + "|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+")]

    static let bloom: [Step] = [expression(bloomWords)]
    static let viking: [Step] = [expression(bloomWords), expression("\\p{N}")]

    static let chameleon: [Step] = [
        expression("<sentinel:[0-9]+>"),
        expression("(IMGIMG)((A|B|C|D|E|F|G|H|I){1,4})Z"),
        expression("([\\t\\n]|    |  )"),
        expression("\\p{N}"),
        expression("[\\p{P}!-/:-@\\[-`{-~]"),
        .gpt2,
    ]

    /// Number runs, then ASCII digits cut into threes from the right; other text is not split
    /// at all (SuperBPE's tokens span words).
    static let superBPE: [Step] = [expression("\\p{N}+"), expression("(?=(\\d{3})+(?!\\d))")]

    static let bailing: [Step] = [expression(
        "'(?:[sSdDmMtT]|[lL][lL]|[vV][eE]|[rR][eE])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*"
            + "|\\s*[\\r\\n]|\\s+(?!\\S)|\\s+")]

    static let seedCoder: [Step] = [expression(
        contractions + "|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1}| ?[^\\s\\p{L}\\p{N}\\r\\n]+|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+")]
}
