import ArgumentParser
import Foundation
import GrokClient
import GrokRPC

/// A grokd (next to this binary) started on a temporary socket for a benchmark.
enum BenchDaemon {
    /// Starts grokd (with extra `arguments`) and waits until it answers; returns the socket path
    /// and its pid. Its temporary folder is the socket's.
    /// With `privateDatabase`, its database lives in the temporary folder too (the user's own
    /// conversations stay untouched).
    static func start(_ name: String, arguments: [String] = [], privateDatabase: Bool = false) throws -> (String, pid_t?) {
        guard let grokd = ProcessSpawner.locate("grokd") else { throw ValidationError("grokd not found next to grok-bench") }
        let root = NSTemporaryDirectory() + "grok-bench-\(name)-\(getpid())"
        let path = root + "/grokd.sock"
        var options = ProcessSpawner.Options()
        options.stderrPath = root + ".log"
        try? FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        var extra = arguments
        if privateDatabase {
            try #"{"database": "\#(root)/grok.db"}"#.write(toFile: root + "/grokd.json", atomically: true, encoding: .utf8)
            extra += ["--config", root + "/grokd.json"]
        }
        let pid = try ProcessSpawner.spawn(grokd, ["--socket", path, "--log-level", "warning"] + extra, options: options)
        for _ in 0..<400 {
            if let connection = try? LineSocket(path: path), (try? connection.roundTripRaw()) != nil { return (path, pid) }
            usleep(25_000)
        }
        throw ValidationError("grokd did not start; see \(root).log")
    }
}
