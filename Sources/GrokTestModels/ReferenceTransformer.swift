import Dispatch
import Foundation
import GrokEngine

/// A plain, slow, obviously-correct forward pass in Double for the architectures the engine
/// runs (gemma3, llama, qwen2, qwen3), written from the papers' and llama.cpp's definitions and
/// sharing nothing with the engine's model code: it only reads the file (`GGUFFile`) and turns
/// tensors into numbers (`ReferenceDequantize`).
///
/// Every position is recomputed from scratch (no cache), so it is the yardstick for the
/// engine's cache, batching and sliding window as much as for its arithmetic. It is also the
/// engine-independent measure of fidelity on real files (`grok-bench fidelity`): the KL
/// divergence of an engine's next-token distribution from this one's. Positions are spread over
/// the machine's cores; each is computed the same way whatever the spread.
public struct ReferenceTransformer: Sendable {
    /// Deliberate bugs, for showing that a comparison's bound would catch them.
    public enum Mistake: Sendable {
        /// Gemma 3's local layers rotate with the global base (the file's `rope.freq_base`).
        case oneRopeBase
        /// Adjacent pairs where the architecture uses NeoX pairs, and the reverse.
        case otherPairing
        /// Gemma 3's local layers see every earlier position.
        case noWindow
    }

    /// A weight matrix as the file's exact values (every dequantised weight is a Float), applied
    /// in Double.
    struct Matrix: Sendable {
        let rows: Int
        let columns: Int
        let values: [Float]

        /// y = W·x.
        func apply(_ x: [Double]) -> [Double] { apply([x])[0] }

        /// W·x for every x, each row streamed once for all of them (rows spread over the cores);
        /// every sum runs in order from column 0, in Double.
        func apply(_ xs: [[Double]]) -> [[Double]] {
            precondition(xs.allSatisfy { $0.count == columns })
            let inputs = xs.flatMap { $0 }, count = xs.count
            var out = [Double](repeating: 0, count: count * rows)
            let chunk = 16
            out.withUnsafeMutableBufferPointer { out in
                values.withUnsafeBufferPointer { w in
                    inputs.withUnsafeBufferPointer { x in
                        let shared = Shared((out.baseAddress!, w.baseAddress!, x.baseAddress!))
                        DispatchQueue.concurrentPerform(iterations: (rows + chunk - 1) / chunk) { block in
                            let (target, w, x) = shared.value
                            for row in (block * chunk)..<min(rows, (block + 1) * chunk) {
                                Self.row(w + row * columns, x, count, columns) { target[$0 * rows + row] = $1 }
                            }
                        }
                    }
                }
            }
            return (0..<count).map { Array(out[($0 * rows)..<(($0 + 1) * rows)]) }
        }

        /// One weight row against every input, four inputs per pass over the row.
        private static func row(_ w: UnsafePointer<Float>, _ x: UnsafePointer<Double>, _ count: Int, _ columns: Int,
                                _ store: (Int, Double) -> Void) {
            var p = 0
            while p + 4 <= count {
                let (x0, x1, x2, x3) = (x + p * columns, x + (p + 1) * columns, x + (p + 2) * columns, x + (p + 3) * columns)
                var (s0, s1, s2, s3) = (0.0, 0.0, 0.0, 0.0)
                for c in 0..<columns {
                    let weight = Double(w[c])
                    s0 += weight * x0[c]
                    s1 += weight * x1[c]
                    s2 += weight * x2[c]
                    s3 += weight * x3[c]
                }
                store(p, s0); store(p + 1, s1); store(p + 2, s2); store(p + 3, s3)
                p += 4
            }
            for q in p..<count {
                var sum = 0.0
                for c in 0..<columns { sum += Double(w[c]) * x[q * columns + c] }
                store(q, sum)
            }
        }
    }

    struct Layer: Sendable {
        let attentionNorm, ffnNorm: [Double]
        let query, key, value, output, gate, up, down: Matrix
        let queryBias, keyBias, valueBias: [Double]?
        let queryNorm, keyNorm: [Double]?
        let postAttentionNorm, postFFNNorm: [Double]?
    }

