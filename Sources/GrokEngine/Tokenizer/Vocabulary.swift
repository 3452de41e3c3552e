/// The tokens of a model, as its GGUF file lists them, with what llama.cpp derives from them.
public struct Vocabulary: Sendable {
    /// What a token is, from `tokenizer.ggml.token_type`.
    public enum Kind: Int32, Sendable {
        case normal = 1, unknown = 2, control = 3, userDefined = 4, unused = 5, byte = 6
    }

    /// The tokenizer algorithm (`tokenizer.ggml.model`).
    public enum Model: String, Sendable {
        /// SentencePiece-style: merges by token score, byte fallback (`llama`).
        case sentencePiece = "llama"
        /// Byte-level BPE: merges by rank, bytes as characters (`gpt2`).
        case bytePair = "gpt2"
    }

    /// A token matched in raw text before the tokenizer proper sees it.
    struct SpecialToken: Sendable {
        var bytes: [UInt8]
        var id: Int32
        var kind: Kind
        /// Whitespace before (`lstrip`) or after (`rstrip`) the token is dropped with it.
        var lstrip = false
        var rstrip = false
    }

    public let model: Model
    public let tokens: [String]
    public let scores: [Float]
    /// Token kinds, with llama.cpp's corrections: tokens that end generation or mark
    /// fill-in-the-middle are control tokens whatever the file says.
    public let kinds: [Kind]
    public let bos: Int32?
    public let eos: Int32?
    /// End of turn (`tokenizer.ggml.eot_token_id`, or found by its text).
    public let eot: Int32?
    public let unknown: Int32?
    public let addBOS: Bool
    public let addEOS: Bool
    public let addSpacePrefix: Bool
    /// Token ids of the bytes 0...255 (`<0xXX>`), when the vocabulary has them.
    public let byteTokens: [Int32?]
    /// Ids that end a generation: EOS, EOT and the end-of-turn tokens of the known families.
    public let endOfGeneration: Set<Int32>

    /// Token texts → ids, byte for byte (then the strings merges need that are not tokens).
    let table: TokenTable
    /// Matched in raw text before splitting: longest first.
    let specialTokens: [SpecialToken]
    let specialTokenIndex: SpecialTokenIndex
    /// Byte-level BPE only.
    let merges: BytePairMerges?
    let preTokenizer: PreTokenizer?
    /// Decoding removes spaces before punctuation (llama.cpp's `clean_spaces`).
    let cleanSpaces: Bool

    public var count: Int { tokens.count }

    /// The id of a token text (compared byte for byte, not by Unicode equivalence).
    public func id(of text: String) -> Int32? {
        table.find(text).flatMap { Int($0) < count ? $0 : nil }
    }

    /// Token texts → ids by Swift `String` equality; built on each use.
    @available(*, deprecated, message: "use id(of:), which compares bytes as llama.cpp does")
    public var ids: [String: Int32] {
        var ids: [String: Int32] = [:]
        for (index, token) in tokens.enumerated() where ids[token] == nil { ids[token] = Int32(index) }
        return ids
    }

