import Foundation
import GrokTestModels
import Testing
@testable import GrokEngine

/// The tiny seeded models (GrokTestModels) are what they claim to be, and the engine computes
/// on them what the plain reference forward pass (`ReferenceTransformer`) computes.
@Suite struct TinyModelTests {
    typealias Architecture = TinyModel.Architecture

    /// The architectures whose engine logits are compared with the reference (all of them
    /// since the engine runs all four).
    static let engineArchitectures = Architecture.allCases

    /// A model to run on the engine and on the reference, and how closely they must agree.
    struct Variant: Sendable, CustomTestStringConvertible {
        var architecture: Architecture
        var ropeScaling: TinyModel.RopeScaling = .none
        /// Every matrix in F32 instead of the architecture's mix of quantised types.
        var allF32 = false

        /// The largest |engine − reference| allowed, in units of the reference logits'
        /// standard deviation. With quantised weights the engine rounds activations to 8 bits
        /// before each product (as llama.cpp does); measured over seeds 1–3 and the four
        /// architectures that costs up to 0.094 σ (mean |Δ| about 0.013 σ). With F32 weights
        /// only the f16 keys, values and queries and the f16 GELU table remain: at most
        /// 0.0055 σ. A wrong rope base, rope pairing or window moves logits by 1.5–4 σ
        /// (`theBoundCatchesRealMistakes`).
        var tolerance: Double { allF32 ? 0.02 : 0.15 }

        var model: TinyModel {
            var model = TinyModel(architecture)
            model.ropeScaling = ropeScaling
            if allF32 { for role in TinyModel.Role.allCases { model.types[role] = .f32 } }
            return model
        }

        var testDescription: String {
            "\(architecture)" + (ropeScaling == .none ? "" : " \(ropeScaling)") + (allF32 ? " (F32)" : "")
        }
    }

    static let variants: [Variant] = Architecture.allCases.flatMap {
        [Variant(architecture: $0), Variant(architecture: $0, allF32: true)]
    } + [
        Variant(architecture: .gemma3, ropeScaling: .linear(8)),  // scales the global layers only
        Variant(architecture: .llama, ropeScaling: .frequencyFactors),
        Variant(architecture: .llama, ropeScaling: .linear(4)),
        Variant(architecture: .qwen2, ropeScaling: .linear(2)),
    ]

    static let engineVariants = variants.filter { engineArchitectures.contains($0.architecture) }

    // MARK: The files

    @Test func theDefaultsUseEverySupportedType() {
        let used = Set(Architecture.allCases.flatMap { architecture in
            let model = TinyModel(architecture)
            return TinyModel.Role.allCases.filter { $0 != .output || !model.tiedOutput }.map { model.type(of: $0) }
        })
        #expect(used == Set(GGMLType.allCases.filter(\.isSupported)))
    }

    @Test func aSeedNamesOneFile() {
        let first = TinyModel(.qwen3, seed: 7).writer().bytes()
        #expect(first == TinyModel(.qwen3, seed: 7).writer().bytes())
        #expect(first != TinyModel(.qwen3, seed: 8).writer().bytes())
    }

    @Test(arguments: Architecture.allCases)
    func filesHaveTheShapeOfTheirArchitecture(_ architecture: Architecture) throws {
        var model = TinyModel(architecture)
        model.ropeScaling = architecture == .llama ? .frequencyFactors : .linear(4)
        let path = try model.write()
        defer { unlink(path) }
        let file = try GGUFFile(path: path)
        let p = architecture.rawValue + "."
        #expect(file["general.architecture"]?.stringValue == architecture.rawValue)
        #expect(file[p + "block_count"]?.intValue == model.layers)
        #expect(file[p + "attention.head_count"]?.intValue == model.heads)
        #expect(file[p + "rope.dimension_count"]?.intValue == model.headSize)
        #expect(file.tensors["blk.0.attn_q.weight"]?.dimensions == [model.embedding, model.heads * model.headSize])
        #expect(file.tensors["blk.0.attn_output.weight"]?.dimensions == [model.heads * model.headSize, model.embedding])
        #expect((file.tensors["output.weight"] == nil) == model.tiedOutput)
        #expect((file.tensors["blk.0.attn_q.bias"] != nil) == (architecture == .qwen2))
        #expect((file.tensors["blk.0.attn_q_norm.weight"] != nil) == (architecture == .qwen3 || architecture == .gemma3))
        #expect((file.tensors["rope_freqs.weight"] != nil) == (architecture == .llama))
        #expect((file[p + "rope.scaling.type"]?.stringValue == "linear") == (architecture != .llama))
        for name in file.tensorNames where name.hasSuffix("norm.weight") || name.hasSuffix(".bias") {
            #expect(file.tensors[name]?.type == .f32, "\(name)")
        }
        #expect(try Vocabulary(file: file).count == file.tensors["token_embd.weight"]?.rowCount)
    }