    let architecture: String
    let embedding, heads, kvHeads, headSize, ropeDimensions: Int
    let epsilon: Double
    let ropeBase: Double
    /// Angles are multiplied by this (1/factor of linear scaling).
    let ropeScale: Double
    let frequencyFactors: [Double]?
    let slidingWindow: Int
    let tokenEmbedding: Matrix
    let outputNorm: [Double]
    let output: Matrix
    let layers: [Layer]
    public var mistake: Mistake?

    var isGemma3: Bool { architecture == "gemma3" }

    /// Rows of the embedding (token ids run below it).
    public var vocabularySize: Int { tokenEmbedding.rows }

    /// Reads every weight of the file at `path` into Doubles (8 bytes per parameter).
    public init(path: String) throws {
        let file = try GGUFFile(path: path)
        guard let architecture = file["general.architecture"]?.stringValue,
              ["gemma3", "llama", "qwen2", "qwen3"].contains(architecture) else {
            throw GGUFError("the reference does not know this architecture")
        }
        self.architecture = architecture
        let p = architecture + "."
        embedding = try file.requireInt(p + "embedding_length")
        heads = try file.requireInt(p + "attention.head_count")
        kvHeads = try file.requireInt(p + "attention.head_count_kv")
        // Files of the Llama family often leave the head size to be derived, as llama.cpp does.
        headSize = try file[p + "attention.key_length"]?.intValue ?? file.requireInt(p + "embedding_length") / file.requireInt(p + "attention.head_count")
        ropeDimensions = file[p + "rope.dimension_count"]?.intValue ?? headSize
        epsilon = try Self.require(file, p + "attention.layer_norm_rms_epsilon")
        ropeBase = try Self.require(file, p + "rope.freq_base")
        if file[p + "rope.scaling.type"]?.stringValue == "linear" {
            ropeScale = try 1 / Self.require(file, p + "rope.scaling.factor")
        } else {
            ropeScale = 1
        }
        slidingWindow = file[p + "attention.sliding_window"]?.intValue ?? Int.max
        frequencyFactors = try file.tensors["rope_freqs.weight"].map { try Self.vector(file, $0.name) }

        let feedForward = try file.requireInt(p + "feed_forward_length")
        let vocabulary = try file.requireTensor("token_embd.weight").rowCount
        let (d, q, kv) = (embedding, heads * headSize, kvHeads * headSize)
        tokenEmbedding = try Self.matrix(file, "token_embd.weight", columns: d, rows: vocabulary)
        outputNorm = try Self.vector(file, "output_norm.weight")
        output = file.tensors["output.weight"] == nil
            ? tokenEmbedding : try Self.matrix(file, "output.weight", columns: d, rows: vocabulary)
        let hasNormedHeads = architecture == "qwen3" || architecture == "gemma3"
        let gemma3 = architecture == "gemma3"
        layers = try (0..<file.requireInt(p + "block_count")).map { index in
            let b = "blk.\(index)."
            func optional(_ name: String) throws -> [Double]? {
                try file.tensors[b + name].map { try Self.vector(file, $0.name) }
            }
            func required(if condition: Bool, _ name: String) throws -> [Double]? {
                guard condition else { return nil }
                return try Self.vector(file, b + name)
            }
            return Layer(
                attentionNorm: try Self.vector(file, b + "attn_norm.weight"),
                ffnNorm: try Self.vector(file, b + "ffn_norm.weight"),
                query: try Self.matrix(file, b + "attn_q.weight", columns: d, rows: q),
                key: try Self.matrix(file, b + "attn_k.weight", columns: d, rows: kv),
                value: try Self.matrix(file, b + "attn_v.weight", columns: d, rows: kv),
                output: try Self.matrix(file, b + "attn_output.weight", columns: q, rows: d),
                gate: try Self.matrix(file, b + "ffn_gate.weight", columns: d, rows: feedForward),
                up: try Self.matrix(file, b + "ffn_up.weight", columns: d, rows: feedForward),
                down: try Self.matrix(file, b + "ffn_down.weight", columns: feedForward, rows: d),
                queryBias: try optional("attn_q.bias"), keyBias: try optional("attn_k.bias"),
                valueBias: try optional("attn_v.bias"),
                queryNorm: try required(if: hasNormedHeads, "attn_q_norm.weight"),
                keyNorm: try required(if: hasNormedHeads, "attn_k_norm.weight"),
                postAttentionNorm: try required(if: gemma3, "post_attention_norm.weight"),
                postFFNNorm: try required(if: gemma3, "post_ffw_norm.weight"))
        }
    }

