import CGrokSpawn
import Foundation
import GrokJSON
import Synchronization

/// Why a call to a plugin process failed.
public enum PluginProcessError: Error, Sendable, Equatable {
    /// The process is gone (crashed, killed, or never started); the reason says how.
    case exited(String)
    /// No answer within the deadline; the process was killed (a plugin call cannot be interrupted).
    case timedOut(milliseconds: Int)
    /// The process wrote something that is not a JSON-RPC message, or a line over the size cap;
    /// it was killed.
    case garbage(String)
    /// The process answered with a JSON-RPC error.
    case rpc(code: Int64, message: String, data: JSONValue?)
    /// The caller cancelled; the process was told (`notifications/cancelled`) and keeps running.
    case cancelled
}

/// One child process speaking newline-delimited JSON-RPC on its stdin/stdout: a
/// `grok-plugin-host` serving a plugin library, or an external MCP server.
///
/// Started with posix_spawn (never fork: the daemon holds databases and sockets). A thread reads
/// its stdout and completes the waiting calls by id; another forwards its stderr lines to the log.
/// Anything that is not an answer (bad JSON, a line over `maxLineBytes`, an unknown id) ends the
/// process: its pending calls fail and the owner restarts it. The owner ends it with `terminate`
/// (the reader thread keeps this object until the child has exited and been reaped).
public final class PluginProcess: @unchecked Sendable {
    public let pid: pid_t
    private let input: FileHandle
    private let maxLineBytes: Int
    private let state = Mutex(State())
    private let writing = Mutex(())
    private let log: @Sendable (String) -> Void

    private struct State {
        var nextID: Int64 = 0
        var pending: [Int64: CheckedContinuation<JSONValue, any Error>] = [:]
        /// Requests given up on (cancelled): their late answers are dropped.
        var abandoned: Set<Int64> = []
        /// Who hears the progress of a request (its id is the progress token).
        var progress: [Int64: @Sendable (JSONValue) -> Void] = [:]
        var exitReason: String?
        /// The child was waited for: its pid may belong to someone else now.
        var reaped = false
    }

    /// Starts `executable` with `arguments`; `log` receives its stderr lines and exit reason.
    public init(executable: String, arguments: [String], environment: [String: String], maxLineBytes: Int,
                log: @escaping @Sendable (String) -> Void) throws(PluginProcessError) {
        self.maxLineBytes = maxLineBytes
        self.log = log
        var stdinPipe: [Int32] = [0, 0], stdoutPipe: [Int32] = [0, 0], stderrPipe: [Int32] = [0, 0]
        func closeAll() {
            for descriptor in stdinPipe + stdoutPipe + stderrPipe where descriptor > 0 { close(descriptor) }
        }
        guard Self.makePipe(&stdinPipe), Self.makePipe(&stdoutPipe), Self.makePipe(&stderrPipe) else {
            let reason = String(cString: strerror(errno))
            closeAll()
            throw .exited("cannot create pipes: \(reason)")
        }
        do {
            pid = try Self.spawn(executable, arguments, environment, stdin: stdinPipe[0], stdout: stdoutPipe[1], stderr: stderrPipe[1])
        } catch {
            closeAll()
            throw error
        }
        for descriptor in [stdinPipe[0], stdoutPipe[1], stderrPipe[1]] { close(descriptor) }
        input = FileHandle(fileDescriptor: stdinPipe[1], closeOnDealloc: true)
        let output = stdoutPipe[0], errors = stderrPipe[0]
        Thread.detachNewThread { [self] in readAnswers(output) }
        Thread.detachNewThread { [log] in Self.forwardLines(errors, to: log) }
    }

    /// A pipe whose ends are closed on exec (the child gets only what is dup2'ed to 0, 1, 2).
    private static func makePipe(_ ends: inout [Int32]) -> Bool {
        guard pipe(&ends) == 0 else { return false }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        return true
    }

