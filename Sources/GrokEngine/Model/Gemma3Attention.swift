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
        let q = UnsafeMutablePointer<Float>.allocate(capacity: batch * qWidth)
        let k = UnsafeMutablePointer<Float>.allocate(capacity: batch * kvWidth)
        let v = UnsafeMutablePointer<Float>.allocate(capacity: batch * kvWidth)
        let mixed = UnsafeMutablePointer<Float>.allocate(capacity: batch * qWidth)
        defer {
            q.deallocate()
            k.deallocate()
            v.deallocate()
            mixed.deallocate()
        }
        VectorMath.matMul(block.query, input, batch: batch, into: q, threads: threads)
        VectorMath.matMul(block.key, input, batch: batch, into: k, threads: threads)
        VectorMath.matMul(block.value, input, batch: batch, into: v, threads: threads)
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
                // Scaled, then held at f16 like the cache it is compared with.
                for i in 0..<size { head[i] = Half.round(head[i] * scale) }
            }
            for h in 0..<c.kvHeads {
                VectorMath.rope(k + b * kvWidth + h * size, size: size, position: first + b, base: base)
            }
            cache.append(layer: index, key: k + b * kvWidth, value: v + b * kvWidth)
        }
        cache.withLayer(index) { keys, values in
            for b in 0..<batch {
                let position = first + b
                let start = global ? 0 : max(0, position - c.slidingWindow + 1)
                attend(q: q + b * qWidth, keys: keys, values: values, range: start...position, into: mixed + b * qWidth)
            }
        }
        trace("kqv_out-\(index)", mixed, batch * qWidth)
        VectorMath.matMul(block.output, mixed, batch: batch, into: out, threads: threads)
    }

    /// softmax(q·K) · V over cached positions `range`, for every query head.
    ///
    /// Online softmax in one pass, with the value sum held at f16 precision as llama.cpp's
    /// CPU flash attention holds it, so that both engines see the same numbers.
    private func attend(
        q: UnsafePointer<Float>, keys: UnsafePointer<Float>, values: UnsafePointer<Float>, range: ClosedRange<Int>,
        into out: UnsafeMutablePointer<Float>
    ) {
        let c = config
        let size = c.headSize
        let kvWidth = c.kvHeads * size
        let group = c.heads / c.kvHeads
        for h in 0..<c.heads {
            let query = q + h * size
            let kvOffset = (h / group) * size
            let head = out + h * size
            head.initialize(repeating: 0, count: size)
            var maximum = -Float.infinity
            var total: Float = 0
            for position in range {
                let score = Self.halfDot(query, keys + position * kvWidth + kvOffset, size)
                var shrink: Float = 1
                var weight: Float = 1
                if score > maximum {
                    shrink = maximum == -.infinity ? 0 : exp(maximum - score)
                    maximum = score
                    for i in 0..<size { head[i] = Half.round(head[i] * shrink) }
                } else {
                    weight = exp(score - maximum)
                }
                let value = values + position * kvWidth + kvOffset
                for i in 0..<size { head[i] = Half.round(head[i].addingProduct(value[i], weight)) }
                total = total * shrink + weight
            }
            let inverse = 1 / total
            for i in 0..<size { head[i] *= inverse }
        }
    }

    /// q·k for f16-valued vectors, summed in ggml's order (four 16-lane fused accumulators
    /// over 64-element steps, then a pairwise reduction), so scores agree to the last bit.
    static func halfDot(_ q: UnsafePointer<Float>, _ k: UnsafePointer<Float>, _ count: Int) -> Float {
        var (l0, l1, l2, l3) = (SIMD16<Float>.zero, SIMD16<Float>.zero, SIMD16<Float>.zero, SIMD16<Float>.zero)
        let steps = count / 64
        let rq = UnsafeRawPointer(q)
        let rk = UnsafeRawPointer(k)
        @inline(__always) func lane(_ offset: Int) -> (SIMD16<Float>, SIMD16<Float>) {
            (rq.loadUnaligned(fromByteOffset: offset, as: SIMD16<Float>.self),
             rk.loadUnaligned(fromByteOffset: offset, as: SIMD16<Float>.self))
        }
        for step in 0..<steps {
            let base = step * 256
            let (a0, b0) = lane(base), (a1, b1) = lane(base + 64), (a2, b2) = lane(base + 128), (a3, b3) = lane(base + 192)
            l0 = l0.addingProduct(a0, b0)
            l1 = l1.addingProduct(a1, b1)
            l2 = l2.addingProduct(a2, b2)
            l3 = l3.addingProduct(a3, b3)
        }
        let half = (l0 + l2) + (l1 + l3)
        let eight = half.highHalf + half.lowHalf
        let four = eight.highHalf + eight.lowHalf
        var sum = Double((four[0] + four[2]) + (four[1] + four[3]))
        for i in (steps * 64)..<count { sum += Double(q[i] * k[i]) }
        return Float(sum)
    }
}