    /// The logits after every position of `tokens` (a sequence starting at position 0).
    public func logits(for tokens: [Int32]) -> [[Double]] {
        var x: [[Double]] = tokens.map { token in
            let row = tokenEmbedding.values[Int(token) * embedding..<(Int(token) + 1) * embedding].map(Double.init)
            return isGemma3 ? row.map { $0 * Double(embedding).squareRoot() } : row
        }
        for (index, layer) in layers.enumerated() {
            let attended = attention(layer, index: index, x.map { rmsNorm($0, layer.attentionNorm) })
            for position in x.indices {
                let o = layer.postAttentionNorm.map { rmsNorm(attended[position], $0) } ?? attended[position]
                x[position] = zip(x[position], o).map(+)
            }
            let h = x.map { rmsNorm($0, layer.ffnNorm) }
            let gate = layer.gate.apply(h), up = layer.up.apply(h)
            let activated = zip(gate, up).map { zip($0, $1).map { (isGemma3 ? gelu($0) : silu($0)) * $1 } }
            let f = layer.down.apply(activated)
            for position in x.indices {
                let normed = layer.postFFNNorm.map { rmsNorm(f[position], $0) } ?? f[position]
                x[position] = zip(x[position], normed).map(+)
            }
        }
        return output.apply(x.map { rmsNorm($0, outputNorm) })
    }

    /// `body` for positions 0..<count on every core, in position order.
    static func eachPosition<T: Sendable>(_ count: Int, _ body: @Sendable (Int) -> T) -> [T] {
        let results = ResultSlots<T>(count)
        DispatchQueue.concurrentPerform(iterations: count) { results.set($0, body($0)) }
        return results.values
    }

    /// Self-attention of every position over itself and those before it (in the window).
    private func attention(_ layer: Layer, index: Int, _ h: [[Double]]) -> [[Double]] {
        let global = (index + 1) % 6 == 0
        let local = isGemma3 && !global
        let (queries, keys) = (layer.query.apply(h), layer.key.apply(h))
        let q = h.indices.map { rotatedHeads(queries[$0], layer.queryBias, layer.queryNorm, position: $0, local: local) }
        let k = h.indices.map { rotatedHeads(keys[$0], layer.keyBias, layer.keyNorm, position: $0, local: local) }
        let v = layer.value.apply(h).map { add($0, layer.valueBias) }
        let group = heads / kvHeads
        let window = local && mistake != .noWindow ? slidingWindow : Int.max
        let mixed = Self.eachPosition(h.count) { position in
            var mixed: [Double] = []
            for head in 0..<heads {
                let kvHead = head / group
                let seen = Array(max(0, position - window + 1)...position)
                let query = Array(q[position][head * headSize..<(head + 1) * headSize])
                let scores = seen.map { j in
                    let key = k[j][kvHead * headSize..<(kvHead + 1) * headSize]
                    return zip(query, key).map(*).reduce(0, +) / Double(headSize).squareRoot()
                }
                let top = scores.max()!
                let weights = scores.map { exp($0 - top) }
                let total = weights.reduce(0, +)
                for i in 0..<headSize {
                    mixed.append(zip(seen, weights).map { j, w in w * v[j][kvHead * headSize + i] }.reduce(0, +) / total)
                }
            }
            return mixed
        }
        return layer.output.apply(mixed)
    }

