import CGrokKernels
import Foundation

extension Gemma3Model {
    /// Grouped-query attention for `batch` new positions; writes W_o · attention into `out`.
    func attention(
        _ block: Gemma3Block, index: Int, input: UnsafeMutablePointer<Float>, batch: Int, cache: KVCache,
        into out: UnsafeMutablePointer<Float>
    ) {
        let c = config
        let size = c.headSize
        let qWidth = c.heads * size
        let kvWidth = c.kvHeads * size
        let q = workspace.floats("q", batch * qWidth)
        let k = workspace.floats("k", batch * kvWidth)
        let v = workspace.floats("v", batch * kvWidth)
        let mixed = workspace.floats("mixed", batch * qWidth)
        let inputs = workspace.quantize(
            input, rows: batch, columns: c.embedding, for: [block.query.type, block.key.type, block.value.type], pool: pool)
        pool.matMul([
            MatMulJob(weight: block.query, input: inputs[0], output: q),
            MatMulJob(weight: block.key, input: inputs[1], output: k),
            MatMulJob(weight: block.value, input: inputs[2], output: v),
        ])
        trace("Qcur-\(index)", q, batch * qWidth)
        trace("Kcur-\(index)", k, batch * kvWidth)
        trace("Vcur-\(index)", v, batch * kvWidth)

        let global = c.isGlobal(layer: index)
        let base = global ? c.globalRopeBase : c.localRopeBase
        let first = cache.count
        // QK-norm per head, then RoPE at each token's position; Q also takes the 1/√head scale.
        VectorMath.rmsNorm(q, rows: batch * c.heads, weight: block.queryNorm.values, epsilon: c.rmsEpsilon)
        VectorMath.rmsNorm(k, rows: batch * c.kvHeads, weight: block.keyNorm.values, epsilon: c.rmsEpsilon)
        let scale = 1 / Float(size).squareRoot()
        for b in 0..<batch {
            for h in 0..<c.heads {
                let head = q + b * qWidth + h * size
                VectorMath.rope(head, size: size, position: first + b, base: base)
                for i in 0..<size { head[i] *= scale }
            }
            for h in 0..<c.kvHeads {
                VectorMath.rope(k + b * kvWidth + h * size, size: size, position: first + b, base: base)
            }
        }
        cache.append(layer: index, keys: k, values: v, positions: batch)
        attend(q: q, batch: batch, first: first, global: global, layer: index, cache: cache, into: mixed)
        trace("kqv_out-\(index)", mixed, batch * qWidth)
        let attended = workspace.quantize(mixed, rows: batch, columns: qWidth, for: [block.output.type], pool: pool)[0]
        pool.matMul([MatMulJob(weight: block.output, input: attended, output: out)])
    }

    /// softmax(q·K)·V for every new position and query head, shared across the worker threads.
    /// Local layers see the last `slidingWindow` positions; global layers see all of them.
    private func attend(
        q: UnsafeMutablePointer<Float>, batch: Int, first: Int, global: Bool, layer: Int, cache: KVCache,
        into out: UnsafeMutablePointer<Float>
    ) {
        let c = config
        let size = c.headSize
        let qWidth = c.heads * size
        let kvWidth = c.kvHeads * size
        let group = c.heads / c.kvHeads
        // The query in f16, as the kernel (and llama.cpp) multiplies it with the f16 keys.
        let queries = workspace.floats("q16", (batch * qWidth + 1) / 2)
        let q16 = UnsafeMutableRawPointer(queries).assumingMemoryBound(to: UInt16.self)
        grok_f16_from_f32_row(q, q16, Int64(batch * qWidth))
        cache.withLayer(layer) { keys, values in
            pool.run(chunks: batch * c.heads) { task in
                let (b, h) = task.quotientAndRemainder(dividingBy: c.heads)
                let position = first + b
                let start = global ? 0 : max(0, position - c.slidingWindow + 1)
                let offset = start * kvWidth + (h / group) * size
                grok_attend_f16(
                    q16 + b * qWidth + h * size, keys + offset, values + offset, Int64(kvWidth),
                    Int64(position - start + 1), Int64(size), out + b * qWidth + h * size)
            }
        }
    }
}
