import Foundation
import GrokClient
import GrokJSON
import GrokProtocol
import GrokRPC
import Testing

/// A real `grokd` process on a private temporary socket, for one test.
final class TestDaemon: @unchecked Sendable {
    let root: String
    let socketPath: String
    let logPath: String
    private(set) var pid: pid_t = 0

    /// The built products folder (where grokd, grokctl and this test binary live).
    static let productsDirectory: String = {
        let running = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? ""
        var directory = (running as NSString).deletingLastPathComponent
        // swift-testing may run from inside the .xctest bundle folder.
        while !directory.isEmpty, directory != "/", !FileManager.default.fileExists(atPath: directory + "/grokd") {
            directory = (directory as NSString).deletingLastPathComponent
        }
        return directory
    }()

    static var grokd: String { productsDirectory + "/grokd" }
    static var grokctl: String { productsDirectory + "/grokctl" }

    /// The repository root (for examples/ and protocol/).
    static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// A fresh root folder with XDG variables pointing inside it; nothing started yet.
    init(config: String? = nil) throws {
        root = try Self.makeTemporaryDirectory()
        socketPath = root + "/run/grok/grokd.sock"
        logPath = root + "/grokd.log"
        if let config {
            try FileManager.default.createDirectory(atPath: root + "/config/grok", withIntermediateDirectories: true)
            try config.write(toFile: root + "/config/grok/grokd.json", atomically: true, encoding: .utf8)
        }
    }

    /// Starts the daemon and waits until it answers.
    static func started(config: String? = nil, arguments: [String] = []) async throws -> TestDaemon {
        let daemon = try TestDaemon(config: config)
        try daemon.start(arguments: arguments)
        try await daemon.waitUntilReady()
        return daemon
    }

    var environment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["XDG_RUNTIME_DIR"] = root + "/run"
        environment["XDG_CONFIG_HOME"] = root + "/config"
        environment["XDG_DATA_HOME"] = root + "/data"
        environment["XDG_STATE_HOME"] = root + "/state"
        environment["HOME"] = root
        return environment
    }

    /// Starts grokd (through `sh -c` when a umask or socket activation needs a shell).
    func start(arguments: [String] = [], shellPrefix: String? = nil, inherited: [(CInt, CInt)] = []) throws {
        precondition(FileManager.default.isExecutableFile(atPath: Self.grokd), "build grokd first: swift build")
        var options = ProcessSpawner.Options(environment: environment)
        options.stdoutPath = logPath
        options.stderrPath = logPath
        options.inheritedDescriptors = inherited
        if let shellPrefix {
            let command = shellPrefix + " exec \"$0\" \"$@\""
            pid = try ProcessSpawner.spawn("/bin/sh", ["-c", command, Self.grokd] + arguments, options: options)
        } else {
            // Without a model unless the test names one: most tests are about the daemon.
            let model = arguments.contains("--model") ? [] : ["--model", "none"]
            pid = try ProcessSpawner.spawn(Self.grokd, ["--log-level", "info"] + model + arguments, options: options)
        }
    }

    /// Waits until a ping on `path` (default: this daemon's socket) is answered.
    func waitUntilReady(at path: String? = nil, timeout: Duration = .seconds(20)) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            if let connection = try? RawConnection(path: path ?? socketPath) {
                try connection.send(#"{"jsonrpc":"2.0","id":0,"method":"daemon.ping"}"#)
                if let reply = try? connection.readJSON(), reply["result"] != nil { return }
            }
            try await Task.sleep(for: .milliseconds(25))
        }
        throw TestFailure("grokd did not answer within \(timeout); log:\n\(log)")
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    func client() async throws -> RPCClient { try await RPCClient.connect(path: socketPath) }

    /// Sends a signal and waits for the exit status (nil when it did not exit in time).
    @discardableResult
    func stop(signal: CInt = SIGTERM, timeout: Duration = .seconds(20)) async -> Int32? {
        guard pid > 0 else { return nil }
        kill(pid, signal)
        return await waitForExit(timeout: timeout)
    }

    /// Waits for the process to end; its exit code, or 128+signal, or nil on timeout.
    func waitForExit(timeout: Duration = .seconds(20)) async -> Int32? {
        let status = await Self.waitForExit(pid: pid, timeout: timeout)
        if status != nil { pid = 0 }
        return status
    }

    /// For a process that exited and was reaped elsewhere.
    func forgetProcess() { pid = 0 }

    static func waitForExit(pid: pid_t, timeout: Duration) async -> Int32? {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                let signal = status & 0x7F
                return signal == 0 ? (status >> 8) & 0xFF : 128 + signal
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    deinit {
        if pid > 0 {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
        try? FileManager.default.removeItem(atPath: root)
    }

    static func makeTemporaryDirectory() throws -> String {
        var template = Array("/tmp/grok-test-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw TestFailure("mkdtemp failed") }
        return String(cString: made)
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
