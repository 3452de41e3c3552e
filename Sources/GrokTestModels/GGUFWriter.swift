import Foundation
import GrokEngine

/// Writes small GGUF files for tests: valid models, and deliberately broken files whose header
/// claims what the data does not hold.
///
/// Nothing is checked on the way out: a test sets offsets, counts and types as it likes, and
/// `addTensor` is there for the common case of a well-formed file.
public struct GGUFWriter: Sendable {
    /// A metadata value, written with its GGUF type code.
    public enum Value: Sendable {
        case u32(UInt32)
        case u64(UInt64)
        case i32(Int32)
        case f32(Float)
        case bool(Bool)
        case string(String)
        case strings([String])
        case f32s([Float])
        case i32s([Int32])
        /// A type code and the bytes after it, verbatim (for values no reader should accept).
        case raw(type: UInt32, bytes: [UInt8])
    }

    /// A tensor info and its data. The data is written after the previous tensor's, with no
    /// padding in between; `offset` is what the header claims, whether or not they agree.
    public struct Tensor: Sendable {
        public var name: String
        /// ggml order: the row length first.
        public var dimensions: [UInt64]
        /// The raw `GGMLType` value (any number, to write unknown types).
        public var type: UInt32
        /// From the start of the data section.
        public var offset: UInt64
        public var data: [UInt8]

        public init(name: String, dimensions: [UInt64], type: UInt32, offset: UInt64, data: [UInt8] = []) {
            self.name = name
            self.dimensions = dimensions
            self.type = type
            self.offset = offset
            self.data = data
        }
    }

    public var version: UInt32
    public var metadata: [(String, Value)]
    public var tensors: [Tensor]
    /// The data section starts at a multiple of this; a value other than 32 also needs
    /// `general.alignment` in the metadata for a reader to agree.
    public var alignment: Int
    /// Overrides the counts in the header (to claim more than is there).
    public var claimedTensorCount: UInt64?
    public var claimedMetadataCount: UInt64?

    public init(
        version: UInt32 = 3, metadata: [(String, Value)] = [], tensors: [Tensor] = [], alignment: Int = 32,
        claimedTensorCount: UInt64? = nil, claimedMetadataCount: UInt64? = nil
    ) {
        self.version = version
        self.metadata = metadata
        self.tensors = tensors
        self.alignment = alignment
        self.claimedTensorCount = claimedTensorCount
        self.claimedMetadataCount = claimedMetadataCount
    }

    /// Appends a tensor after the others, at the next aligned offset (the previous tensor's
    /// data is padded up to it). `data` must be exactly the tensor's bytes.
    public mutating func addTensor(name: String, dimensions: [Int], type: GGMLType, data: [UInt8]) {
        let rows = dimensions.dropFirst().reduce(1, *)
        precondition(
            type.rowBytes(elements: dimensions[0]).map { $0 * rows } == data.count,
            "\(name): \(data.count) bytes do not make a \(type.name) tensor of \(dimensions)")
        var end = tensors.reduce(0) { $0 + $1.data.count }
        if end % alignment != 0, !tensors.isEmpty {
            let padding = alignment - end % alignment
            tensors[tensors.count - 1].data += [UInt8](repeating: 0, count: padding)
            end += padding
        }
        tensors.append(
            Tensor(name: name, dimensions: dimensions.map(UInt64.init), type: type.rawValue, offset: UInt64(end), data: data))
    }

    /// The whole file.
    public func bytes() -> [UInt8] {
        var out: [UInt8] = Array("GGUF".utf8)
        append(&out, version)
        append(&out, claimedTensorCount ?? UInt64(tensors.count))
        append(&out, claimedMetadataCount ?? UInt64(metadata.count))
        for (key, value) in metadata {
            appendString(&out, key)
            appendValue(&out, value)
        }
        for tensor in tensors {
            appendString(&out, tensor.name)
            append(&out, UInt32(tensor.dimensions.count))
            for dimension in tensor.dimensions { append(&out, dimension) }
            append(&out, tensor.type)
            append(&out, tensor.offset)
        }
        while out.count % alignment != 0 { out.append(0) }
        for tensor in tensors { out += tensor.data }
        return out
    }

    /// Writes the file to `path`.
    public func write(to path: String) throws {
        try Data(bytes()).write(to: URL(fileURLWithPath: path))
    }

    /// Writes the file to a new temporary path and returns it (the caller removes it).
    public func write() throws -> String {
        let path = NSTemporaryDirectory() + "grok-gguf-\(UUID().uuidString).gguf"
        try write(to: path)
        return path
    }

    // GGUF value type codes.
    private static let uint32: UInt32 = 4, int32: UInt32 = 5, float32: UInt32 = 6, bool: UInt32 = 7
    private static let string: UInt32 = 8, array: UInt32 = 9, uint64: UInt32 = 10

    private func appendValue(_ out: inout [UInt8], _ value: Value) {
        switch value {
        case .u32(let v): append(&out, Self.uint32); append(&out, v)
        case .u64(let v): append(&out, Self.uint64); append(&out, v)
        case .i32(let v): append(&out, Self.int32); append(&out, v)
        case .f32(let v): append(&out, Self.float32); append(&out, v.bitPattern)
        case .bool(let v): append(&out, Self.bool); out.append(v ? 1 : 0)
        case .string(let v): append(&out, Self.string); appendString(&out, v)
        case .strings(let values):
            appendArrayHeader(&out, Self.string, values.count)
            for v in values { appendString(&out, v) }
        case .f32s(let values):
            appendArrayHeader(&out, Self.float32, values.count)
            for v in values { append(&out, v.bitPattern) }
        case .i32s(let values):
            appendArrayHeader(&out, Self.int32, values.count)
            for v in values { append(&out, v) }
        case .raw(let type, let bytes): append(&out, type); out += bytes
        }
    }

    /// An array is its element type, its count and the elements (without type codes).
    private func appendArrayHeader(_ out: inout [UInt8], _ elementType: UInt32, _ count: Int) {
        append(&out, Self.array)
        append(&out, elementType)
        append(&out, UInt64(count))
    }

    private func append<T: FixedWidthInteger>(_ out: inout [UInt8], _ value: T) {
        withUnsafeBytes(of: value.littleEndian) { out += $0 }
    }

    private func appendString(_ out: inout [UInt8], _ text: String) {
        append(&out, UInt64(text.utf8.count))
        out += Array(text.utf8)
    }
}
