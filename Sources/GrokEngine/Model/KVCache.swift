import CGrokKernels

/// Keys and values of one sequence, per layer, for every position so far, in f16 (like
/// llama.cpp's default cache, so that attention sees the same numbers).
public final class KVCache {
    let layers: Int
    let width: Int
    public private(set) var capacity: Int
    public private(set) var count = 0
    private var keys: [[UInt16]]
    private var values: [[UInt16]]

    init(layers: Int, width: Int, capacity: Int) {
        self.layers = layers
        self.width = width
        self.capacity = capacity
        keys = Array(repeating: [], count: layers)
        values = Array(repeating: [], count: layers)
        // Room for a typical prompt up front; longer sequences grow the arrays as they go.
        let reserved = min(capacity, 1024) * width
        for layer in 0..<layers {
            keys[layer].reserveCapacity(reserved)
            values[layer].reserveCapacity(reserved)
        }
    }

    /// Appends `positions` rows of key and value for `layer`, rounded to f16.
    func append(layer: Int, keys newKeys: UnsafePointer<Float>, values newValues: UnsafePointer<Float>, positions: Int) {
        Self.appendHalf(&keys[layer], newKeys, positions * width)
        Self.appendHalf(&values[layer], newValues, positions * width)
    }

    private static func appendHalf(_ array: inout [UInt16], _ source: UnsafePointer<Float>, _ count: Int) {
        let start = array.count
        array.append(contentsOf: repeatElement(0, count: count))
        array.withUnsafeMutableBufferPointer { out in
            grok_f16_from_f32_row(source, out.baseAddress! + start, Int64(count))
        }
    }

    /// Marks `added` new positions as complete (after every layer appended them).
    func advance(by added: Int) { count += added }

    func withLayer<R>(_ layer: Int, _ body: (UnsafePointer<UInt16>, UnsafePointer<UInt16>) -> R) -> R {
        keys[layer].withUnsafeBufferPointer { k in
            values[layer].withUnsafeBufferPointer { v in body(k.baseAddress!, v.baseAddress!) }
        }
    }

    /// Forgets everything after the first `length` positions (to reuse a common prefix).
    public func truncate(to length: Int) {
        guard length < count else { return }
        for layer in 0..<layers {
            keys[layer].removeLast((count - length) * width)
            values[layer].removeLast((count - length) * width)
        }
        count = length
    }
}
