import Foundation
import GrokTestModels
import Testing
@testable import GrokEngine

/// Every tensor type's reference dequantisation against one we did not write: the `gguf` Python
/// package's numpy code (`gguf.quants`, llama.cpp's gguf-py), which `scripts/fetch-gguf-py`
/// installs into the cache. Random blocks (random bytes, finite f16 scales) must give the same
/// floats bit for bit: both sides compute each value with the same few float operations.
@Suite struct QuantConformanceTests {
    static let folder: String = {
        let environment = ProcessInfo.processInfo.environment
        var cache = environment["XDG_CACHE_HOME"] ?? ""
        if !cache.hasPrefix("/") { cache = NSHomeDirectory() + "/.cache" }
        return cache + "/grok/conformance-python"
    }()

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/gguf_dequantize.py").path

    @Test(arguments: TensorKernelTests.supported)
    func referenceMatchesGGUFPy(_ type: GGMLType) throws {
        #expect(FileManager.default.fileExists(atPath: Self.folder),
                "gguf-py is missing: run scripts/fetch-gguf-py (make test does)")
        var random = SplitMix64(seed: 0x6767_0000 + UInt64(type.rawValue))
        let blocks = type.blockElements == 1 ? 4096 : 96
        let data = TensorKernelTests.randomRow(type, blocks: blocks, &random)
        let count = blocks * type.blockElements
        let ours = TensorKernelTests.dequantise(type, data, count: count)
        let theirs = try Self.dequantiseWithGGUFPy(type, data)
        try #require(theirs.count == count, "\(type.name): gguf-py gave \(theirs.count) values for \(count)")
        var differing: [String] = []
        for i in 0..<count where ours[i].bitPattern != theirs[i].bitPattern && !(ours[i].isNaN && theirs[i].isNaN) {
            differing.append("#\(i): \(ours[i]) vs \(theirs[i])")
        }
        #expect(differing.isEmpty, "\(type.name): \(differing.count) of \(count) values differ: \(differing.prefix(8))")
    }

    /// The known types we cannot compute are refused by name, as before.
    @Test func otherIQuantsStayUnsupported() {
        for type in [GGMLType.iq2_xxs, .iq2_xs, .iq2_s, .iq3_xxs, .iq3_s, .iq1_s, .iq1_m, .tq1_0, .tq2_0, .mxfp4] {
            #expect(!type.isSupported, "\(type.name)")
        }
    }

    /// A file holding a type the engine cannot run is refused at load, naming the tensor and type.
    @Test func aFileWithAnotherIQuantIsRefusedByName() throws {
        var model = TinyModel(.llama)
        model.types[.query] = .iq2_xs
        let path = try model.write()
        defer { unlink(path) }
        #expect {
            _ = try LanguageModel(file: GGUFFile(path: path))
        } throws: { error in
            "\(error)".contains("blk.0.attn_q.weight") && "\(error)".contains("iq2_xs")
        }
    }

    static func dequantiseWithGGUFPy(_ type: GGMLType, _ data: [UInt8]) throws -> [Float] {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("grok-quant-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let input = work.appendingPathComponent("in.bin"), output = work.appendingPathComponent("out.bin")
        try Data(data).write(to: input)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, type.name, input.path, output.path]
        var environment = ProcessInfo.processInfo.environment
        environment["PYTHONPATH"] = folder
        process.environment = environment
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "gguf-py failed on \(type.name): \(message)")
        let bytes = try Data(contentsOf: output)
        return bytes.withUnsafeBytes { raw in (0..<bytes.count / 4).map { raw.loadUnaligned(fromByteOffset: 4 * $0, as: Float.self) } }
    }
}