    /// Reads the vocabulary of a `llama` (SentencePiece) or `gpt2` (byte-level BPE) tokenizer
    /// from GGUF metadata.
    public init(file: GGUFFile) throws(GGUFError) {
        guard let modelName = file["tokenizer.ggml.model"]?.stringValue else { throw GGUFError("missing tokenizer.ggml.model") }
        guard let model = Model(rawValue: modelName) else {
            throw GGUFError("tokenizer model '\(modelName)' is not supported (only llama/SentencePiece and gpt2/byte-level BPE)")
        }
        self.model = model
        guard let tokenValues = file["tokenizer.ggml.tokens"]?.arrayValue, !tokenValues.isEmpty else {
            throw GGUFError("missing tokenizer.ggml.tokens")
        }
        tokens = tokenValues.map { $0.stringValue ?? "" }
        let count = tokens.count
        scores = try Self.floats(file["tokenizer.ggml.scores"], count: count, key: "tokenizer.ggml.scores")
        let types = file["tokenizer.ggml.token_type"]?.arrayValue ?? []
        guard types.isEmpty || types.count == count else { throw GGUFError("tokenizer.ggml.token_type has the wrong length") }
        var kinds = types.isEmpty
            ? Array(repeating: Kind.normal, count: count)
            : types.map { Kind(rawValue: Int32($0.intValue ?? 1)) ?? .normal }

        var table = TokenTable(capacity: count)
        for (index, token) in tokens.enumerated() {
            // llama.cpp names an empty token so that it can never match text.
            var text = token.isEmpty ? "[EMPTY_\(index)]" : token
            text.withUTF8 { _ = table.append($0) }
        }

        switch model {
        case .sentencePiece:
            preTokenizer = nil
            cleanSpaces = false
            merges = nil
        case .bytePair:
            let name = file["tokenizer.ggml.pre"]?.stringValue ?? "default"
            guard let pre = PreTokenizer(name: name) else {
                throw GGUFError("pre-tokenizer '\(name)' (tokenizer.ggml.pre) is not supported")
            }
            preTokenizer = pre
            cleanSpaces = pre.cleanSpaces
            guard let mergeValues = file["tokenizer.ggml.merges"]?.arrayValue else {
                throw GGUFError("missing tokenizer.ggml.merges (a gpt2 tokenizer needs them)")
            }
            merges = BytePairMerges(merges: mergeValues.map { $0.stringValue ?? "" }, table: &table)
        }

        bos = try Self.tokenID(file, "tokenizer.ggml.bos_token_id", count: count)
        eos = try Self.tokenID(file, "tokenizer.ggml.eos_token_id", count: count)
        unknown = try Self.tokenID(file, "tokenizer.ggml.unknown_token_id", count: count)
        let addsBOSByDefault = model == .sentencePiece || (preTokenizer?.addsBOSByDefault ?? false)
        addBOS = file["tokenizer.ggml.add_bos_token"]?.boolValue ?? addsBOSByDefault
        addEOS = file["tokenizer.ggml.add_eos_token"]?.boolValue ?? false
        addSpacePrefix = file["tokenizer.ggml.add_space_prefix"]?.boolValue ?? (model == .sentencePiece)
        byteTokens = (0..<256).map { byte in table.find(Self.byteTokenText(UInt8(byte))) }

        let conventions = TokenConventions(tokens: tokens, table: table, kinds: &kinds)
        eot = try Self.tokenID(file, "tokenizer.ggml.eot_token_id", count: count) ?? conventions.endOfTurn
        var ends = conventions.endOfGeneration
        for id in [eos, eot] { if let id { ends.insert(id) } }
        endOfGeneration = ends
        self.kinds = kinds
        self.table = table

        // Phi-3's special tokens swallow the whitespace after them; llama.cpp knows the family
        // by its name.
        let name = (file["general.name"]?.stringValue ?? "").lowercased()
        specialTokens = TokenConventions.specialTokens(
            tokens: tokens, kinds: kinds, rstripAll: name.contains("phi-3") || name.contains("phi3"))
        specialTokenIndex = SpecialTokenIndex(specialTokens)
    }

    static func byteTokenText(_ byte: UInt8) -> String {
        let hex = String(byte, radix: 16, uppercase: true)
        return "<0x" + (hex.count == 1 ? "0" + hex : hex) + ">"
    }

    private static func floats(_ value: GGUFValue?, count: Int, key: String) throws(GGUFError) -> [Float] {
        guard let array = value?.arrayValue else { return Array(repeating: 0, count: count) }
        guard array.count == count else { throw GGUFError("\(key) has \(array.count) entries for \(count) tokens") }
        return array.map { Float($0.doubleValue ?? 0) }
    }

    private static func tokenID(_ file: GGUFFile, _ key: String, count: Int) throws(GGUFError) -> Int32? {
        guard let value = file[key] else { return nil }
        guard let id = value.intValue, id >= 0, id < count else { throw GGUFError("\(key) is not a token id") }
        return Int32(id)
    }
}
