import Foundation
import GrokJSON
import GrokPlugins
import GrokProtocol
import Synchronization
import Testing

/// Real plugin processes (grok-plugin-host with real libraries) through the manager: the
/// example plugin works; misbehaving and ABI-breaking fixtures fail only their own calls.
@Suite(.serialized) struct PluginManagerTests {
    /// The built products folder (grok-plugin-host and the plugin libraries live there).
    static let products: String = {
        let running = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? ""
        var directory = (running as NSString).deletingLastPathComponent
        while !directory.isEmpty, directory != "/", !FileManager.default.fileExists(atPath: directory + "/grok-plugin-host") {
            directory = (directory as NSString).deletingLastPathComponent
        }
        return directory
    }()

    static func library(_ name: String) -> PluginSpec { PluginSpec(source: .library(path: "\(products)/lib\(name).so")) }

    /// What the manager logs (its plugins' stderr included).
    final class Log: Sendable {
        private let lines = Mutex<[String]>([])
        func append(_ line: String) { lines.withLock { $0.append(line) } }
        var text: String { lines.withLock { $0.joined(separator: "\n") } }
    }

    static func manager(timeout: Duration = .seconds(5), restartDelay: Duration = .milliseconds(100)) -> (PluginManager, Log) {
        var settings = PluginSettings(hostPath: products + "/grok-plugin-host")
        settings.callTimeout = timeout
        settings.restartDelay = restartDelay
        settings.hostMemoryMB = 512
        let log = Log()
        return (PluginManager(settings: settings) { line in log.append(line) }, log)
    }

    static func attempt(_ body: () async throws(RPCError) -> ToolsCall.Result) async -> Result<ToolsCall.Result, RPCError> {
        do throws(RPCError) {
            return .success(try await body())
        } catch {
            return .failure(error)
        }
    }

