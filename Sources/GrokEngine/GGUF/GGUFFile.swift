import Foundation

/// A GGUF v3 model file, memory-mapped and validated before any of it is used.
///
/// Metadata is parsed into values; tensor data stays in the mapping and is read in place
/// (no copies), so a model costs its file size in page cache, not in heap.
public final class GGUFFile: @unchecked Sendable {
    /// Limits on what a file may claim, so that no allocation is ever sized by a hostile file.
    public struct Limits: Sendable {
        public var maxStringBytes = 16 << 20
        public var maxArrayCount = 16 << 20
        public var maxMetadataCount = 1 << 16
        public var maxTensorCount = 1 << 16
        public var maxDimensions = 4
        public var maxNesting = 2
        public init() {}
    }

    public let path: String
    public let version: UInt32
    public let metadata: [String: GGUFValue]
    public let tensors: [String: GGUFTensor]
    /// Tensor names in file order.
    public let tensorNames: [String]
    public let alignment: Int
    /// Byte offset of the data section in the file.
    public let dataOffset: Int
    public let fileSize: Int
    private let mapping: UnsafeRawPointer

    /// Opens, maps and validates a GGUF file.
    public convenience init(path: String, limits: Limits = Limits()) throws(GGUFError) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw GGUFError("cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            throw GGUFError("\(path) is not a regular file")
        }
        let size = Int(info.st_size)
        guard size >= 24 else { throw GGUFError("\(path) is too short to be a GGUF file (\(size) bytes)") }
        guard let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), mapped != MAP_FAILED else {
            throw GGUFError("cannot map \(path): \(String(cString: strerror(errno)))")
        }
        do {
            try self.init(path: path, mapping: UnsafeRawPointer(mapped), size: size, limits: limits)
        } catch {
            munmap(mapped, size)
            throw error
        }
    }

    private init(path: String, mapping: UnsafeRawPointer, size: Int, limits: Limits) throws(GGUFError) {
        self.path = path
        self.mapping = mapping
        self.fileSize = size
        var cursor = ByteCursor(base: mapping, count: size)
        let header = try GGUFHeaderParser(limits: limits).parse(&cursor)
        version = header.version
        metadata = header.metadata
        alignment = header.alignment
        let aligned = try GGUFHeaderParser.align(cursor.position, to: alignment)
        // A file without tensors (llama.cpp's vocabulary-only files) may end before the
        // padding that would align an empty data section.
        guard aligned <= size || header.tensors.isEmpty else { throw GGUFError("data section starts past the end of the file") }
        dataOffset = min(aligned, size)
        var byName: [String: GGUFTensor] = [:]
        for tensor in header.tensors {
            try Self.check(tensor, alignment: alignment, dataBytes: size - aligned)
            guard byName[tensor.name] == nil else { throw GGUFError("tensor \(tensor.name) appears twice") }
            byName[tensor.name] = tensor
        }
        tensors = byName
        tensorNames = header.tensors.map(\.name)
    }

    deinit {
        munmap(UnsafeMutableRawPointer(mutating: mapping), fileSize)
    }

    private static func check(_ tensor: GGUFTensor, alignment: Int, dataBytes: Int) throws(GGUFError) {
        guard tensor.offset % alignment == 0 else {
            throw GGUFError("tensor \(tensor.name) starts at offset \(tensor.offset), not aligned to \(alignment)")
        }
        let (end, overflow) = tensor.offset.addingReportingOverflow(tensor.byteCount)
        guard !overflow, end <= dataBytes else {
            throw GGUFError("tensor \(tensor.name) (\(tensor.byteCount) bytes at \(tensor.offset)) runs past the end of the file")
        }
    }

    /// The bytes of a tensor, in place in the mapping.
    public func data(of tensor: GGUFTensor) -> UnsafeRawPointer {
        mapping + dataOffset + tensor.offset
    }

    public subscript(key: String) -> GGUFValue? { metadata[key] }

    /// The value of an integer key, or an error naming the key.
    public func requireInt(_ key: String) throws(GGUFError) -> Int {
        guard let value = metadata[key]?.intValue else { throw GGUFError("missing or non-integer metadata \(key)") }
        return value
    }

    public func requireTensor(_ name: String) throws(GGUFError) -> GGUFTensor {
        guard let tensor = tensors[name] else { throw GGUFError("missing tensor \(name)") }
        return tensor
    }
}
