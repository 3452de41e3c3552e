import CGrokKernels
import Foundation

extension LanguageModel {
    /// Grouped-query attention for every row of the step (each row attends within its own
    /// sequence); writes W_o · attention into `out`.
    func attention(
        _ block: TransformerBlock, index: Int, input: UnsafeMutablePointer<Float>, layout: StepLayout,
        into out: UnsafeMutablePointer<Float>
    ) {
        let c = config
        let rows = layout.rows
        let size = c.headSize
        let qWidth = c.heads * size
        let kvWidth = c.kvHeads * size
        let q = workspace.floats("q", rows * qWidth)
        let k = workspace.floats("k", rows * kvWidth)
        let v = workspace.floats("v", rows * kvWidth)
        let mixed = workspace.floats("mixed", rows * qWidth)
        let inputs = workspace.quantize(
            input, rows: rows, columns: c.embedding, for: [block.query.type, block.key.type, block.value.type], pool: pool)
        pool.matMul(
            MatMulJob.grouped(block.query, inputs[0], q, layout.groups) + MatMulJob.grouped(block.key, inputs[1], k, layout.groups)
                + MatMulJob.grouped(block.value, inputs[2], v, layout.groups))
        trace("Qcur-\(index)", q, rows * qWidth)
        trace("Kcur-\(index)", k, rows * kvWidth)
        trace("Vcur-\(index)", v, rows * kvWidth)

        if let bias = block.queryBias { VectorMath.addBias(bias.values, to: q, rows: rows) }
        if let bias = block.keyBias { VectorMath.addBias(bias.values, to: k, rows: rows) }
        if let bias = block.valueBias { VectorMath.addBias(bias.values, to: v, rows: rows) }
        // QK-norm per head, then RoPE at each row's position; Q also takes the score scale.
        if let norm = block.queryNorm { VectorMath.rmsNorm(q, rows: rows * c.heads, weight: norm.values, epsilon: c.rmsEpsilon) }
        if let norm = block.keyNorm { VectorMath.rmsNorm(k, rows: rows * c.kvHeads, weight: norm.values, epsilon: c.rmsEpsilon) }
        let scale = c.attentionScale
        let angles = workspace.floats("rope", c.rope.dimensions)
        for segment in layout.segments {
            for b in 0..<segment.count {
                let row = segment.start + b
                c.rope.angles(position: segment.first + b, layer: index, into: angles)
                for h in 0..<c.heads {
                    let head = q + row * qWidth + h * size
                    c.rope.rotate(head, by: angles)
                    for i in 0..<size { head[i] *= scale }
                }
                for h in 0..<c.kvHeads { c.rope.rotate(k + row * kvWidth + h * size, by: angles) }
            }
            segment.cache.append(layer: index, keys: k + segment.start * kvWidth, values: v + segment.start * kvWidth, positions: segment.count)
        }
        attend(q: q, layout: layout, window: c.windows[index], layer: index, into: mixed)
        trace("kqv_out-\(index)", mixed, rows * qWidth)
        let attended = workspace.quantize(mixed, rows: rows, columns: qWidth, for: [block.output.type], pool: pool)[0]
        pool.matMul(MatMulJob.grouped(block.output, attended, out, layout.groups))
        if let bias = block.outputBias { VectorMath.addBias(bias.values, to: out, rows: rows) }
    }

    /// softmax(q·K)·V for every row and query head, shared across the worker threads. Windowed
    /// layers see the last `window` positions; global layers see all of them.
    private func attend(
        q: UnsafeMutablePointer<Float>, layout: StepLayout, window: Int?, layer: Int, into out: UnsafeMutablePointer<Float>
    ) {
        let c = config
        let size = c.headSize
        let qWidth = c.heads * size
        let kvWidth = c.kvHeads * size
        let group = c.heads / c.kvHeads
        // The query in f16, as the kernel (and llama.cpp) multiplies it with the f16 keys.
        let queries = workspace.floats("q16", (layout.rows * qWidth + 1) / 2)
        let q16 = UnsafeMutableRawPointer(queries).assumingMemoryBound(to: UInt16.self)
        grok_f16_from_f32_row(q, q16, Int64(layout.rows * qWidth))
        // Per row: its sequence's cache of this layer from the first position it sees, and how many.
        var rowsOf: [(keys: UnsafePointer<UInt16>, values: UnsafePointer<UInt16>, count: Int)] = []
        rowsOf.reserveCapacity(layout.rows)
        for segment in layout.segments {
            for b in 0..<segment.count {
                let position = segment.first + b
                let start = window.map { max(0, position - $0 + 1) } ?? 0
                let cache = segment.cache.layer(layer, from: start)
                rowsOf.append((cache.keys, cache.values, position - start + 1))
            }
        }
        rowsOf.withUnsafeBufferPointer { rowsOf in
            pool.run(chunks: layout.rows * c.heads) { task in
                let (row, h) = task.quotientAndRemainder(dividingBy: c.heads)
                let (keys, values, count) = rowsOf[row]
                let offset = (h / group) * size
                grok_attend_f16(
                    q16 + row * qWidth + h * size, keys + offset, values + offset, Int64(kvWidth),
                    Int64(count), Int64(size), out + row * qWidth + h * size)
            }
        }
    }
}