    /// Dequantised, every matrix has mean ≈ 0 and the spread it was drawn with; norms are ≈ 1.
    @Test(arguments: Architecture.allCases)
    func weightsHaveTheIntendedSpread(_ architecture: Architecture) throws {
        let model = TinyModel(architecture)
        let path = try model.write()
        defer { unlink(path) }
        let file = try GGUFFile(path: path)
        for name in file.tensorNames {
            let tensor = file.tensors[name]!
            var values = [Float](repeating: 0, count: tensor.elementCount)
            values.withUnsafeMutableBufferPointer { out in
                ReferenceDequantize.row(tensor.type, file.data(of: tensor), count: tensor.elementCount, into: out.baseAddress!)
            }
            let mean = values.reduce(0.0) { $0 + Double($1) } / Double(values.count)
            let spread = (values.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(values.count)).squareRoot()
            if name.hasSuffix("norm.weight") {
                #expect(abs(mean - 1) < 0.03 && abs(spread - 0.1) < 0.03, "\(name): mean \(mean), σ \(spread)")
            } else if name.hasSuffix(".bias") {
                #expect(abs(mean) < 0.03 && abs(spread - 0.1) < 0.03, "\(name): mean \(mean), σ \(spread)")
            } else if tensor.dimensions.count == 2 {
                let expected = name == "token_embd.weight"
                    ? (architecture == .gemma3 ? 1 / Double(model.embedding).squareRoot() : 1)
                    : 1 / Double(tensor.rowLength).squareRoot()
                #expect(abs(mean) < 0.02 * expected, "\(name) (\(tensor.type.name)): mean \(mean), want 0 (σ \(expected))")
                #expect(abs(spread / expected - 1) < 0.05, "\(name) (\(tensor.type.name)): σ \(spread), want \(expected)")
            }
        }
    }

    @Test(arguments: Architecture.allCases)
    func tokenizersGiveTheTextBack(_ architecture: Architecture) throws {
        let path = try TinyModel(architecture).write()
        defer { unlink(path) }
        let tokenizer = try Tokenizer(file: GGUFFile(path: path))
        let ids = tokenizer.encode("hello world", addSpecial: false)
        #expect(ids.count == 2, "\(ids): the merges make each word one token")
        #expect(tokenizer.decode(ids) == "hello world")
        // Text outside the little vocabulary goes through bytes.
        let other = "Grüße, 世界! 12\n"
        #expect(tokenizer.decode(tokenizer.encode(other, addSpecial: false)) == other)
    }

    // MARK: The engine against the reference

    /// Tokens fed one at a time, past the end of Gemma 3's 32-position window.
    @Test(arguments: engineVariants)
    func decodingMatchesTheReference(_ variant: Variant) async throws {
        let result = try await offPool {
            let run = try Run(variant.model, tokens: 40)
            let cache = run.engine.makeCache(capacity: 64)
            var comparison = Comparison(tolerance: variant.tolerance)
            for position in run.tokens.indices {
                comparison.add(run.engine.forward([run.tokens[position]], cache: cache), run.expected[position], at: position)
            }
            return comparison
        }
        result.check(variant)
    }

    /// A 20-token prompt in one batched pass, then decoding from the cache it filled.
    @Test(arguments: engineVariants)
    func aBatchedPromptMatchesTheReference(_ variant: Variant) async throws {
        let result = try await offPool {
            let run = try Run(variant.model, tokens: 24)
            let cache = run.engine.makeCache(capacity: 64)
            var comparison = Comparison(tolerance: variant.tolerance)
            comparison.add(run.engine.forward(Array(run.tokens[..<20]), cache: cache), run.expected[19], at: 19)
            for position in 20..<24 {
                comparison.add(run.engine.forward([run.tokens[position]], cache: cache), run.expected[position], at: position)
            }
            return comparison
        }
        result.check(variant)
    }

