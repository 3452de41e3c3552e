import Foundation
import GrokProtocol
import GrokRPC

/// Connects to grokd, starting it in the background when nothing answers (unless told not to).
public struct DaemonConnector: Sendable {
    public var socketPath: String
    public var autostart: Bool
    /// How long to wait for a started daemon to answer.
    public var startTimeout: Duration = .seconds(15)
    public var paths: GrokPaths

    public init(socketPath: String? = nil, autostart: Bool = true, paths: GrokPaths = GrokPaths()) {
        self.paths = paths
        self.socketPath = socketPath ?? paths.defaultSocket
        self.autostart = autostart
    }

    /// Why no connection could be made; grokctl maps it to exit code 69.
    public struct Unavailable: Error, CustomStringConvertible {
        public var description: String
    }

    /// A connected client; starts the daemon first when allowed and needed.
    public func connect() async throws -> RPCClient {
        if let client = try? await RPCClient.connect(path: socketPath) { return client }
        guard autostart else {
            throw Unavailable(description: "no daemon answers on \(socketPath) (start one with `grokd`)")
        }
        let (pid, log) = try startDaemon()
        let clock = ContinuousClock()
        let deadline = clock.now + startTimeout
        while clock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
            if let client = try? await RPCClient.connect(path: socketPath) { return client }
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                // Exit 3: another daemon won the race for the socket; it may answer now.
                if let client = try? await RPCClient.connect(path: socketPath) { return client }
                throw Unavailable(description: "grokd exited at start (status \(status >> 8)):\n\(Self.tail(of: log))")
            }
        }
        throw Unavailable(description: "started grokd, but it did not answer on \(socketPath) in time; see \(log)")
    }

    /// The last lines of the daemon's log, to show why it could not start.
    private static func tail(of log: String) -> String {
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(5).joined(separator: "\n")
    }

    /// Starts `grokd --socket …` detached, logging to the state directory; returns its pid and log.
    private func startDaemon() throws -> (pid_t, String) {
        guard let grokd = ProcessSpawner.locate("grokd", environment: paths.environment) else {
            throw Unavailable(description: "no daemon answers on \(socketPath), and no grokd executable was found to start")
        }
        try FileManager.default.createDirectory(
            atPath: paths.stateDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let log = paths.stateDirectory + "/grokd.log"
        var options = ProcessSpawner.Options(environment: paths.environment)
        options.stdoutPath = log
        options.stderrPath = log
        options.newSession = true
        let pid = try ProcessSpawner.spawn(grokd, ["--socket", socketPath], options: options)
        return (pid, log)
    }
}
