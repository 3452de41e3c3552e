import Foundation
import GrokJSON
import Testing

@Suite struct SecurityTests {
    static let nobody: UInt32 = 65534
    /// The second uid is made by setuid in a child, which needs root (as the tests run here).
    static let asRoot = ConditionTrait.enabled(if: getuid() == 0, "needs root to setuid a child")

    @Test func socketIsPrivateWhateverTheUmask() async throws {
        let daemon = try TestDaemon()
        try daemon.start(arguments: ["--log-level", "info"], shellPrefix: "umask 000;")
        try await daemon.waitUntilReady()
        var directory = stat()
        var socket = stat()
        #expect(stat((daemon.socketPath as NSString).deletingLastPathComponent, &directory) == 0)
        #expect(stat(daemon.socketPath, &socket) == 0)
        #expect(directory.st_mode & 0o777 == 0o700)
        #expect(socket.st_mode & 0o777 == 0o600)
        #expect(socket.st_mode & S_IFMT == S_IFSOCK)
    }

    @Test func aSocketInADirectoryOthersCanWriteIsRefused() async throws {
        let daemon = try TestDaemon()
        let shared = daemon.root + "/shared"
        #expect(mkdir(shared, 0o755) == 0 && chmod(shared, 0o777) == 0)
        try daemon.start(arguments: ["--socket", shared + "/g.sock"])
        #expect(await daemon.waitForExit() == 1)
        #expect(daemon.log.contains("writable by other users"))
    }

    @Test func aStickySharedDirectoryIsUsedButNotChanged() async throws {
        let daemon = try TestDaemon()
        let shared = daemon.root + "/tmp"
        #expect(mkdir(shared, 0o755) == 0 && chmod(shared, 0o1777) == 0)
        try daemon.start(arguments: ["--socket", shared + "/g.sock"])
        try await daemon.waitUntilReady(at: shared + "/g.sock")
        let connection = try RawConnection(path: shared + "/g.sock")
        #expect(try connection.assertStillServes())
        var info = stat()
        #expect(stat(shared, &info) == 0)
        #expect(info.st_mode & 0o7777 == 0o1777)
        #expect(stat(shared + "/g.sock", &info) == 0 && info.st_mode & 0o777 == 0o600)
    }

    @Test(asRoot) func aUidNotOnTheAllowListIsRefusedBeforeAnyMethod() async throws {
        let daemon = try await TestDaemon.started()
        PeerHelper.openPermissions(of: daemon.socketPath, upTo: daemon.root)
        let answer = try await PeerHelper.run(
            asUID: Self.nobody, socket: daemon.socketPath, line: #"{"jsonrpc":"2.0","id":1,"method":"daemon.ping"}"#)
        guard let reply = try? JSONCodec.parse(string: answer) else {
            Issue.record("the helper did not print a JSON answer: \(answer)")
            return
        }
        #expect(reply["error"]?["code"] == -32004, "\(answer)")
        #expect(reply["id"] == .null)
        #expect(reply["result"] == nil)
        #expect(daemon.log.contains("uid=\(Self.nobody)"))
    }

    @Test(asRoot) func anAllowedSecondUidIsServedButMayNotShutDown() async throws {
        let daemon = try await TestDaemon.started(arguments: ["--allow-uid", "\(Self.nobody)"])
        PeerHelper.openPermissions(of: daemon.socketPath, upTo: daemon.root)
        let ping = try await PeerHelper.run(
            asUID: Self.nobody, socket: daemon.socketPath, line: #"{"jsonrpc":"2.0","id":1,"method":"daemon.ping"}"#)
        #expect(try JSONCodec.parse(string: ping)["result"]?["pong"] == true, "\(ping)")
        let shutdown = try await PeerHelper.run(
            asUID: Self.nobody, socket: daemon.socketPath, line: #"{"jsonrpc":"2.0","id":2,"method":"daemon.shutdown"}"#)
        #expect(try JSONCodec.parse(string: shutdown)["error"]?["code"] == -32004, "\(shutdown)")
        let connection = try RawConnection(path: daemon.socketPath)
        #expect(try connection.assertStillServes())
    }

    @Test(asRoot) func withDefaultPermissionsAnotherUidCannotEvenConnect() async throws {
        let daemon = try await TestDaemon.started()
        let answer = try await PeerHelper.run(
            asUID: Self.nobody, socket: daemon.socketPath, line: #"{"jsonrpc":"2.0","id":1,"method":"daemon.ping"}"#)
        #expect(answer.hasPrefix("CONNECT-FAILED"), "\(answer)")
    }
}
