import Foundation
import GrokClient
import Testing

/// The clients in examples/ run against a real daemon, as a user would run them.
@Suite struct ExampleClientTests {
    static func run(_ executable: String, _ arguments: [String], environment: [String: String]) async throws -> (Int32?, String) {
        let output = try TestDaemon.makeTemporaryDirectory() + "/out"
        var options = ProcessSpawner.Options(environment: environment)
        options.stdoutPath = output
        options.stderrPath = output
        let pid = try ProcessSpawner.spawn(executable, arguments, options: options)
        let status = await TestDaemon.waitForExit(pid: pid, timeout: .seconds(60))
        return (status, (try? String(contentsOfFile: output, encoding: .utf8)) ?? "")
    }

    static var python: String { TestDaemon.repositoryRoot + "/examples/python/grok_client.py" }

    @Test func pythonClientPings() async throws {
        let daemon = try await TestDaemon.started()
        let (status, output) = try await Self.run("/usr/bin/env", ["python3", Self.python, "--socket", daemon.socketPath, "ping"], environment: daemon.environment)
        #expect(status == 0, "\(output)")
        #expect(output.contains("pong"))
    }

    @Test func pythonClientStreams() async throws {
        let daemon = try await TestDaemon.started()
        let (status, output) = try await Self.run("/usr/bin/env", ["python3", Self.python, "--socket", daemon.socketPath, "stream-sleep", "300"], environment: daemon.environment)
        #expect(status == 0, "\(output)")
        #expect(output.components(separatedBy: "tick ").count >= 3, "\(output)")
        #expect(output.contains("done "))
    }

    @Test func pythonClientCancels() async throws {
        let daemon = try await TestDaemon.started()
        let (status, output) = try await Self.run("/usr/bin/env", ["python3", Self.python, "--socket", daemon.socketPath, "cancel-demo"], environment: daemon.environment)
        #expect(status == 0, "\(output)")
        #expect(output.contains("cancelled -32800"), "\(output)")
    }

    @Test func pythonClientFindsTheDefaultSocketFromXDG() async throws {
        let daemon = try await TestDaemon.started()
        let (status, output) = try await Self.run("/usr/bin/env", ["python3", Self.python, "status"], environment: daemon.environment)
        #expect(status == 0, "\(output)")
        #expect(output.contains(daemon.socketPath))
    }

    @Test func pythonClientReportsAMissingDaemon() async throws {
        let (status, _) = try await Self.run("/usr/bin/env", ["python3", Self.python, "--socket", "/nonexistent/grokd.sock", "ping"], environment: ProcessInfo.processInfo.environment)
        #expect(status == 69)
    }

    @Test(arguments: ["ping", "status", "batch", "sleep"])
    func shellExampleWithSocat(_ which: String) async throws {
        let daemon = try await TestDaemon.started()
        var environment = daemon.environment
        environment["GROK_SOCKET"] = daemon.socketPath
        let (status, output) = try await Self.run("/bin/sh", [TestDaemon.repositoryRoot + "/examples/shell/grok.sh", which], environment: environment)
        #expect(status == 0, "\(output)")
        #expect(output.contains(#""jsonrpc":"2.0""#), "\(output)")
        if which != "batch" { #expect(!output.contains(#""error""#), "\(output)") }
        if which == "sleep" { #expect(output.contains("$/progress")) }
        if which == "batch" { #expect(output.hasPrefix("[")) }
    }
}
