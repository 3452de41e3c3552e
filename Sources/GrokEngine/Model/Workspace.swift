import CGrokKernels

/// Scratch memory of one forward pass, kept between passes so that steady decoding allocates
/// nothing: float buffers by name and size, and quantised activations per format.
final class Workspace {
    private var buffers: [String: (pointer: UnsafeMutablePointer<Float>, count: Int)] = [:]
    private var formats: [UInt32: QuantizedActivations] = [:]

    deinit {
        for (pointer, _) in buffers.values { pointer.deallocate() }
    }

    /// A buffer of at least `count` floats, the same one each time `name` is asked for.
    func floats(_ name: String, _ count: Int) -> UnsafeMutablePointer<Float> {
        if let buffer = buffers[name], buffer.count >= count { return buffer.pointer }
        buffers[name]?.pointer.deallocate()
        let pointer = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
        buffers[name] = (pointer, count)
        return pointer
    }

    /// Quantises `x` (rows × columns) once per activation format the given weights need and
    /// returns the activations for each weight type.
    func quantize(
        _ x: UnsafePointer<Float>, rows: Int, columns: Int, for types: [GGMLType], pool: WorkerPool
    ) -> [QuantizedActivations] {
        var done: Set<UInt32> = []
        return types.map { type in
            let format = Self.format(of: type)
            let slot = formats[format] ?? QuantizedActivations()
            formats[format] = slot
            if done.insert(format).inserted { slot.load(x, rows: rows, columns: columns, for: type, pool: pool) }
            return slot
        }
    }

    /// The activation format a weight type multiplies with (types sharing one share the slot).
    private static func format(of type: GGMLType) -> UInt32 {
        switch type {
        case .q4_0, .q5_0, .q8_0, .iq4_nl: GGMLType.q8_0.rawValue
        case .q4_1, .q5_1: GGMLType.q8_1.rawValue
        case .q2_K, .q3_K, .q4_K, .q5_K, .q6_K, .iq4_xs: GGMLType.q8_K.rawValue
        default: type.rawValue
        }
    }
}
