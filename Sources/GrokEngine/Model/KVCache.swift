import CGrokKernels

/// Keys and values of one sequence, per layer, in f16 (like llama.cpp's default cache, so that
/// attention sees the same numbers).
///
/// Global layers keep every position. Sliding-window layers keep only what their window can
/// still see: when a layer's buffer is full, the positions older than the window of the next
/// rows are dropped and the rest moved to the front, so a long sequence holds about two windows
/// per local layer instead of its whole length. Positions stay in order in one contiguous run,
/// so attention reads them exactly as it would from a full cache.
///
/// Storage is owned here and grows by doubling; the pointers it hands out stay valid until the
/// next append.
public final class KVCache {
    let layers: Int
    let width: Int
    /// Positions a sliding-window layer must keep before a new row (nil: global layer).
    let windows: [Int?]
    public private(set) var capacity: Int
    public private(set) var count = 0
    private var keys: [UnsafeMutablePointer<UInt16>]
    private var values: [UnsafeMutablePointer<UInt16>]
    /// Positions each layer's buffers hold room for.
    private var allocated: [Int]
    /// Position of each layer's first stored row (0 unless a window dropped older ones).
    private var origin: [Int]
    /// Positions appended to each layer (layers fill in turn during a step).
    private var filled: [Int]

    /// `windows[layer]` is the sliding window of a local layer, nil for a global one.
    init(width: Int, capacity: Int, windows: [Int?]) {
        layers = windows.count
        self.width = width
        self.capacity = capacity
        self.windows = windows
        // Room for a typical prompt up front; longer sequences grow the buffers as they go.
        let initial = max(1, min(capacity, 256))
        allocated = Array(repeating: initial, count: layers)
        keys = (0..<layers).map { _ in .allocate(capacity: initial * width) }
        values = (0..<layers).map { _ in .allocate(capacity: initial * width) }
        origin = Array(repeating: 0, count: layers)
        filled = Array(repeating: 0, count: layers)
    }

    deinit {
        for pointer in keys + values { pointer.deallocate() }
    }

    /// Bytes held for keys and values.
    public var bytes: Int { allocated.reduce(0) { $0 + Self.bytes(positions: $1, width: width) } }

    /// The most bytes a cache of `positions` (its capacity) can come to hold, with steps of at
    /// most `step` rows.
    static func bytesBound(positions: Int, width: Int, windows: [Int?], step: Int) -> Int {
        windows.reduce(0) { total, window in
            total + bytes(positions: min(positions, window.map { 2 * ($0 + step) } ?? positions), width: width)
        }
    }

    private static func bytes(positions: Int, width: Int) -> Int { 2 * positions * width * MemoryLayout<UInt16>.size }

    /// Appends `positions` rows of key and value for `layer`, rounded to f16.
    func append(layer: Int, keys newKeys: UnsafePointer<Float>, values newValues: UnsafePointer<Float>, positions: Int) {
        makeRoom(layer: layer, adding: positions)
        let offset = (filled[layer] - origin[layer]) * width
        grok_f16_from_f32_row(newKeys, keys[layer] + offset, Int64(positions * width))
        grok_f16_from_f32_row(newValues, values[layer] + offset, Int64(positions * width))
        filled[layer] += positions
    }

    private func makeRoom(layer: Int, adding positions: Int) {
        let needed = filled[layer] + positions - origin[layer]
        guard needed > allocated[layer] else { return }
        if let window = windows[layer] {
            // The first new row sees back to filled − window + 1; older rows are never read again.
            let keep = max(origin[layer], filled[layer] - window + 1)
            if keep > origin[layer] {
                let shift = (keep - origin[layer]) * width
                let used = (filled[layer] - keep) * width
                keys[layer].update(from: keys[layer] + shift, count: used)
                values[layer].update(from: values[layer] + shift, count: used)
                origin[layer] = keep
            }
            let stillNeeded = filled[layer] + positions - origin[layer]
            guard stillNeeded > allocated[layer] else { return }
            // A window layer settles at about two windows plus a step, whatever the length.
            grow(layer: layer, to: max(stillNeeded, min(2 * (window + positions), 2 * allocated[layer], capacity)))
        } else {
            grow(layer: layer, to: max(needed, min(max(capacity, needed), 2 * allocated[layer])))
        }
    }

    private func grow(layer: Int, to size: Int) {
        let used = (filled[layer] - origin[layer]) * width
        keys[layer] = Self.moved(keys[layer], used, to: size * width)
        values[layer] = Self.moved(values[layer], used, to: size * width)
        allocated[layer] = size
    }

    private static func moved(_ old: UnsafeMutablePointer<UInt16>, _ used: Int, to size: Int) -> UnsafeMutablePointer<UInt16> {
        let new = UnsafeMutablePointer<UInt16>.allocate(capacity: size)
        new.update(from: old, count: used)
        old.deallocate()
        return new
    }

    /// Marks `added` new positions as complete (after every layer appended them).
    func advance(by added: Int) { count += added }

    /// Keys and values of `layer` from position `first` on (`width` values per position).
    /// `first` must still be held: not older than the layer's window allows.
    func layer(_ layer: Int, from first: Int) -> (keys: UnsafePointer<UInt16>, values: UnsafePointer<UInt16>) {
        precondition(first >= origin[layer], "position \(first) left layer \(layer)'s window")
        let offset = (first - origin[layer]) * width
        return (UnsafePointer(keys[layer] + offset), UnsafePointer(values[layer] + offset))
    }

    /// Whether the first `length` positions can be kept and continued: every window layer
    /// still holds what the next position's window sees.
    public func canTruncate(to length: Int) -> Bool {
        guard length < count else { return true }
        return (0..<layers).allSatisfy { layer in
            guard let window = windows[layer] else { return true }
            return origin[layer] <= max(0, length - window + 1)
        }
    }

    /// Forgets everything after the first `length` positions (to reuse a common prefix);
    /// check `canTruncate(to:)` first.
    public func truncate(to length: Int) {
        guard length < count else { return }
        precondition(canTruncate(to: length), "cannot truncate to \(length): the window moved past it")
        count = length
        for layer in 0..<layers { filled[layer] = length }
    }
}
