import CGrokKernels

/// Keys and values of one sequence, per layer, for every position so far, in f16 (like
/// llama.cpp's default cache, so that attention sees the same numbers).
///
/// Storage is owned here and grows by doubling; the pointers it hands out stay valid until
/// the next append.
public final class KVCache {
    let layers: Int
    let width: Int
    public private(set) var capacity: Int
    public private(set) var count = 0
    private var keys: [UnsafeMutablePointer<UInt16>]
    private var values: [UnsafeMutablePointer<UInt16>]
    /// Positions the buffers hold now (grows up to `capacity`).
    private var allocated: Int
    /// Positions appended to each layer (layers fill in turn during a step).
    private var filled: [Int]

    init(layers: Int, width: Int, capacity: Int) {
        self.layers = layers
        self.width = width
        self.capacity = capacity
        // Room for a typical prompt up front; longer sequences grow the buffers as they go.
        let initial = max(1, min(capacity, 256))
        allocated = initial
        keys = (0..<layers).map { _ in .allocate(capacity: initial * width) }
        values = (0..<layers).map { _ in .allocate(capacity: initial * width) }
        filled = Array(repeating: 0, count: layers)
    }

    deinit {
        for pointer in keys + values { pointer.deallocate() }
    }

    /// Bytes held for keys and values.
    public var bytes: Int { 2 * layers * allocated * width * MemoryLayout<UInt16>.size }

    /// Appends `positions` rows of key and value for `layer`, rounded to f16.
    func append(layer: Int, keys newKeys: UnsafePointer<Float>, values newValues: UnsafePointer<Float>, positions: Int) {
        reserve(filled[layer] + positions)
        let offset = filled[layer] * width
        grok_f16_from_f32_row(newKeys, keys[layer] + offset, Int64(positions * width))
        grok_f16_from_f32_row(newValues, values[layer] + offset, Int64(positions * width))
        filled[layer] += positions
    }

    private func reserve(_ positions: Int) {
        guard positions > allocated else { return }
        let grown = max(positions, min(max(capacity, positions), allocated * 2))
        for layer in 0..<layers {
            keys[layer] = Self.moved(keys[layer], filled[layer] * width, to: grown * width)
            values[layer] = Self.moved(values[layer], filled[layer] * width, to: grown * width)
        }
        allocated = grown
    }

    private static func moved(_ old: UnsafeMutablePointer<UInt16>, _ used: Int, to size: Int) -> UnsafeMutablePointer<UInt16> {
        let new = UnsafeMutablePointer<UInt16>.allocate(capacity: size)
        new.update(from: old, count: used)
        old.deallocate()
        return new
    }

    /// Marks `added` new positions as complete (after every layer appended them).
    func advance(by added: Int) { count += added }

    /// Keys and values of `layer`, position 0 first, `width` values per position.
    func layer(_ layer: Int) -> (keys: UnsafePointer<UInt16>, values: UnsafePointer<UInt16>) {
        (UnsafePointer(keys[layer]), UnsafePointer(values[layer]))
    }

    /// Forgets everything after the first `length` positions (to reuse a common prefix).
    public func truncate(to length: Int) {
        guard length < count else { return }
        count = length
        for layer in 0..<layers { filled[layer] = length }
    }
}
