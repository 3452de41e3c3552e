import Foundation
@testable import GrokEngine

/// Writes small GGUF files for tests, including deliberately broken ones.
struct GGUFWriter {
    enum Value {
        case u32(UInt32)
        case f32(Float)
        case string(String)
        case strings([String])
        case raw(type: UInt32, bytes: [UInt8])
    }

    struct Tensor {
        var name: String
        var dimensions: [UInt64]
        var type: UInt32
        var offset: UInt64
        var data: [UInt8] = []
    }

    var version: UInt32 = 3
    var metadata: [(String, Value)] = []
    var tensors: [Tensor] = []
    var alignment = 32
    /// Overrides the counts in the header (to claim more than is there).
    var claimedTensorCount: UInt64?
    var claimedMetadataCount: UInt64?

    func bytes() -> [UInt8] {
        var out: [UInt8] = Array("GGUF".utf8)
        append(&out, version)
        append(&out, claimedTensorCount ?? UInt64(tensors.count))
        append(&out, claimedMetadataCount ?? UInt64(metadata.count))
        for (key, value) in metadata {
            appendString(&out, key)
            switch value {
            case .u32(let v): append(&out, UInt32(4)); append(&out, v)
            case .f32(let v): append(&out, UInt32(6)); append(&out, v.bitPattern)
            case .string(let v): append(&out, UInt32(8)); appendString(&out, v)
            case .strings(let values):
                append(&out, UInt32(9)); append(&out, UInt32(8)); append(&out, UInt64(values.count))
                for v in values { appendString(&out, v) }
            case .raw(let type, let bytes): append(&out, type); out += bytes
            }
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

    func write() throws -> String {
        let path = NSTemporaryDirectory() + "grok-gguf-\(UUID().uuidString).gguf"
        try Data(bytes()).write(to: URL(fileURLWithPath: path))
        return path
    }

    private func append<T: FixedWidthInteger>(_ out: inout [UInt8], _ value: T) {
        withUnsafeBytes(of: value.littleEndian) { out += $0 }
    }

    private func appendString(_ out: inout [UInt8], _ text: String) {
        append(&out, UInt64(text.utf8.count))
        out += Array(text.utf8)
    }
}