    @Test func sysinfoAnswersThroughItsHost() async throws {
        let (manager, _) = Self.manager()
        let info = try await manager.load(Self.library("grok-sysinfo"))
        #expect(info.state == "ready" && info.name == "sysinfo" && info.tools == ["sysinfo.now", "sysinfo.system"])
        #expect(info.pid != nil && info.pid != getpid())
        let now = try await manager.call("sysinfo.now", arguments: [:], timeout: nil)
        #expect(!now.isError)
        let year = Calendar(identifier: .gregorian).component(.year, from: Date())
        #expect(now.structuredContent?["date"]?.stringValue?.hasPrefix("\(year)-") == true)
        #expect(now.content.first?["text"]?.stringValue?.hasPrefix("It is ") == true)
        let system = try await manager.call("sysinfo.system", arguments: [:], timeout: nil)
        #expect(system.structuredContent?["hostname"]?.stringValue == ProcessInfo.processInfo.hostName)
        // Arguments the schema does not allow never reach the plugin.
        await #expect {
            try await manager.call("sysinfo.now", arguments: ["zone": "UTC"], timeout: nil)
        } throws: { ($0 as? RPCError)?.code == RPCErrorCode.invalidParams }
        await manager.shutdown()
    }

    /// Wrong ABI major, a descriptor shorter than ABI 1.0's, no v1 entry symbol, no init: each
    /// refused, and the fixture's init (which would leave a marker file) never ran.
    @Test(arguments: ["testplugin-badmajor", "testplugin-short", "testplugin-noentry", "testplugin-noinit"])
    func aBadABIIsRefusedBeforeAnyPluginCodeRuns(_ name: String) async throws {
        let marker = NSTemporaryDirectory() + "grok-marker-\(UUID().uuidString)"
        setenv("GROK_FIXTURE_MARKER", marker, 1)
        defer { unsetenv("GROK_FIXTURE_MARKER") }
        let (manager, lines) = Self.manager()
        let info = try await manager.load(Self.library(name))
        #expect(info.state == "disabled", "\(info)")
        #expect(info.reason?.contains("exited with status 65") == true, "\(info.reason ?? "")")
        #expect(!FileManager.default.fileExists(atPath: marker), "the plugin's init ran")
        let expected = ["testplugin-badmajor": "ABI major 2", "testplugin-short": "descriptor of 24 bytes",
                        "testplugin-noentry": "no grok_plugin_entry_v1 symbol", "testplugin-noinit": "required functions missing: init"][name]!
        // The host's own words on stderr (forwarded by a thread of their own, so wait for them).
        var said = lines.text
        for _ in 0..<100 where !said.contains(expected) {
            try await Task.sleep(for: .milliseconds(20))
            said = lines.text
        }
        #expect(said.contains(expected), "\(said)")
        // The well-formed fixture's init does run (the marker proves it can).
        _ = try await manager.load(Self.library("testplugin-misbehave"))
        #expect(FileManager.default.fileExists(atPath: marker))
        try? FileManager.default.removeItem(atPath: marker)
        await manager.shutdown()
    }

    /// A crash, a hang, garbage on the protocol channel, a 50 MB answer and a runaway allocation
    /// each fail that one call with the plugin error (within the deadline), and the plugin comes
    /// back for the next call; this process is never touched.
    @Test(arguments: ["crash", "hang", "garbage", "huge"])
    func aMisbehavingCallFailsAloneAndThePluginComesBack(_ tool: String) async throws {
        let (manager, _) = Self.manager(timeout: .seconds(2))
        _ = try await manager.load(Self.library("testplugin-misbehave"))
        let before = await manager.list()[0].pid
        let started = ContinuousClock.now
        await #expect {
            try await manager.call("misbehave.\(tool)", arguments: [:], timeout: nil)
        } throws: { error in
            guard let error = error as? RPCError else { return false }
            return error.code == RPCErrorCode.pluginFailure && error.message.contains("misbehave")
        }
        #expect(ContinuousClock.now - started < .seconds(30))
        // Restarted (after a short delay) and answering again, in a new process.
        var answer: ToolsCall.Result?
        for _ in 0..<100 where answer == nil {
            answer = try? await manager.call("misbehave.echo", arguments: ["text": "hi"], timeout: nil)
            if answer == nil { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(answer?.content.first?["text"]?.stringValue == "echo")
        let after = await manager.list()[0]
        #expect(after.pid != before && after.recentCrashes == 1 && after.state == "ready")
        await manager.shutdown()
    }

    /// A plugin that allocates without end meets the host's address-space limit (here 512 MB):
    /// the allocation fails inside the host, never in the daemon, and the plugin keeps serving
    /// (or, if the leak broke it, is restarted).
    @Test func aLeakIsContainedByTheHostsLimit() async throws {
        let (manager, _) = Self.manager()
        _ = try await manager.load(Self.library("testplugin-misbehave"))
        switch await Self.attempt({ () async throws(RPCError) in try await manager.call("misbehave.leak", arguments: [:], timeout: nil) }) {
        case .success(let answer): #expect(answer.content.first?["text"]?.stringValue == "the allocator said no")
        case .failure(let error): #expect(error.code == RPCErrorCode.pluginFailure)
        }
        var answer: ToolsCall.Result?
        for _ in 0..<100 where answer == nil {
            answer = try? await manager.call("misbehave.echo", arguments: ["text": "hi"], timeout: nil)
            if answer == nil { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(answer != nil)
        await manager.shutdown()
    }

    /// A plugin process that dies between calls (killed from outside) counts as a crash: the
    /// next call says so, and the plugin comes back by itself.
    @Test func aProcessThatDiesWhileIdleIsRestarted() async throws {
        let (manager, _) = Self.manager()
        let pid = try #require(try await manager.load(Self.library("testplugin-misbehave")).pid)
        kill(pid, SIGKILL)
        try await Task.sleep(for: .milliseconds(100))
        var answer: ToolsCall.Result?
        for _ in 0..<100 where answer == nil {
            answer = try? await manager.call("misbehave.echo", arguments: ["text": "x"], timeout: nil)
            if answer == nil { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(answer?.isError == false)
        let entry = await manager.list()[0]
        #expect(entry.pid != pid && entry.recentCrashes == 1 && entry.state == "ready")
        await manager.shutdown()
    }

    /// Three crashes within the window disable the plugin (its state says why); reload brings
    /// it back with a clean record.
    @Test func threeCrashesDisableAndReloadRestores() async throws {
        let (manager, _) = Self.manager()
        _ = try await manager.load(Self.library("testplugin-misbehave"))
        for _ in 0..<3 {
            // Until it crashes (between crashes it is restarting, and says it is not available).
            for _ in 0..<100 {
                let outcome = await Self.attempt { () async throws(RPCError) in try await manager.call("misbehave.crash", arguments: [:], timeout: nil) }
                if case .failure(let error) = outcome, !error.message.contains("not available") { break }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        let disabled = await manager.list()[0]
        #expect(disabled.state == "disabled" && disabled.recentCrashes == 3 && disabled.reason?.contains("3 crashes") == true)
        await #expect {
            try await manager.call("misbehave.echo", arguments: ["text": "x"], timeout: nil)
        } throws: { ($0 as? RPCError)?.message.contains("not available") == true }
        let reloaded = try await manager.reload("misbehave")
        #expect(reloaded.state == "ready" && reloaded.recentCrashes == 0)
        #expect(try await manager.call("misbehave.echo", arguments: ["text": "x"], timeout: nil).isError == false)
        // Unloading stops the process and forgets the plugin and its tools.
        let pid = try #require(reloaded.pid)
        #expect(await manager.unload("misbehave"))
        let (listed, tools) = (await manager.list(), await manager.tools())
        #expect(listed.isEmpty && tools.isEmpty)
        var gone = false
        for _ in 0..<200 where !gone {
            gone = kill(pid, 0) != 0  // exited and reaped
            if !gone { try await Task.sleep(for: .milliseconds(10)) }
        }
        #expect(gone, "the plugin's process \(pid) is still there")
        #expect(!(await manager.unload("misbehave")))
        await manager.shutdown()
    }

    /// Cancelling a call tells the plugin (it stops early) and leaves its process serving.
    @Test func cancellationReachesThePlugin() async throws {
        let (manager, _) = Self.manager()
        _ = try await manager.load(Self.library("testplugin-misbehave"))
        let pid = await manager.list()[0].pid
        let call = Task { try await manager.call("misbehave.slow", arguments: ["ms": 20_000], timeout: nil) }
        try await Task.sleep(for: .milliseconds(300))
        call.cancel()
        await #expect { try await call.value } throws: { ($0 as? RPCError)?.code == RPCErrorCode.cancelled }
        #expect(try await manager.call("misbehave.echo", arguments: ["text": "x"], timeout: nil).isError == false)
        let after = await manager.list()[0]
        #expect(after.pid == pid && after.recentCrashes == 0)
        await manager.shutdown()
    }
}
