import Foundation
import GrokJSON
import Testing

/// Replays `examples/rpc/*.jsonl`: each line sends one raw line and lists the answers expected.
@Suite struct GoldenTranscriptTests {
    static let transcripts: [String] = {
        let folder = TestDaemon.repositoryRoot + "/examples/rpc"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { $0.hasSuffix(".jsonl") }.sorted().map { folder + "/" + $0 }
    }()

    @Test func transcriptsExist() {
        #expect(Self.transcripts.count >= 3)
    }

    @Test(arguments: transcripts)
    func replay(_ path: String) async throws {
        let daemon = try await TestDaemon.started()
        let connection = try RawConnection(path: daemon.socketPath)
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").filter { !$0.isEmpty }
        #expect(!lines.isEmpty)
        for (number, line) in lines.enumerated() {
            let exchange = try JSONCodec.parse(string: String(line), maxDepth: 256)
            guard let send = exchange["send"]?.stringValue, let expected = exchange["expect"]?.arrayValue else {
                Issue.record("\(path):\(number + 1): needs send (string) and expect (array)")
                continue
            }
            try connection.sendBytes(Array(send.utf8) + [0x0A])
            for want in expected {
                let got = try connection.readJSON()
                #expect(Self.matches(got, want), "\(path):\(number + 1): sent \(send)\n got \(got)\nwant \(want)")
            }
        }
        // Nothing unexpected is left over: the next answer is the one to this ping.
        #expect(try connection.assertStillServes(id: 424242))
    }

    /// Equal as JSON, except that an error message only has to start with the expected text.
    static func matches(_ got: JSONValue, _ want: JSONValue) -> Bool {
        switch (got, want) {
        case (.object(let g), .object(let w)):
            guard Set(g.keys) == Set(w.keys) else { return false }
            return w.allSatisfy { key, value in
                if key == "message", let prefix = value.stringValue, let text = g[key]?.stringValue {
                    return text.hasPrefix(prefix)
                }
                return g[key].map { matches($0, value) } ?? false
            }
        case (.array(let g), .array(let w)):
            return g.count == w.count && zip(g, w).allSatisfy { matches($0, $1) }
        default:
            return got == want
        }
    }
}
