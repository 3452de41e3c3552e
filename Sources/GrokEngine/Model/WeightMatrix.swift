/// A weight matrix in place in the mapped file: `rows` rows of `columns` elements each.
public struct WeightMatrix: @unchecked Sendable {
    public let type: GGMLType
    public let rows: Int
    public let columns: Int
    public let base: UnsafeRawPointer
    public let rowBytes: Int
    /// The same matrix in the kernels' packed layout, when `packed(using:)` made one.
    private(set) var packed: PackedWeights?

    init(_ file: GGUFFile, _ name: String, columns: Int, rows: Int) throws(GGUFError) {
        let tensor = try file.requireTensor(name)
        guard tensor.rowLength == columns, tensor.rowCount == rows else {
            throw GGUFError("tensor \(name) is \(tensor.dimensions), expected [\(columns), \(rows)]")
        }
        guard tensor.type.isSupported else { throw GGUFError("tensor \(name) has unsupported type \(tensor.type.name)") }
        type = tensor.type
        self.rows = rows
        self.columns = columns
        base = file.data(of: tensor)
        rowBytes = tensor.type.rowBytes(elements: columns)!
    }

    func row(_ index: Int) -> UnsafeRawPointer { base + index * rowBytes }

    /// This matrix with a packed copy, where the kernels multiply that faster.
    func packed(using pool: WorkerPool) -> WeightMatrix {
        var copy = self
        copy.packed = PackedWeights(self, pool: pool)
        return copy
    }
}

/// A vector of F32 weights (norms), copied out of the file.
struct WeightVector: Sendable {
    let values: [Float]

    init(_ file: GGUFFile, _ name: String, count: Int) throws(GGUFError) {
        let tensor = try file.requireTensor(name)
        guard tensor.elementCount == count else { throw GGUFError("tensor \(name) has \(tensor.elementCount) elements, expected \(count)") }
        var values = [Float](repeating: 0, count: count)
        values.withUnsafeMutableBufferPointer { out in
            ReferenceDequantize.row(tensor.type, file.data(of: tensor), count: count, into: out.baseAddress!)
        }
        self.values = values
    }
}
