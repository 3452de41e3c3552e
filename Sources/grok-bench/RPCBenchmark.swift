import ArgumentParser
import Foundation
import GrokClient
import GrokJSON
import GrokRPC

/// Round trip, pipelined and many-connection throughput of `daemon.ping` through the socket.
struct RPCBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rpc",
        abstract: "RPC transport: ping latency, pipelined and multi-connection requests/s.",
        discussion: "Without --socket, starts its own grokd (next to this binary) on a temporary socket.")

    @Option(help: "Benchmark a running daemon on this socket instead of starting one.")
    var socket: String?

    @Option(help: "Round trips for the latency figure.")
    var pings = 20_000

    @Option(help: "Requests for each throughput figure.")
    var requests = 200_000

    @Option(help: "Connections for the aggregate figure.")
    var connections = 32

    @Option(help: "Requests kept in flight on the pipelined connection.")
    var depth = 32

    static let ping = Array(#"{"jsonrpc":"2.0","id":1,"method":"daemon.ping"}"#.utf8) + [0x0A]

    func run() async throws {
        let daemon = try socket.map { ($0, nil) } ?? BenchDaemon.start("rpc")
        defer { if let pid = daemon.1 { kill(pid, SIGTERM) } }
        let path = daemon.0
        print("rpc benchmark on \(path)")
        try latency(path)
        try pipelined(path)
        try aggregate(path)
    }

    private func latency(_ path: String) throws {
        let connection = try LineSocket(path: path)
        for _ in 0..<1000 { _ = try connection.roundTripRaw() }  // warm up
        var samples: [Double] = []
        samples.reserveCapacity(pings)
        let clock = ContinuousClock()
        for _ in 0..<pings {
            let start = clock.now
            _ = try connection.roundTripRaw()
            samples.append((clock.now - start).seconds * 1e6)
        }
        print(
            "ping round trip, 1 connection: p50 \(Measure.format(Measure.percentile(samples, 0.5))) µs,",
            "p99 \(Measure.format(Measure.percentile(samples, 0.99))) µs (\(pings) pings)")
    }

    private func pipelined(_ path: String) throws {
        let connection = try LineSocket(path: path)
        // Ids 1...depth are all free again once a window's answers are read.
        let window: [UInt8] = (1...depth).flatMap { id -> [UInt8] in
            Array(#"{"jsonrpc":"2.0","id":\#(id),"method":"daemon.ping"}"#.utf8) + [0x0A]
        }
        let rounds = max(1, requests / depth)
        var errors = 0
        let elapsed = try Measure.seconds {
            for _ in 0..<rounds {
                try connection.sendBytes(window)
                for _ in 0..<depth {
                    if !(try connection.readLine()).contains(#""result""#) { errors += 1 }
                }
            }
        }
        print(
            "pipelined, 1 connection, depth \(depth): \(Measure.format(Double(rounds * depth) / elapsed, 0)) requests/s",
            errors == 0 ? "" : "(\(errors) error answers!)")
    }

    private func aggregate(_ path: String) throws {
        let perConnection = max(1, requests / connections)
        let sockets = try (0..<connections).map { _ in try LineSocket(path: path) }
        let failures = Failures()
        let elapsed = Measure.seconds {
            DispatchQueue.concurrentPerform(iterations: connections) { index in
                do {
                    for _ in 0..<perConnection { _ = try sockets[index].roundTripRaw() }
                } catch {
                    failures.record(error)
                }
            }
        }
        let total = perConnection * connections
        print(
            "aggregate, \(connections) connections (one request each in flight):",
            "\(Measure.format(Double(total) / elapsed, 0)) requests/s", failures.summary)
    }
}

/// Errors seen by benchmark threads.
final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var errors: [String] = []

    func record(_ error: any Error) {
        lock.lock()
        errors.append("\(error)")
        lock.unlock()
    }

    var summary: String { errors.isEmpty ? "" : "(\(errors.count) connections failed: \(errors[0]))" }
}

extension LineSocket {
    /// One ping, answer read as a raw line (the benchmark measures the daemon, not parsing).
    func roundTripRaw() throws -> String {
        try sendBytes(RPCBenchmark.ping)
        let line = try readLine()
        guard line.contains(#""result""#) else { throw LineSocket.Failure("error answer: \(line)") }
        return line
    }
}
