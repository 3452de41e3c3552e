/// Byte-level BPE tokenisation (GGUF tokenizer model `gpt2`: GPT-2, Llama 3, Qwen 2 …), as
/// llama.cpp does it: special tokens are cut out first, the pre-tokenizer named in the file
/// cuts the rest into words, and each word's bytes are merged by rank.
public struct BytePairTokenizer: Sendable {
    public let vocabulary: Vocabulary
    private let merges: BytePairMerges
    private let preTokenizer: PreTokenizer

    /// Fails (nil) for a vocabulary that is not byte-level BPE.
    public init?(vocabulary: Vocabulary) {
        guard vocabulary.model == .bytePair, let merges = vocabulary.merges, let pre = vocabulary.preTokenizer else { return nil }
        self.vocabulary = vocabulary
        self.merges = merges
        self.preTokenizer = pre
    }

    /// Text → token ids. `addSpecial` adds BOS and EOS when the model asks for them;
    /// `parseSpecial` lets control tokens written in the text count as those tokens
    /// (user-defined tokens always do).
    public func encode(_ text: String, addSpecial: Bool = true, parseSpecial: Bool = false) -> [Int32] {
        let bytes = Array(text.utf8)
        var output: [Int32] = []
        output.reserveCapacity(bytes.count / 3 + 2)
        if addSpecial, vocabulary.addBOS, let bos = vocabulary.bos { output.append(bos) }
        var merger = BytePairMerger(merges: merges, vocabularySize: vocabulary.count)
        var wordBytes: [UInt8] = []
        bytes.withUnsafeBufferPointer { buffer in
            for fragment in SpecialTokenSplitter(vocabulary: vocabulary).split(bytes, parseSpecial: parseSpecial) {
                switch fragment {
                case .token(let id):
                    output.append(id)
                case .text(let range):
                    let scalars = ScalarText(buffer, range)
                    var wordStart = 0
                    for wordEnd in preTokenizer.split(scalars) {
                        let word = UnsafeBufferPointer(rebasing:
                            buffer[scalars.byteOffsets[wordStart]..<scalars.byteOffsets[wordEnd]])
                        wordStart = wordEnd
                        if preTokenizer.ignoreMerges, let id = wholeWordToken(word, scratch: &wordBytes) {
                            output.append(id)
                        } else {
                            merger.merge(word, into: &output, table: vocabulary.table)
                        }
                    }
                }
            }
        }
        if addSpecial, vocabulary.addEOS, let eos = vocabulary.eos { output.append(eos) }
        return output
    }

    /// The token that is the whole word, if there is one (Llama 3 takes it without merging).
    private func wholeWordToken(_ word: UnsafeBufferPointer<UInt8>, scratch: inout [UInt8]) -> Int32? {
        scratch.removeAll(keepingCapacity: true)
        for byte in word { scratch += ByteLevelEncoding.utf8OfByte[Int(byte)] }
        guard let id = vocabulary.table.find(scratch), Int(id) < vocabulary.count else { return nil }
        return id
    }

    /// The bytes a token stands for (empty for control tokens): ordinary tokens decoded from
    /// the byte-level alphabet, user-defined ones as written.
    public func bytes(of id: Int32) -> [UInt8] {
        guard id >= 0, Int(id) < vocabulary.count else { return [] }
        let token = vocabulary.tokens[Int(id)]
        switch vocabulary.kinds[Int(id)] {
        case .control, .unused, .unknown:
            return []
        case .byte:
            return SentencePieceTokenizer.byteValue(token).map { [$0] } ?? []
        case .userDefined:
            return Array(token.utf8)
        case .normal:
            var bytes: [UInt8] = []
            bytes.reserveCapacity(token.utf8.count)
            ByteLevelEncoding.decode(token, into: &bytes)
            return bytes
        }
    }

    /// Token ids → text as llama.cpp detokenizes it (with its space clean-up where the
    /// pre-tokenizer asks for it); invalid UTF-8 is repaired.
    public func decode(_ ids: [Int32]) -> String {
        TokenDecoding.decode(ids, vocabulary: vocabulary, bytes: bytes(of:))
    }
}
