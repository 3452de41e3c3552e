import Foundation
import GrokJSON
import GrokProtocol
import Testing

/// grokctl as a script would use it: output, exit codes, autostart.
@Suite struct GrokctlTests {
    func grokctl(_ arguments: [String], _ environment: [String: String]) async throws -> (Int32?, String) {
        try await ExampleClientTests.run(TestDaemon.grokctl, arguments, environment: environment)
    }

    @Test func statusAsJSON() async throws {
        let daemon = try await TestDaemon.started()
        let (status, output) = try await grokctl(["status", "--json", "--socket", daemon.socketPath], daemon.environment)
        #expect(status == 0, "\(output)")
        let value = try JSONCodec.parse(string: output.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(value["pid"] == .int(Int64(daemon.pid)))
        #expect(value["socket"] == .string(daemon.socketPath))
    }

    /// The plugin commands as a script sees them: JSON out, the daemon's error code as exit status.
    @Test func pluginsAndToolsFromTheCommandLine() async throws {
        let daemon = try await TestDaemon.started(config: #"{"model":"none"}"#)
        let socket = ["--socket", daemon.socketPath, "--no-autostart"]
        var sysinfo: JSONValue?
        for _ in 0..<100 {
            let (_, output) = try await grokctl(["plugins", "ls"] + socket, daemon.environment)
            let listed = (try? JSONCodec.parse(string: output.trimmingCharacters(in: .whitespacesAndNewlines))) ?? .null
            sysinfo = listed["plugins"]?.arrayValue?.first { $0["name"] == "sysinfo" }
            if sysinfo?["state"] == "ready" { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(sysinfo?["state"] == "ready" && sysinfo?["kind"] == "library")
        let (status, output) = try await grokctl(["tools", "call", "sysinfo.now"] + socket, daemon.environment)
        #expect(status == 0, "\(output)")
        let result = try JSONCodec.parse(string: output.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(result["structuredContent"]?["date"]?.stringValue?.count == 10)
        let (refused, message) = try await grokctl(["tools", "call", "sysinfo.now", #"{"x": 1}"#] + socket, daemon.environment)
        #expect(refused == 1 && message.contains("arguments.x"), "\(message)")
    }

    @Test func memoryFromTheCommandLine() async throws {
        let daemon = try await TestDaemon.started(config: #"{"model":"none","builtinPlugins":false}"#)
        let socket = ["--socket", daemon.socketPath, "--no-autostart"]
        let (set, _) = try await grokctl(["prefs", "set", "name", "Ada"] + socket, daemon.environment)
        #expect(set == 0)
        let (_, output) = try await grokctl(["prefs", "get", "name"] + socket, daemon.environment)
        #expect(try JSONCodec.parse(string: output.trimmingCharacters(in: .whitespacesAndNewlines))["value"] == "Ada")
        let (listed, sessions) = try await grokctl(["session", "ls"] + socket, daemon.environment)
        let page = try JSONCodec.parse(string: sessions.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(listed == 0 && page["sessions"] == [])
        let (usage, _) = try await grokctl(["feedback", "12", "sideways"] + socket, daemon.environment)
        #expect(usage == 64)
        let (missing, message) = try await grokctl(["feedback", "12", "up"] + socket, daemon.environment)
        #expect(missing == 1 && message.contains("-32005"), "\(message)")
    }

    @Test func askStartsAndContinuesASession() async throws {
        let (daemon, client) = try await EngineMethodsTests.daemonWithDefaultModel()
        await client.close()
        let socket = ["--socket", daemon.socketPath, "--no-autostart", "--json"]
        let (status, output) = try await grokctl(["ask", "Hello", "--max-tokens", "3", "--temperature", "0", "--no-retrieval"] + socket, daemon.environment)
        #expect(status == 0, "\(output)")
        let first = try JSONCodec.parse(string: output.trimmingCharacters(in: .whitespacesAndNewlines))
        let session = try #require(first["session"]?.stringValue)
        #expect(first["usage"]?["completionTokens"]?.intValue ?? 0 > 0)
        let (again, more) = try await grokctl(
            ["ask", "Again", "--session", session, "--max-tokens", "3", "--temperature", "0", "--no-retrieval"] + socket, daemon.environment)
        let second = try JSONCodec.parse(string: more.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(again == 0 && second["session"]?.stringValue == session)
    }

    /// From a pipe, every line is a message or a command: two turns, /new, one more turn make
    /// two sessions, the first with two exchanges.
    @Test func chatReadsAPipe() async throws {
        let (daemon, client) = try await EngineMethodsTests.daemonWithDefaultModel()
        _ = try await client.call(PrefsSet.self, .init(key: "options", value: ["maxTokens": 3, "temperature": 0]))
        let input = daemon.root + "/chat.txt"
        try "Hello\nHow are you?\n/new\nAnother topic\n/exit\n".write(toFile: input, atomically: true, encoding: .utf8)
        let (status, output) = try await ExampleClientTests.run(
            "/bin/sh", ["-c", "\"$0\" chat --no-retrieval --socket \"$1\" --no-autostart < \"$2\"", TestDaemon.grokctl, daemon.socketPath, input],
            environment: daemon.environment)
        #expect(status == 0, "\(output)")
        let sessions = try await client.call(SessionList.self, .init()).sessions
        #expect(sessions.count == 2, "\(sessions)")
        #expect(sessions.map(\.messageCount).sorted() == [2, 4])
        await client.close()
    }

    /// At a terminal (a real pseudo-terminal), lines are edited and the history outlives the
    /// run: Ctrl-A Ctrl-K wipes a typed line; in a second run, Up three times recalls a line of
    /// the first.
    @Test func chatAtATerminalEditsLinesAndKeepsHistory() async throws {
        let daemon = try await TestDaemon.started(config: #"{"model":"none"}"#)
        let client = try await daemon.client()
        let chat = "\"$0\" chat --no-retrieval --socket \"$1\" --no-autostart"
        let first = try await Self.typeAtATerminal(
            [chat, TestDaemon.grokctl, daemon.socketPath], keys: ["/set name Bob\u{01}\u{0B}/set name Ada\r", "/exit\r"],
            environment: daemon.environment)
        #expect(try await client.call(PrefsGet.self, .init(key: "name")).value == "Ada", "\(first)")
        _ = try await Self.typeAtATerminal(
            [chat, TestDaemon.grokctl, daemon.socketPath], keys: ["/set name Zed\r", "\u{1B}[A\u{1B}[A\u{1B}[A\r", "/exit\r"],
            environment: daemon.environment)
        #expect(try await client.call(PrefsGet.self, .init(key: "name")).value == "Ada")
        let history = try String(contentsOfFile: daemon.root + "/state/grok/chat_history", encoding: .utf8)
        #expect(history.contains("Zed") && !history.contains("Bob"), "\(history)")  // (libedit writes spaces as \040)
        await client.close()
    }

    /// Runs `sh -c command args…` on a pseudo-terminal, sending each group of keys once the
    /// program shows its prompt again; what the terminal showed.
    static func typeAtATerminal(_ command: [String], keys: [String], environment: [String: String]) async throws -> String {
        let script = """
            import os, pty, select, sys, json
            keys = json.loads(sys.argv[1]); command = sys.argv[2:]
            pid, fd = pty.fork()
            if pid == 0:
                os.execvp("/bin/sh", ["/bin/sh", "-c"] + command)
            seen = b""
            def wait_for_prompts(count):
                global seen
                while seen.count(b"> ") < count:
                    ready, _, _ = select.select([fd], [], [], 30)
                    if not ready: sys.exit("no prompt: " + seen.decode(errors="replace"))
                    try: seen += os.read(fd, 4096)
                    except OSError: return
            for number, group in enumerate(keys):
                wait_for_prompts(number + 1)
                os.write(fd, group.encode())
            while True:
                try:
                    chunk = os.read(fd, 4096)
                except OSError:
                    break
                if not chunk: break
                seen += chunk
            _, status = os.waitpid(pid, 0)
            print(seen.decode(errors="replace"))
            sys.exit(os.waitstatus_to_exitcode(status))
            """
        var environment = environment
        environment["XDG_STATE_HOME"] = (environment["XDG_RUNTIME_DIR"].map { ($0 as NSString).deletingLastPathComponent } ?? "/tmp") + "/state"
        environment["TERM"] = "xterm"
        let encodedKeys = try JSONCodec.encodeToString(.array(keys.map { .string($0) }))
        let (status, output) = try await ExampleClientTests.run("/usr/bin/env", ["python3", "-c", script, encodedKeys] + command, environment: environment)
        #expect(status == 0, "\(output)")
        return output
    }

    @Test func pingUsesTheXDGSocket() async throws {
        let daemon = try await TestDaemon.started()
        let (status, output) = try await grokctl(["ping", "--no-autostart"], daemon.environment)
        #expect(status == 0, "\(output)")
        #expect(output.hasPrefix("pong"))
    }

    @Test func callPrintsTheResultAndStreamsProgress() async throws {
        let daemon = try await TestDaemon.started()
        let (status, output) = try await grokctl(
            ["call", "daemon.sleep", #"{"ms":200,"intervalMs":50}"#, "--stream", "--no-autostart"], daemon.environment)
        #expect(status == 0, "\(output)")
        let lines = output.split(separator: "\n").map(String.init)
        #expect(lines.filter { $0.contains(#""kind":"tick""#) }.count >= 3, "\(output)")
        #expect(lines.last?.contains("sleptMs") == true)
    }

    @Test func exitCodesTellWhatHappened() async throws {
        let daemon = try await TestDaemon.started()
        let environment = daemon.environment
        #expect(try await grokctl(["call", "no.such.method", "--no-autostart"], environment).0 == 1)
        #expect(try await grokctl(["call", "daemon.ping", "{not json", "--no-autostart"], environment).0 == 64)
        #expect(try await grokctl(["frobnicate"], environment).0 == 64)
        let missing = try await grokctl(["ping", "--no-autostart", "--socket", daemon.root + "/none.sock"], environment)
        #expect(missing.0 == 69)
        #expect(missing.1.contains("no daemon answers"))
    }

    @Test func autostartsTheDaemonWhenNoneAnswers() async throws {
        let home = try TestDaemon()  // a private XDG tree, no daemon started
        let (status, output) = try await grokctl(["ping"], home.environment)
        #expect(status == 0, "\(output)")
        #expect(output.hasPrefix("pong"))
        let log = try String(contentsOfFile: home.root + "/state/grok/grokd.log", encoding: .utf8)
        #expect(log.contains("grokd ready"))
        let stop = try await grokctl(["call", "daemon.shutdown", "--no-autostart"], home.environment)
        #expect(stop.0 == 0, "\(stop.1)")
    }

    @Test func autostartReportsADaemonThatCannotStart() async throws {
        let home = try TestDaemon(config: #"{"limits":{"maxDepth":0}}"#)
        let (status, output) = try await grokctl(["ping"], home.environment)
        #expect(status == 69)
        #expect(output.contains("exited at start"), "\(output)")
        #expect(output.contains("maxDepth"), "\(output)")
    }

    @Test func helpAndCompletionsAreGenerated() async throws {
        let (status, help) = try await grokctl(["--help"], ProcessInfo.processInfo.environment)
        #expect(status == 0)
        for word in ["status", "ping", "call", "Exit codes", "--generate-completion-script"] {
            #expect(help.contains(word), "help lacks \(word)")
        }
        let (bashStatus, bash) = try await grokctl(["--generate-completion-script", "bash"], ProcessInfo.processInfo.environment)
        #expect(bashStatus == 0)
        #expect(bash.contains("_grokctl"))
    }
}
