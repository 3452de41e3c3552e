import Foundation
import GrokClient
import GrokJSON
import GrokProtocol
import GrokRPC
import Testing

@Suite struct LifecycleTests {
    @Test func sigtermStopsCleanlyAndRemovesTheSocket() async throws {
        let daemon = try await TestDaemon.started()
        #expect(await daemon.stop(signal: SIGTERM) == 0)
        #expect(!FileManager.default.fileExists(atPath: daemon.socketPath))
        #expect(daemon.log.contains("grokd stopped"))
    }

    @Test func sigintStopsCleanly() async throws {
        let daemon = try await TestDaemon.started()
        #expect(await daemon.stop(signal: SIGINT) == 0)
    }

    @Test func shutdownLetsRunningRequestsFinish() async throws {
        let daemon = try await TestDaemon.started()
        let worker = try RawConnection(path: daemon.socketPath)
        try worker.send(#"{"jsonrpc":"2.0","id":1,"method":"daemon.sleep","params":{"ms":300,"stream":true,"intervalMs":10}}"#)
        #expect(try worker.readJSON()["method"] == "$/progress")  // running before the shutdown
        let admin = try RawConnection(path: daemon.socketPath)
        let reply = try admin.roundTrip(#"{"jsonrpc":"2.0","id":2,"method":"daemon.shutdown"}"#)
        #expect(reply["result"]?["shuttingDown"] == true)
        #expect(try Self.finalAnswer(worker)["result"]?["sleptMs"] != nil)
        #expect(await daemon.waitForExit() == 0)
    }

    @Test func shutdownCancelsWorkThatOutlastsTheDrain() async throws {
        let daemon = try await TestDaemon.started(config: #"{"limits":{"drainTimeoutMs":200}}"#)
        let worker = try RawConnection(path: daemon.socketPath)
        try worker.send(#"{"jsonrpc":"2.0","id":1,"method":"daemon.sleep","params":{"ms":600000,"stream":true,"intervalMs":10}}"#)
        #expect(try worker.readJSON()["method"] == "$/progress")  // running before the signal
        #expect(await daemon.stop(signal: SIGTERM) == 0)
        #expect(try Self.finalAnswer(worker)["error"]?["code"] == -32800)
    }

    @Test func killNineThenRestartReplacesTheStaleSocket() async throws {
        let daemon = try await TestDaemon.started()
        #expect(await daemon.stop(signal: SIGKILL) == 128 + SIGKILL)
        #expect(FileManager.default.fileExists(atPath: daemon.socketPath))  // left behind
        #expect((try? RawConnection(path: daemon.socketPath)) == nil)  // and dead
        try daemon.start()
        try await daemon.waitUntilReady()
        let connection = try RawConnection(path: daemon.socketPath)
        #expect(try connection.assertStillServes())
    }

    @Test func twoDaemonsStartedTogetherExactlyOneServes() async throws {
        let first = try TestDaemon()
        try first.start()
        let secondPID = try ProcessSpawner.spawn(
            TestDaemon.grokd, ["--socket", first.socketPath],
            options: {
                var options = ProcessSpawner.Options(environment: first.environment)
                options.stdoutPath = first.root + "/second.log"
                options.stderrPath = first.root + "/second.log"
                return options
            }())
        let firstPID = first.pid
        var firstStatus: Int32?
        var secondStatus: Int32?
        for _ in 0..<1500 where firstStatus == nil && secondStatus == nil {
            firstStatus = await TestDaemon.waitForExit(pid: firstPID, timeout: .milliseconds(10))
            secondStatus = await TestDaemon.waitForExit(pid: secondPID, timeout: .milliseconds(10))
        }
        if firstStatus != nil { first.forgetProcess() }
        // Whichever lost the lock exits 3 with a clear message; the winner keeps serving.
        let exits = [firstStatus, secondStatus].compactMap { $0 }
        #expect(exits == [3], "exit statuses: first \(String(describing: firstStatus)) second \(String(describing: secondStatus))")
        let loserLog = secondStatus != nil ? (try? String(contentsOfFile: first.root + "/second.log", encoding: .utf8)) : first.log
        #expect(loserLog?.contains("already serving") == true)
        let survivor = secondStatus == nil ? secondPID : firstPID
        let connection = try RawConnection(path: first.socketPath)
        let status = try connection.roundTrip(#"{"jsonrpc":"2.0","id":1,"method":"daemon.status"}"#)
        #expect(status["result"]?["pid"] == .int(Int64(survivor)))
        if secondStatus == nil {
            kill(secondPID, SIGTERM)
            #expect(await TestDaemon.waitForExit(pid: secondPID, timeout: .seconds(20)) == 0)
        }
    }

    @Test func systemdSocketActivationServesTheInheritedSocket() async throws {
        let daemon = try TestDaemon()
        let path = daemon.root + "/activated.sock"
        let listener = try Self.listeningSocket(at: path)
        defer { close(listener) }
        try daemon.start(
            arguments: ["--log-level", "info"], shellPrefix: "LISTEN_PID=$$ LISTEN_FDS=1 export LISTEN_PID LISTEN_FDS;",
            inherited: [(listener, 3)])
        // The kernel accepts at once on the listening socket; the answer waits for grokd.
        let connection = try RawConnection(path: path)
        let status = try connection.roundTrip(#"{"jsonrpc":"2.0","id":1,"method":"daemon.status"}"#)
        #expect(status["result"]?["socket"] == .string(path))
        #expect(status["result"]?["pid"] == .int(Int64(daemon.pid)))
        #expect(daemon.log.contains("activation=systemd"))
        #expect(!FileManager.default.fileExists(atPath: daemon.socketPath))
    }

    @Test func configLimitsAreApplied() async throws {
        let daemon = try await TestDaemon.started(config: #"{"limits":{"maxConnections":2,"maxLineBytes":1000}}"#)
        let one = try RawConnection(path: daemon.socketPath)
        #expect(try one.assertStillServes())
        // The readiness probe's connection may not have been reaped yet: until it is, a second
        // connection is (rightly) refused, so try a few times before expecting it to be served.
        var two = try RawConnection(path: daemon.socketPath)
        var attempts = 0
        while !((try? two.assertStillServes()) ?? false), attempts < 40 {
            attempts += 1
            try await Task.sleep(for: .milliseconds(50))
            two = try RawConnection(path: daemon.socketPath)
        }
        #expect(try two.assertStillServes())
        let three = try RawConnection(path: daemon.socketPath)
        let refusal = try three.readJSON()
        #expect(refusal["error"]?["code"] == -32001)
        #expect(throws: RawConnection.ClosedByPeer.self) { try three.readLine() }
        let long = #"{"jsonrpc":"2.0","id":1,"method":"daemon.ping","params":{"x":""# + String(repeating: "y", count: 2000) + #""}}"#
        #expect(try one.roundTrip(long)["error"]?["data"]?["limit"] == 1000)
    }

    @Test func aBrokenConfigFileStopsTheStartWithAClearMessage() async throws {
        let daemon = try TestDaemon(config: #"{"limits":{"maxDepth":"deep"}}"#)
        try daemon.start()
        #expect(await daemon.waitForExit() == 1)
        #expect(daemon.log.contains("maxDepth"))
    }

    @Test func aMisspeltConfigKeyIsNamed() async throws {
        let daemon = try TestDaemon(config: #"{"limits":{"maxInflight":3}}"#)
        try daemon.start()
        #expect(await daemon.waitForExit() == 1)
        #expect(daemon.log.contains(#"unknown key "limits.maxInflight""#))
    }

    /// The first message that is not progress.
    static func finalAnswer(_ connection: RawConnection) throws -> JSONValue {
        var message = try connection.readJSON()
        while message["method"] == "$/progress" { message = try connection.readJSON() }
        return message
    }

    static func listeningSocket(at path: String) throws -> CInt {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        let bound = try UnixSocketAddress.bind(descriptor, to: path)
        guard bound == 0, listen(descriptor, 16) == 0 else { throw TestFailure("cannot listen on \(path)") }
        return descriptor
    }
}