    /// About a hundred tokens in uneven chunks, so that chunks straddle the window's edge.
    @Test(arguments: engineVariants)
    func aLongPromptInChunksMatchesTheReference(_ variant: Variant) async throws {
        let result = try await offPool {
            let run = try Run(variant.model, tokens: 104)
            let cache = run.engine.makeCache(capacity: 128)
            var comparison = Comparison(tolerance: variant.tolerance)
            var start = 0
            for size in [7, 25, 1, 40, 27] {
                let logits = run.engine.forward(Array(run.tokens[start..<start + size]), cache: cache)
                start += size
                comparison.add(logits, run.expected[start - 1], at: start - 1)
            }
            for position in start..<run.tokens.count {
                comparison.add(run.engine.forward([run.tokens[position]], cache: cache), run.expected[position], at: position)
            }
            return comparison
        }
        result.check(variant)
    }

    /// The bound is tight enough to matter: each deliberate mistake in the reference puts the
    /// engine far outside it (48 tokens decoded, past the window).
    @Test(arguments: [ReferenceTransformer.Mistake.oneRopeBase, .otherPairing, .noWindow])
    func theBoundCatchesRealMistakes(_ mistake: ReferenceTransformer.Mistake) async throws {
        let variant = Variant(architecture: .gemma3)
        let result = try await offPool {
            var run = try Run(variant.model, tokens: 48)
            run.reference.mistake = mistake
            run.expected = run.reference.logits(for: run.tokens)
            let cache = run.engine.makeCache(capacity: 64)
            var comparison = Comparison(tolerance: variant.tolerance)
            for position in run.tokens.indices {
                comparison.add(run.engine.forward([run.tokens[position]], cache: cache), run.expected[position], at: position)
            }
            return comparison
        }
        #expect(result.worst > 3 * variant.tolerance, "\(mistake): worst |Δ| is only \(result.worst) of the logits' σ")
    }

    /// A model file, the engine on it, the reference on it, and seeded tokens with the
    /// reference's logits after each.
    struct Run {
        let engine: LanguageModel
        var reference: ReferenceTransformer
        let tokens: [Int32]
        var expected: [[Double]]

        init(_ model: TinyModel, tokens count: Int) throws {
            let path = try model.write()
            defer { unlink(path) }
            engine = try LanguageModel(file: GGUFFile(path: path))
            reference = try ReferenceTransformer(path: path)
            var random = SplitMix64(seed: model.seed &+ 1000)
            let vocabulary = reference.vocabularySize
            tokens = (0..<count).map { _ in Int32(random.next() % UInt64(vocabulary)) }
            expected = reference.logits(for: tokens)
        }
    }

    /// The engine's logits against the reference's: the largest |engine − reference| over the
    /// vocabulary, in units of the reference logits' standard deviation, and the positions
    /// where the two pick different tokens although the reference's best two are further
    /// apart than the tolerance lets either move.
    struct Comparison: Sendable {
        let tolerance: Double
        var worst = 0.0
        var disagreements: [String] = []

        init(tolerance: Double) { self.tolerance = tolerance }

        mutating func add(_ logits: [Float], _ reference: [Double], at position: Int) {
            let mean = reference.reduce(0, +) / Double(reference.count)
            let spread = (reference.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(reference.count)).squareRoot()
            worst = max(worst, zip(logits, reference).map { abs(Double($0) - $1) }.max()! / spread)
            let ranked = reference.indices.sorted { reference[$0] > reference[$1] }
            let chosen = logits.indices.max { logits[$0] < logits[$1] }!
            if chosen != ranked[0], (reference[ranked[0]] - reference[ranked[1]]) / spread > 2 * tolerance {
                disagreements.append("position \(position): engine picks \(chosen), reference \(ranked[0])")
            }
        }

        func check(_ variant: Variant, sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(
                worst <= tolerance, "\(variant.testDescription): worst |Δ| is \(worst) of the logits' σ", sourceLocation: sourceLocation)
            #expect(disagreements.isEmpty, "\(variant.testDescription): \(disagreements)", sourceLocation: sourceLocation)
        }
    }
}