    /// Bias, per-head RMSNorm (where the architecture has it) and RoPE of one row of Q or K.
    private func rotatedHeads(_ row: [Double], _ bias: [Double]?, _ norm: [Double]?, position: Int, local: Bool) -> [Double] {
        let row = add(row, bias)
        var out: [Double] = []
        for start in stride(from: 0, to: row.count, by: headSize) {
            let head = Array(row[start..<start + headSize])
            out += rope(norm.map { rmsNorm(head, $0) } ?? head, position: position, local: local)
        }
        return out
    }

    /// Rotates the first `ropeDimensions` of a head by θ_i = p · base^(−2i/n): llama pairs
    /// (2i, 2i+1), the NeoX-style architectures (i, i + n/2).
    private func rope(_ head: [Double], position: Int, local: Bool) -> [Double] {
        let n = ropeDimensions
        // Gemma 3's local layers: base 10 000 and no scaling (llama.cpp's *_swa parameters).
        let base = local && mistake != .oneRopeBase ? 10_000 : ropeBase
        let scale = local ? 1 : ropeScale
        let adjacent = (architecture == "llama") != (mistake == .otherPairing)
        var out = head
        for i in 0..<n / 2 {
            var theta = Double(position) * pow(base, -2 * Double(i) / Double(n)) * scale
            if let factors = frequencyFactors { theta /= factors[i] }
            let (a, b) = adjacent ? (2 * i, 2 * i + 1) : (i, i + n / 2)
            out[a] = head[a] * cos(theta) - head[b] * sin(theta)
            out[b] = head[a] * sin(theta) + head[b] * cos(theta)
        }
        return out
    }

    private func rmsNorm(_ v: [Double], _ weight: [Double]) -> [Double] {
        let scale = 1 / (v.map { $0 * $0 }.reduce(0, +) / Double(v.count) + epsilon).squareRoot()
        return zip(v, weight).map { $0 * scale * $1 }
    }

    private func add(_ v: [Double], _ bias: [Double]?) -> [Double] {
        bias.map { zip(v, $0).map(+) } ?? v
    }

    private func silu(_ x: Double) -> Double { x / (1 + exp(-x)) }

    /// GELU, tanh approximation.
    private func gelu(_ x: Double) -> Double {
        0.5 * x * (1 + tanh((2 / Double.pi).squareRoot() * (x + 0.044715 * x * x * x)))
    }

    // MARK: Reading

    private static func require(_ file: GGUFFile, _ key: String) throws -> Double {
        guard let value = file[key]?.doubleValue else { throw GGUFError("missing \(key)") }
        return value
    }

    private static func floats(_ file: GGUFFile, _ tensor: GGUFTensor, count: Int) -> [Float] {
        var floats = [Float](repeating: 0, count: count)
        floats.withUnsafeMutableBufferPointer { out in
            ReferenceDequantize.row(tensor.type, file.data(of: tensor), count: count, into: out.baseAddress!)
        }
        return floats
    }

    private static func vector(_ file: GGUFFile, _ name: String) throws -> [Double] {
        let tensor = try file.requireTensor(name)
        return floats(file, tensor, count: tensor.elementCount).map(Double.init)
    }

    private static func matrix(_ file: GGUFFile, _ name: String, columns: Int, rows: Int) throws -> Matrix {
        let tensor = try file.requireTensor(name)
        guard tensor.dimensions == [columns, rows] else {
            throw GGUFError("\(name) is \(tensor.dimensions), not [\(columns), \(rows)]")
        }
        return Matrix(rows: rows, columns: columns, values: floats(file, tensor, count: columns * rows))
    }
}

/// One slot per position, each written once by the thread computing it.
private final class ResultSlots<T: Sendable>: @unchecked Sendable {
    private var slots: [T?]
    private let lock = NSLock()

    init(_ count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ value: T) {
        lock.lock()
        slots[index] = value
        lock.unlock()
    }

    var values: [T] { slots.map { $0! } }
}

/// Pointers `Matrix.apply`'s threads share: they read the inputs and write distinct outputs.
private struct Shared<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
