import CGrokKernels

/// The C kernels' instruction-set choice, visible to status output and tests.
public enum Kernels {
    /// Levels, best last (the C header's GROK_ISA_*).
    public enum Level: Int32, Sendable, CaseIterable {
        case portable = 0
        case avx2 = 1
        case avx512VNNI = 2

        public var name: String { String(cString: grok_kernels_isa_name(rawValue)) }
    }

    /// The level in use: the best the CPU supports unless lowered with `use(_:)`.
    public static var level: Level { Level(rawValue: grok_kernels_isa()) ?? .portable }

    /// Whether attention runs on the CPU's native f16 arithmetic (AVX-512 FP16).
    public static var nativeF16: Bool { grok_kernels_native_f16() != 0 }

    /// A one-line description, e.g. "avx512-vnni, native f16".
    public static var summary: String { level.name + (nativeF16 ? ", native f16" : "") }

    /// Uses `level`, or the best supported level below it; returns the level now in use.
    @discardableResult
    public static func use(_ level: Level) -> Level {
        Level(rawValue: grok_kernels_set_isa(level.rawValue)) ?? .portable
    }
}

/// Rows of activations quantised for the weights they are multiplied with (Q8_0, Q8_K, f16 …).
/// Grows as needed and is reused between steps, so steady decoding allocates nothing.
final class QuantizedActivations {
    private(set) var base: UnsafeMutableRawPointer
    private var capacity: Int
    private(set) var rowBytes = 0
    private(set) var rows = 0

    init() {
        capacity = 1 << 16
        base = .allocate(byteCount: capacity, alignment: 64)
    }

    deinit { base.deallocate() }

    /// Quantises `rows` rows of `columns` floats for weights of `type`, rows shared across `pool`.
    func load(_ x: UnsafePointer<Float>, rows: Int, columns: Int, for type: GGMLType, pool: WorkerPool) {
        let rowBytes = grok_activation_row_bytes(Int32(type.rawValue), Int64(columns))
        precondition(rowBytes > 0, "no activation format for \(type.name) rows of \(columns)")
        reserve(rowBytes * rows)
        let base = base
        let perChunk = 16
        pool.run(chunks: (rows + perChunk - 1) / perChunk) { chunk in
            for row in (chunk * perChunk)..<min(rows, (chunk + 1) * perChunk) {
                grok_quantize_activation(Int32(type.rawValue), x + row * columns, base + row * rowBytes, Int64(columns))
            }
        }
        self.rowBytes = rowBytes
        self.rows = rows
    }

    private func reserve(_ bytes: Int) {
        guard bytes > capacity else { return }
        base.deallocate()
        capacity = max(bytes, capacity * 2)
        base = .allocate(byteCount: capacity, alignment: 64)
    }
}

/// One weight matrix times quantised activation rows, into `output` (rows × outputs), each
/// group of rows under its own rounding rule.
struct MatMulJob {
    let weight: WeightMatrix
    let input: QuantizedActivations
    let output: UnsafeMutablePointer<Float>
    /// The activation rows by rounding rule, consecutive and in order.
    let groups: [RowGroup]
    /// The same for the packed kernels.
    private let described: [grok_row_group]

    init(weight: WeightMatrix, input: QuantizedActivations, output: UnsafeMutablePointer<Float>, groups: [RowGroup]) {
        self.weight = weight
        self.input = input
        self.output = output
        self.groups = groups
        described = groups.map { grok_row_group(start: Int64($0.start), count: Int64($0.count), alone: $0.alone ? 1 : 0) }
    }

    /// Rows [start, end) of the weight matrix (output columns) for every group.
    func run(rows range: Range<Int>) {
        // The packed copy while its kernels are in use (tests may lower the level: then the
        // file's), for all groups in one pass over the weights.
        if let packed = weight.packed, grok_packed_preferred() != 0 {
            grok_matmul_packed(
                Int32(weight.type.rawValue), packed.base, Int64(weight.columns), Int64(range.lowerBound),
                Int64(range.upperBound), input.base, input.rowBytes, described, Int64(described.count), output,
                Int64(weight.rows))
            return
        }
        for group in groups {
            let matmul = group.alone ? grok_matmul_rows_alone : grok_matmul
            matmul(
                Int32(weight.type.rawValue), weight.base, weight.rowBytes, Int64(weight.columns),
                Int64(range.lowerBound), Int64(range.upperBound),
                input.base + group.start * input.rowBytes, input.rowBytes, Int64(group.count),
                output + group.start * weight.rows, Int64(weight.rows))
        }
    }

    /// The product for each group of rows (one rounding rule per group), as one job.
    static func grouped(_ weight: WeightMatrix, _ input: QuantizedActivations, _ output: UnsafeMutablePointer<Float>,
                        _ groups: [RowGroup]) -> [MatMulJob] {
        groups.isEmpty ? [] : [MatMulJob(weight: weight, input: input, output: output, groups: groups)]
    }
}

extension WorkerPool {
    /// Runs the jobs together, split into chunks of rows that all threads share.
    func matMul(_ jobs: [MatMulJob]) {
        var pieces: [(job: Int, rows: Range<Int>)] = []
        let totalRows = jobs.reduce(0) { $0 + $1.weight.rows }
        // Enough chunks to balance two threads, large enough to keep the per-chunk cost small.
        // Multiples of 16 rows: packed matrices are computed sixteen rows at a time.
        let chunkRows = max(16, totalRows / (threads * 16) / 16 * 16)
        for (index, job) in jobs.enumerated() {
            var start = 0
            while start < job.weight.rows {
                let end = min(job.weight.rows, start + chunkRows)
                pieces.append((index, start..<end))
                start = end
            }
        }
        pieces.withUnsafeBufferPointer { pieces in
            jobs.withUnsafeBufferPointer { jobs in
                run(chunks: pieces.count) { chunk in
                    let piece = pieces[chunk]
                    jobs[piece.job].run(rows: piece.rows)
                }
            }
        }
    }
}
