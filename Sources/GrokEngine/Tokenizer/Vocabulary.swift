/// The tokens of a model, as its GGUF file lists them.
public struct Vocabulary: Sendable {
    /// What a token is, from `tokenizer.ggml.token_type`.
    public enum Kind: Int32, Sendable {
        case normal = 1, unknown = 2, control = 3, userDefined = 4, unused = 5, byte = 6
    }

    public let tokens: [String]
    public let scores: [Float]
    public let kinds: [Kind]
    public let ids: [String: Int32]
    public let bos: Int32?
    public let eos: Int32?
    public let unknown: Int32?
    public let addBOS: Bool
    public let addSpacePrefix: Bool
    /// Token ids of the bytes 0...255 (`<0xXX>`), when the vocabulary has them.
    public let byteTokens: [Int32?]
    /// Tokens matched in raw text before splitting: longest first.
    let specialTokens: [(text: String, id: Int32, kind: Kind)]
    /// Ids that end a generation besides EOS (for Gemma: `<end_of_turn>`).
    public let endOfGeneration: Set<Int32>

    public var count: Int { tokens.count }

    /// Reads the vocabulary of a `llama` (SentencePiece) tokenizer from GGUF metadata.
    public init(file: GGUFFile) throws(GGUFError) {
        guard let model = file["tokenizer.ggml.model"]?.stringValue else { throw GGUFError("missing tokenizer.ggml.model") }
        guard model == "llama" else { throw GGUFError("tokenizer model \(model) is not supported yet (only llama/SentencePiece)") }
        guard let tokenValues = file["tokenizer.ggml.tokens"]?.arrayValue, !tokenValues.isEmpty else {
            throw GGUFError("missing tokenizer.ggml.tokens")
        }
        tokens = tokenValues.map { $0.stringValue ?? "" }
        let count = tokens.count
        scores = try Self.floats(file["tokenizer.ggml.scores"], count: count, key: "tokenizer.ggml.scores")
        let types = file["tokenizer.ggml.token_type"]?.arrayValue ?? []
        guard types.isEmpty || types.count == count else { throw GGUFError("tokenizer.ggml.token_type has the wrong length") }
        kinds = types.isEmpty
            ? Array(repeating: .normal, count: count)
            : types.map { Kind(rawValue: Int32($0.intValue ?? 1)) ?? .normal }
        var ids: [String: Int32] = [:]
        ids.reserveCapacity(count)
        for (index, token) in tokens.enumerated() where ids[token] == nil { ids[token] = Int32(index) }
        self.ids = ids
        bos = try Self.tokenID(file, "tokenizer.ggml.bos_token_id", count: count)
        eos = try Self.tokenID(file, "tokenizer.ggml.eos_token_id", count: count)
        unknown = try Self.tokenID(file, "tokenizer.ggml.unknown_token_id", count: count)
        addBOS = file["tokenizer.ggml.add_bos_token"]?.boolValue ?? true
        addSpacePrefix = file["tokenizer.ggml.add_space_prefix"]?.boolValue ?? true
        byteTokens = (0..<256).map { byte in ids[Self.byteTokenText(UInt8(byte))] }
        var specials: [(text: String, id: Int32, kind: Kind)] = []
        for (index, kind) in kinds.enumerated() where kind == .control || kind == .userDefined || kind == .unknown {
            if !tokens[index].isEmpty { specials.append((tokens[index], Int32(index), kind)) }
        }
        specialTokens = specials.sorted { $0.text.utf8.count > $1.text.utf8.count }
        var ends: Set<Int32> = []
        if let eos { ends.insert(eos) }
        for name in ["<end_of_turn>", "<|eot_id|>", "<|im_end|>", "<|end|>"] {
            if let id = ids[name], kinds[Int(id)] == .control { ends.insert(id) }
        }
        endOfGeneration = ends
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