    private static func spawn(_ executable: String, _ arguments: [String], _ environment: [String: String], stdin: Int32,
                              stdout: Int32, stderr: Int32) throws(PluginProcessError) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdin, 0)
        posix_spawn_file_actions_adddup2(&actions, stdout, 1)
        posix_spawn_file_actions_adddup2(&actions, stderr, 2)
        // Nothing else of the daemon's: not its listening socket, not a client's connection.
        let closing = grok_spawn_file_actions_close_from(&actions, 3)
        guard closing == 0 else { throw .exited("cannot prepare \(executable): \(String(cString: strerror(closing)))") }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        // posix_spawnp: an MCP server's command may be a name on PATH.
        // A process group of its own, so that ending it also ends what it started (an MCP
        // server behind `npx`, `uvx` or a shell).
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        _ = grok_spawnattr_default_signals(&attributes)  // not the spawning thread's blocked signals
        let status = posix_spawnp(&pid, executable, &actions, &attributes, argv, envp)
        guard status == 0 else { throw .exited("cannot start \(executable): \(String(cString: strerror(status)))") }
        return pid
    }

    /// Sends a request and waits for its answer for at most `timeout`. With `progress`, the
    /// request carries a progress token and the process's `notifications/progress` for it are
    /// handed over as they come.
    public func request(
        _ method: String, _ params: JSONValue, timeout: Duration, progress: (@Sendable (JSONValue) -> Void)? = nil
    ) async throws(PluginProcessError) -> JSONValue {
        let id: Int64? = state.withLock { state in
            guard state.exitReason == nil else { return nil }
            state.nextID += 1
            if let progress { state.progress[state.nextID] = progress }
            return state.nextID
        }
        guard let id else { throw .exited(exitReason ?? "exited") }
        defer { _ = state.withLock { $0.progress.removeValue(forKey: id) } }
        let message = Self.withProgressToken(params, progress == nil ? nil : id)
        do {
            return try await withThrowingTaskGroup(of: JSONValue.self) { group in
                group.addTask { try await self.send(id, method, message) }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    throw PluginProcessError.timedOut(milliseconds: Int(timeout / .milliseconds(1)))
                }
                defer { group.cancelAll() }
                return try await group.next()!
            }
        } catch let error as PluginProcessError {
            // A call that cannot finish in time blocks the process for every later call.
            if case .timedOut = error { terminate("a call took longer than its deadline") }
            throw error
        } catch {
            notify("notifications/cancelled", ["requestId": .int(id), "reason": "the caller cancelled"])
            throw .cancelled
        }
    }

    /// `params` with MCP's `_meta.progressToken` when progress is wanted.
    private static func withProgressToken(_ params: JSONValue, _ token: Int64?) -> JSONValue {
        guard let token, var object = params.objectValue else { return params }
        object["_meta"] = ["progressToken": .int(token)]
        return .object(object)
    }

    /// Sends a notification (no answer).
    public func notify(_ method: String, _ params: JSONValue) {
        write(["jsonrpc": "2.0", "method": .string(method), "params": params])
    }

    private func send(_ id: Int64, _ method: String, _ params: JSONValue) async throws -> JSONValue {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let refusal: (any Error)? = state.withLock { state in
                    if let reason = state.exitReason { return PluginProcessError.exited(reason) }
                    if state.abandoned.contains(id) { return CancellationError() }
                    state.pending[id] = continuation
                    return nil
                }
                if let refusal {
                    continuation.resume(throwing: refusal)
                    return
                }
                write(["jsonrpc": "2.0", "id": .int(id), "method": .string(method), "params": params])
            }
        } onCancel: {
            let continuation = state.withLock { state in
                state.abandoned.insert(id)
                return state.pending.removeValue(forKey: id)
            }
            continuation?.resume(throwing: CancellationError())
        }
    }

    private func write(_ message: JSONValue) {
        guard var bytes = try? JSONCodec.encode(message) else { return }
        bytes.append(0x0A)
        // One message at a time on the pipe (large ones are written in several pieces). A closed
        // pipe (the child died) raises EPIPE, which the reader reports.
        writing.withLock { _ in try? input.write(contentsOf: Data(bytes)) }
    }

    /// Why the process ended, once it has.
    public var exitReason: String? { state.withLock { $0.exitReason } }
    public var isRunning: Bool { exitReason == nil }

    /// Kills the process and its group; pending and later calls fail with `reason`.
    public func terminate(_ reason: String) {
        kill(reason: reason)
        fail(reason)
    }

    /// SIGKILL to the child's process group, unless it was already reaped.
    private func kill(reason: String) {
        state.withLock { state in
            if !state.reaped { Glibc.kill(-pid, SIGKILL) }
        }
    }

    /// Marks the process ended and fails every pending call with `error` (`.exited(reason)`
    /// unless given).
    private func fail(_ reason: String, with error: PluginProcessError? = nil) {
        let pending = state.withLock { state -> [CheckedContinuation<JSONValue, any Error>] in
            if state.exitReason == nil { state.exitReason = reason }
            defer { state.pending.removeAll() }
            return Array(state.pending.values)
        }
        for continuation in pending { continuation.resume(throwing: error ?? .exited(reason)) }
    }

    private func readAnswers(_ descriptor: Int32) {
        let reader = LineReader(descriptor: descriptor, maxLineBytes: maxLineBytes)
        defer { close(descriptor) }
        while true {
            switch reader.next() {
            case .line(let bytes):
                guard deliver(bytes) else {
                    _ = reap()
                    return
                }
            case .tooLong:
                kill(reason: "too long")
                failGarbage("an answer longer than \(maxLineBytes) bytes")
                _ = reap()
                return
            case .end:
                fail(reap())
                return
            }
        }
    }

    /// Completes the call a line answers; false (after killing the process) if it answers none.
    private func deliver(_ bytes: [UInt8]) -> Bool {
        guard let message = try? JSONCodec.parse(bytes), message.objectValue != nil else {
            kill(reason: "garbage")
            failGarbage("output that is not JSON")
            return false
        }
        if let method = message["method"]?.stringValue, let id = message["id"] {
            // A request from the server (MCP lets it ping): answer it, it completes no call.
            write(method == "ping" ? ["jsonrpc": "2.0", "id": id, "result": [:]]
                  : ["jsonrpc": "2.0", "id": id, "error": ["code": -32601, "message": .string("Method not found: \(method)")]])
            return true
        }
        if let method = message["method"]?.stringValue, message["id"] == nil {
            // Progress goes to whoever asked for it; other notifications: nothing expects them.
            if method == "notifications/progress", let token = message["params"]?["progressToken"]?.intValue,
               let handler = state.withLock({ $0.progress[token] }), let params = message["params"] {
                handler(params)
            }
            return true
        }
        let id = message["id"]?.intValue ?? -1
        if state.withLock({ $0.abandoned.remove(id) != nil }) { return true }  // the answer to a cancelled call
        guard let continuation = state.withLock({ $0.pending.removeValue(forKey: id) }) else {
            kill(reason: "stray answer")
            failGarbage("an answer to no request")
            return false
        }
        if let error = message["error"] {
            continuation.resume(throwing: PluginProcessError.rpc(
                code: error["code"]?.intValue ?? -32603, message: error["message"]?.stringValue ?? "error", data: error["data"]))
        } else {
            continuation.resume(returning: message["result"] ?? .null)
        }
        return true
    }

    private func failGarbage(_ what: String) {
        fail("the plugin wrote \(what)", with: .garbage(what))
        log("killed: the plugin wrote \(what)")
    }

    /// Waits for the child and says how it ended ("exited with status 1", "killed by signal 11").
    private func reap() -> String {
        var status: Int32 = 0
        let waited = waitpid(pid, &status, 0) == pid
        state.withLock { $0.reaped = true }
        guard waited else { return "exited" }
        let signal = status & 0x7F
        return signal == 0 ? "exited with status \((status >> 8) & 0xFF)" : "killed by signal \(signal)"
    }

    private static func forwardLines(_ descriptor: Int32, to log: @Sendable (String) -> Void) {
        let reader = LineReader(descriptor: descriptor, maxLineBytes: 16 << 10)
        defer { close(descriptor) }
        while true {
            switch reader.next() {
            case .line(let bytes): log(String(decoding: bytes, as: UTF8.self))
            case .tooLong: log("(a log line over 16 KB, dropped)")
            case .end: return
            }
        }
    }
}
