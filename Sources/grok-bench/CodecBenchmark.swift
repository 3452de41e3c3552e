import ArgumentParser
import Foundation
import GrokJSON

/// Parse+encode throughput of grok's jansson codec next to Foundation's JSONDecoder/Encoder,
/// on the same messages decoded into the same Codable types.
struct CodecBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "codec", abstract: "JSON codec throughput: jansson (grok) vs Foundation.")

    @Option(help: "Seconds to spend per measurement.")
    var seconds: Double = 1.0

    struct Request: Codable {
        var jsonrpc: String
        var id: Int
        var method: String
        var params: Params
        struct Params: Codable {
            var prompt: String
            var stream: Bool
            var options: Options
        }
        struct Options: Codable {
            var maxTokens: Int
            var temperature: Double
            var stop: [String]
        }
    }

    struct Result: Codable {
        var jsonrpc: String
        var id: Int
        var result: Body
        struct Body: Codable {
            var text: String
            var ids: [Int]
            var logprobs: [Double]
            var finishReason: String
        }
    }

    func run() throws {
        let small = Request(
            jsonrpc: "2.0", id: 7, method: "generate",
            params: .init(prompt: "Why is the sky blue?", stream: true, options: .init(maxTokens: 64, temperature: 0.7, stop: ["\n\n"])))
        let tokens = 20_000
        let large = Result(
            jsonrpc: "2.0", id: 8,
            result: .init(
                text: String(repeating: "The quick brown fox jumps over the lazy dög. ", count: 4_000),
                ids: (0..<tokens).map { ($0 * 7919) % 262_144 }, logprobs: (0..<tokens).map { -Double($0 % 97) / 13.0 },
                finishReason: "length"))
        print("codec benchmark (\(seconds) s per row; parse+encode of one message = one op)")
        print("message        bytes   codec        ops/s       MB/s")
        try report("small request", small)
        try report("large result", large)
    }

    private func report<T: Codable>(_ name: String, _ value: T) throws {
        let bytes = try JSONCodec.encode(value)
        let data = Data(bytes)
        let decoder = JSONDecoder()
        let encoder = JSONEncoder()
        let rows: [(String, () throws -> Int)] = [
            ("grok typed", { try JSONCodec.encode(JSONCodec.decode(T.self, from: bytes)).count }),
            ("grok value", { try JSONCodec.encode(JSONCodec.parse(bytes)).count }),
            ("Foundation", { try encoder.encode(decoder.decode(T.self, from: data)).count }),
        ]
        for (codec, body) in rows {
            let (ops, elapsed) = try repeatFor(body)
            let perSecond = Double(ops) / elapsed
            let megabytes = perSecond * Double(bytes.count) / 1e6
            print(
                name.padding(toLength: 13, withPad: " ", startingAt: 0),
                String(bytes.count).leftPadded(7), " ", codec.padding(toLength: 11, withPad: " ", startingAt: 0),
                Measure.format(perSecond, 0).leftPadded(10), Measure.format(megabytes).leftPadded(10))
        }
    }

    private func repeatFor(_ body: () throws -> Int) throws -> (Int, Double) {
        var ops = 0
        var sink = 0
        let clock = ContinuousClock()
        let start = clock.now
        while (clock.now - start).seconds < seconds {
            for _ in 0..<8 { sink &+= try body() }
            ops += 8
        }
        precondition(sink != 0)
        return (ops, (clock.now - start).seconds)
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
