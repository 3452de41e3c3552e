/// What llama.cpp infers about special tokens from their text, because converted GGUF files
/// do not always say it: which tokens end a turn or a generation, which mark
/// fill-in-the-middle, and which swallow the whitespace around them. Matching llama.cpp means
/// making the same inferences (see `llama_vocab::impl::load`).
struct TokenConventions {
    /// Texts of end-of-turn tokens (the first found is the EOT token).
    static let endOfTurnTexts: Set<String> = [
        "<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|end_of_text|>",
        "<EOT>", "_<EOT>", "[EOT]", "<｜end▁of▁sentence｜>", "<end_of_utterance>",
    ]
    /// Texts of tokens that end a generation.
    static let endOfGenerationTexts: Set<String> = [
        "<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>", "<|call|>", "<|flush|>", "<|calls|>",
        "<end_of_turn>", "<|endoftext|>", "</s>", "<|eom_id|>", "<EOT>", "_<EOT>", "[EOT]", "[EOS]",
        "<|end_of_text|>", "<end_of_utterance>", "<eos>", "<turn|>", "<|tool_response>", "<｜end▁of▁sentence｜>", "[e~[",
    ]
    /// Fill-in-the-middle markers: control tokens, and the last three also end a generation.
    static let fillInMiddleTexts: Set<String> = [
        "<|fim_prefix|>", "<fim-prefix>", "<fim_prefix>", "<｜fim▁begin｜>", "<PRE>", "▁<PRE>",
        "<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>", "<｜fim▁hole｜>", "<SUF>", "▁<SUF>",
        "<|fim_middle|>", "<fim-middle>", "<fim_middle>", "<｜fim▁end｜>", "<MID>", "▁<MID>",
    ]
    static let fillInMiddleEndTexts: Set<String> = [
        "<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>", "[PAD]",
        "<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>", "<reponame>",
        "<|file_sep|>",
    ]

    /// The end-of-turn token found by its text (lowest id when there are several).
    let endOfTurn: Int32?
    let endOfGeneration: Set<Int32>

    /// Finds the conventional tokens and makes them control tokens in `kinds`.
    init(tokens: [String], table: TokenTable, kinds: inout [Vocabulary.Kind]) {
        var endOfTurn: Int32?
        var ends: Set<Int32> = []
        func makeControl(_ index: Int) {
            if kinds[index] != .control && kinds[index] != .unknown { kinds[index] = .control }
        }
        for (index, text) in tokens.enumerated() {
            // Only a token's first id counts, as in llama.cpp's text → id map.
            // Every conventional text starts with "<", "[", "_" or "▁" (byte 0xE2): a cheap
            // first test over hundreds of thousands of tokens.
            guard let first = text.utf8.first, first == 0x3C || first == 0x5B || first == 0x5F || first == 0xE2,
                  table.find(text) == Int32(index) else { continue }
            if Self.endOfTurnTexts.contains(text) {
                if endOfTurn == nil { endOfTurn = Int32(index) }
                makeControl(index)
            }
            if Self.fillInMiddleTexts.contains(text) || text == "<|eom_id|>" { makeControl(index) }
            if Self.fillInMiddleEndTexts.contains(text) || Self.endOfGenerationTexts.contains(text) {
                ends.insert(Int32(index))
                makeControl(index)
            }
            // gpt-oss: always rendered.
            if ["<|channel|>", "<|message|>", "<|start|>", "<|constrain|>"].contains(text) { kinds[index] = .userDefined }
        }
        // o200k_harmony and solar-open: there "<|end|>" ends a message, not the generation.
        let has = { (text: String) in table.find(text).map { ends.contains($0) } ?? false }
        if let end = table.find("<|end|>"), ends.contains(end),
           (has("<|return|>") && has("<|call|>")) || (has("<|calls|>") && has("<|flush|>")) {
            ends.remove(end)
            kinds[Int(end)] = .userDefined
        }
        // Gemma 4 and PaddleOCR: "</s>" is an ordinary token there.
        if let closing = table.find("</s>"), ends.contains(closing), has("<|tool_response>") {
            ends.remove(closing)
            kinds[Int(closing)] = .normal
        }
        self.endOfTurn = endOfTurn
        self.endOfGeneration = ends
    }

    /// The tokens matched in raw text: control, user-defined and unknown ones, longest first.
    /// Phi-3's special tokens swallow the whitespace after them (its `rstrip`), except
    /// `<unk>`, `<s>` and `<|endoftext|>`.
    static func specialTokens(tokens: [String], kinds: [Vocabulary.Kind], rstripAll: Bool) -> [Vocabulary.SpecialToken] {
        var specials: [Vocabulary.SpecialToken] = []
        for (index, kind) in kinds.enumerated() where kind == .control || kind == .userDefined || kind == .unknown {
            let text = tokens[index].isEmpty ? "[EMPTY_\(index)]" : tokens[index]
            var special = Vocabulary.SpecialToken(bytes: Array(text.utf8), id: Int32(index), kind: kind)
            special.rstrip = rstripAll && !["<unk>", "<s>", "<|endoftext|>"].contains(text)
            specials.append(special)
        }
        // Equal lengths keep id order (llama.cpp's sort leaves their order unspecified).
        return specials.enumerated()
            .sorted { ($0.element.bytes.count, -$0.offset) > ($1.element.bytes.count, -$1.offset) }
            .map(\.element)
    }
}
