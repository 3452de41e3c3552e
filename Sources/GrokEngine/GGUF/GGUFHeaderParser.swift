/// Parses the header of a GGUF file: magic, version, metadata and tensor infos.
struct GGUFHeaderParser {
    let limits: GGUFFile.Limits

    struct Header {
        var version: UInt32
        var metadata: [String: GGUFValue]
        var tensors: [GGUFTensor]
        var alignment: Int
    }

    func parse(_ cursor: inout ByteCursor) throws(GGUFError) -> Header {
        let magic = try cursor.read(UInt32.self, "magic")
        guard magic == 0x4655_4747 else { throw GGUFError("not a GGUF file (bad magic)") }  // "GGUF"
        let version = try cursor.read(UInt32.self, "version")
        guard version == 3 else { throw GGUFError("GGUF version \(version) is not supported (only 3)") }
        let tensorCount = try count(&cursor, "tensor count", limit: limits.maxTensorCount)
        let metadataCount = try count(&cursor, "metadata count", limit: limits.maxMetadataCount)
        var metadata: [String: GGUFValue] = [:]
        for index in 0..<metadataCount {
            let key = try cursor.readString("metadata key #\(index)", limit: limits.maxStringBytes)
            let type = try cursor.read(UInt32.self, "type of \(key)")
            guard metadata[key] == nil else { throw GGUFError("metadata key \(key) appears twice") }
            metadata[key] = try value(&cursor, type: type, key: key, depth: 0)
        }
        let alignment = try Self.alignment(metadata)
        var tensors: [GGUFTensor] = []
        tensors.reserveCapacity(tensorCount)
        for index in 0..<tensorCount {
            tensors.append(try tensor(&cursor, index: index))
        }
        return Header(version: version, metadata: metadata, tensors: tensors, alignment: alignment)
    }

    static func align(_ offset: Int, to alignment: Int) throws(GGUFError) -> Int {
        let (padded, overflow) = offset.addingReportingOverflow(alignment - 1)
        guard !overflow else { throw GGUFError("offset overflow") }
        return padded / alignment * alignment
    }

    private static func alignment(_ metadata: [String: GGUFValue]) throws(GGUFError) -> Int {
        guard let value = metadata["general.alignment"] else { return 32 }
        guard let alignment = value.intValue, alignment > 0, alignment <= 1 << 20, alignment & (alignment - 1) == 0 else {
            throw GGUFError("general.alignment must be a power of two up to 1 MiB")
        }
        return alignment
    }

    private func count(_ cursor: inout ByteCursor, _ what: String, limit: Int) throws(GGUFError) -> Int {
        let value = try cursor.read(UInt64.self, what)
        guard value <= UInt64(limit) else { throw GGUFError("\(what) \(value) exceeds the limit of \(limit)") }
        return Int(value)
    }

    private func value(_ cursor: inout ByteCursor, type: UInt32, key: String, depth: Int) throws(GGUFError) -> GGUFValue {
        switch type {
        case 0: return .uint(UInt64(try cursor.read(UInt8.self, key)))
        case 1: return .int(Int64(try cursor.read(Int8.self, key)))
        case 2: return .uint(UInt64(try cursor.read(UInt16.self, key)))
        case 3: return .int(Int64(try cursor.read(Int16.self, key)))
        case 4: return .uint(UInt64(try cursor.read(UInt32.self, key)))
        case 5: return .int(Int64(try cursor.read(Int32.self, key)))
        case 6: return .float(Double(try cursor.readFloat(key)))
        case 7:
            let byte = try cursor.read(UInt8.self, key)
            guard byte <= 1 else { throw GGUFError("metadata \(key): boolean byte \(byte)") }
            return .bool(byte == 1)
        case 8: return .string(try cursor.readString(key, limit: limits.maxStringBytes))
        case 9: return try array(&cursor, key: key, depth: depth)
        case 10: return .uint(try cursor.read(UInt64.self, key))
        case 11: return .int(try cursor.read(Int64.self, key))
        case 12: return .float(try cursor.readDouble(key))
        default: throw GGUFError("metadata \(key) has unknown value type \(type)")
        }
    }

    private func array(_ cursor: inout ByteCursor, key: String, depth: Int) throws(GGUFError) -> GGUFValue {
        guard depth < limits.maxNesting else { throw GGUFError("metadata \(key): arrays nested too deep") }
        let elementType = try cursor.read(UInt32.self, "element type of \(key)")
        let count = try self.count(&cursor, "element count of \(key)", limit: limits.maxArrayCount)
        // Every element takes at least one byte, so a count the file cannot hold is refused
        // before any memory is reserved for it.
        guard count <= cursor.end - cursor.position else {
            throw GGUFError("metadata \(key) claims \(count) elements, more than the file holds")
        }
        var elements: [GGUFValue] = []
        elements.reserveCapacity(count)
        for _ in 0..<count {
            elements.append(try value(&cursor, type: elementType, key: key, depth: depth + 1))
        }
        return .array(elements)
    }

    private func tensor(_ cursor: inout ByteCursor, index: Int) throws(GGUFError) -> GGUFTensor {
        let name = try cursor.readString("name of tensor #\(index)", limit: 1 << 16)
        let dimensionCount = try cursor.read(UInt32.self, "dimension count of \(name)")
        guard dimensionCount >= 1, dimensionCount <= UInt32(limits.maxDimensions) else {
            throw GGUFError("tensor \(name) has \(dimensionCount) dimensions (1 to \(limits.maxDimensions) allowed)")
        }
        var dimensions: [Int] = []
        var elements = 1
        for axis in 0..<Int(dimensionCount) {
            let size = try cursor.read(UInt64.self, "dimension \(axis) of \(name)")
            guard size >= 1, size <= UInt64(Int32.max) else { throw GGUFError("tensor \(name): dimension \(axis) is \(size)") }
            let (product, overflow) = elements.multipliedReportingOverflow(by: Int(size))
            guard !overflow else { throw GGUFError("tensor \(name): element count overflows") }
            elements = product
            dimensions.append(Int(size))
        }
        let rawType = try cursor.read(UInt32.self, "type of \(name)")
        guard let type = GGMLType(rawValue: rawType) else { throw GGUFError("tensor \(name) has unknown type \(rawType)") }
        let offset = try cursor.read(UInt64.self, "offset of \(name)")
        guard offset <= UInt64(Int.max / 2) else { throw GGUFError("tensor \(name): offset \(offset) is out of range") }
        guard let rowBytes = type.rowBytes(elements: dimensions[0]) else {
            throw GGUFError("tensor \(name): rows of \(dimensions[0]) elements do not fit \(type.name) blocks")
        }
        let (byteCount, overflow) = rowBytes.multipliedReportingOverflow(by: elements / dimensions[0])
        guard !overflow else { throw GGUFError("tensor \(name): byte size overflows") }
        return GGUFTensor(name: name, dimensions: dimensions, type: type, offset: Int(offset), byteCount: byteCount)
    }
}
