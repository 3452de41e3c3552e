import Foundation
import GrokEngine

/// A small GGUF model with seeded random weights, laid out as llama.cpp lays out a real model
/// of its architecture (metadata keys, tensor names and shapes, tokenizer), for testing the
/// engine against a reference without downloading anything.
///
/// The same settings and seed always give the same file, byte for byte. Weights are random
/// but scaled so activations stay of order one through the layers (σ ≈ 1/√columns), so the
/// logits are neither flat nor saturated. The defaults of the four architectures together use
/// every tensor type the engine supports.
public struct TinyModel: Sendable {
    public enum Architecture: String, CaseIterable, Sendable {
        case gemma3, llama, qwen2, qwen3
    }

    /// How positions are scaled before rotary embedding.
    public enum RopeScaling: Sendable, Equatable {
        case none
        /// `rope.scaling.type` = "linear": every angle divided by the factor.
        case linear(Float)
        /// A `rope_freqs.weight` tensor (Llama 3's long-context factors): pair i's angle
        /// divided by factor i. Written for llama only, as llama.cpp reads it there.
        case frequencyFactors
    }

    /// The weight matrices whose type can be chosen (norms and biases are always F32).
    public enum Role: String, CaseIterable, Sendable {
        case tokenEmbedding, output, query, key, value, attentionOutput, gate, up, down
    }

    public var architecture: Architecture
    /// Names the weights: the same seed and settings give the same file.
    public var seed: UInt64
    /// Width of the residual stream (a multiple of 256, so every type fits its rows).
    public var embedding = 256
    public var layers: Int
    /// Query heads; each group of `heads / kvHeads` shares one key/value head.
    public var heads: Int
    public var kvHeads = 2
    /// Elements per head, all of them rotated (`rope.dimension_count`).
    public var headSize = 64
    /// Width of the gated feed-forward layer.
    public var feedForward = 512
    public var contextLength = 2048
    /// Gemma 3 only: how many positions (the current one included) local layers see.
    public var slidingWindow = 32
    /// `rope.freq_base`; for Gemma 3 that of the global layers (local ones use 10 000).
    public var ropeBase: Float
    public var ropeScaling: RopeScaling = .none
    /// Whether the output projection is the embedding matrix (no `output.weight`); Gemma 3
    /// always ties them.
    public var tiedOutput: Bool
    /// Each role's matrix type; a role left out is written as Q8_0.
    public var types: [Role: GGMLType]

    /// The defaults of `architecture`: Gemma 3 with six layers (layer 5 global), the others
    /// with two or three; Qwen 3 with eight heads, so that its attention width (512) differs
    /// from the embedding (256).
    public init(_ architecture: Architecture, seed: UInt64 = 1) {
        self.architecture = architecture
        self.seed = seed
        switch architecture {
        case .gemma3:
            layers = 6
            heads = 4
            ropeBase = 1_000_000
            tiedOutput = true
            types = [
                .tokenEmbedding: .q8_0, .query: .q4_0, .key: .q5_0, .value: .iq4_nl, .attentionOutput: .q4_K,
                .gate: .q5_K, .up: .q6_K, .down: .q3_K,
            ]
        case .llama:
            layers = 2
            heads = 4
            ropeBase = 10_000
            tiedOutput = false
            types = [
                .tokenEmbedding: .q4_K, .output: .q6_K, .query: .q4_1, .key: .f16, .value: .bf16, .attentionOutput: .q8_0,
                .gate: .q4_0, .up: .q5_1, .down: .q5_K,
            ]
        case .qwen2:
            layers = 2
            heads = 4
            ropeBase = 10_000
            tiedOutput = true
            types = [
                .tokenEmbedding: .q8_0, .query: .q5_0, .key: .q2_K, .value: .q8_0, .attentionOutput: .q4_0,
                .gate: .q6_K, .up: .q4_K, .down: .iq4_xs,
            ]
        case .qwen3:
            layers = 3
            heads = 8
            ropeBase = 10_000
            tiedOutput = false
            types = [
                .tokenEmbedding: .bf16, .output: .q8_0, .query: .q6_K, .key: .q5_K, .value: .q4_K, .attentionOutput: .f16,
                .gate: .f32, .up: .q8_0, .down: .q4_0,
            ]
        }
    }

    /// The type a role's matrices are written in (Q8_0 where none is set).
    public func type(of role: Role) -> GGMLType { types[role] ?? .q8_0 }

    /// Writes the model to `path`.
    public func write(to path: String) throws {
        try writer().write(to: path)
    }

    /// Writes the model to a new temporary file and returns its path (the caller removes it).
    public func write() throws -> String {
        let path = NSTemporaryDirectory() + "grok-tiny-\(architecture.rawValue)-\(UUID().uuidString).gguf"
        try write(to: path)
        return path
    }

    /// The file, not yet written.
    public func writer() -> GGUFWriter {
        let vocabulary = self.vocabulary
        var writer = GGUFWriter(metadata: metadata + vocabulary.metadata)
        TinyTensors(model: self, vocabularySize: vocabulary.count).add(to: &writer)
        return writer
    }

    var vocabulary: TinyVocabulary {
        switch architecture {
        case .gemma3: TinyVocabulary.gemma3()
        case .llama: TinyVocabulary.llama()
        case .qwen2, .qwen3: TinyVocabulary.qwen()
        }
    }

    /// The model's hyperparameters under llama.cpp's key names.
    var metadata: [(String, GGUFWriter.Value)] {
        let p = architecture.rawValue + "."
        var entries: [(String, GGUFWriter.Value)] = [
            ("general.architecture", .string(architecture.rawValue)),
            ("general.name", .string("tiny-\(architecture.rawValue)-\(seed)")),
            (p + "context_length", .u32(UInt32(contextLength))),
            (p + "embedding_length", .u32(UInt32(embedding))),
            (p + "block_count", .u32(UInt32(layers))),
            (p + "feed_forward_length", .u32(UInt32(feedForward))),
            (p + "attention.head_count", .u32(UInt32(heads))),
            (p + "attention.head_count_kv", .u32(UInt32(kvHeads))),
            (p + "attention.key_length", .u32(UInt32(headSize))),
            (p + "attention.value_length", .u32(UInt32(headSize))),
            (p + "attention.layer_norm_rms_epsilon", .f32(architecture == .llama ? 1e-5 : 1e-6)),
            (p + "rope.freq_base", .f32(ropeBase)),
            (p + "rope.dimension_count", .u32(UInt32(headSize))),
        ]
        if architecture == .gemma3 { entries.append((p + "attention.sliding_window", .u32(UInt32(slidingWindow)))) }
        if case .linear(let factor) = ropeScaling {
            entries.append((p + "rope.scaling.type", .string("linear")))
            entries.append((p + "rope.scaling.factor", .f32(factor)))
        }
        return entries
    }
}
