/// Keys and values of one sequence, per layer, for every position so far.
///
/// Values are rounded through Float16 as they are stored, like llama.cpp's default F16
/// cache, so that attention sees the same numbers.
public final class KVCache {
    let layers: Int
    let width: Int
    public private(set) var capacity: Int
    public private(set) var count = 0
    private var keys: [[Float]]
    private var values: [[Float]]

    init(layers: Int, width: Int, capacity: Int) {
        self.layers = layers
        self.width = width
        self.capacity = capacity
        keys = Array(repeating: [], count: layers)
        values = Array(repeating: [], count: layers)
        for layer in 0..<layers {
            keys[layer].reserveCapacity(capacity * width)
            values[layer].reserveCapacity(capacity * width)
        }
    }

    /// Appends one position's key and value for `layer`.
    func append(layer: Int, key: UnsafePointer<Float>, value: UnsafePointer<Float>) {
        for i in 0..<width {
            keys[layer].append(Half.round(key[i]))
            values[layer].append(Half.round(value[i]))
        }
    }

    /// Marks `added` new positions as complete (after every layer appended them).
    func advance(by added: Int) { count += added }

    func withLayer<R>(_ layer: Int, _ body: (UnsafePointer<Float>, UnsafePointer<Float>) -> R) -> R {
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
