import Foundation
import Synchronization
import Testing
@testable import GrokEngine

/// llama.cpp's vocabulary files and vectors, read once per vocabulary.
enum Conformance {
    struct Vectors: Sendable {
        let tokenizer: Tokenizer
        let cases: [(String, [Int32])]
    }

    static let directory: URL = {
        let environment = ProcessInfo.processInfo.environment
        let cache = environment["XDG_CACHE_HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil }
            ?? (NSHomeDirectory() + "/.cache")
        return URL(fileURLWithPath: cache).appendingPathComponent("grok/conformance/vocab")
    }()

    private static let cache = Mutex<[String: Vectors]>([:])

    struct Missing: Error, CustomStringConvertible {
        let path: String
        var description: String { "conformance data is missing (\(path)): run scripts/fetch-conformance" }
    }

    /// The path of a vocabulary file (`ggml-vocab-NAME.gguf`).
    static func vocabularyPath(_ name: String) -> String {
        directory.appendingPathComponent("ggml-vocab-\(name).gguf").path
    }

    /// The vocabulary and its vectors. Missing data is an error, not a skipped test: a machine
    /// without it must never pass silently (`make test` fetches it first).
    static func load(_ name: String) throws -> Vectors {
        if let data = cache.withLock({ $0[name] }) { return data }
        let base = directory.appendingPathComponent("ggml-vocab-\(name).gguf")
        guard FileManager.default.fileExists(atPath: base.path + ".out") else { throw Missing(path: base.path + ".out") }
        let tokenizer = Tokenizer(vocabulary: try Vocabulary(file: try GGUFFile(path: base.path)))
        let inputs = split(Array(try Data(contentsOf: URL(fileURLWithPath: base.path + ".inp"))))
        let outputs = try String(contentsOfFile: base.path + ".out", encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false)
        // A final newline does not make one more (empty) line, as with getline.
        let lines = outputs.last?.isEmpty == true ? Array(outputs.dropLast()) : Array(outputs)
        struct Mismatch: Error { let name: String, inputs: Int, outputs: Int }
        guard inputs.count == lines.count else { throw Mismatch(name: name, inputs: inputs.count, outputs: lines.count) }
        let cases = zip(inputs, lines).map { input, line in
            (input, line.split(separator: " ").compactMap { Int32($0.trimmingCharacters(in: .whitespaces)) })
        }
        let data = Vectors(tokenizer: tokenizer, cases: cases)
        cache.withLock { $0[name] = data }
        return data
    }

    /// The inputs, separated by "\n__ggml_vocab_test__\n" (split as bytes: a "\r\n" in an
    /// input must not hide a separator).
    private static func split(_ bytes: [UInt8]) -> [String] {
        let separator = Array("\n__ggml_vocab_test__\n".utf8)
        var inputs: [String] = []
        var start = 0
        var index = 0
        while start < bytes.count {
            if index + separator.count > bytes.count {
                inputs.append(String(decoding: bytes[start...], as: UTF8.self))
                break
            }
            if bytes[index..<(index + separator.count)].elementsEqual(separator) {
                inputs.append(String(decoding: bytes[start..<index], as: UTF8.self))
                start = index + separator.count
                index = start
            } else {
                index += 1
            }
        }
        return inputs
    }
}
