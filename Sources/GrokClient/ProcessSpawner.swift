import CGrokSpawn
import Foundation

/// Starts programs with posix_spawn (never fork): for grokctl starting grokd, and for tests.
public enum ProcessSpawner {
    /// What the child's standard streams and extra descriptors are.
    public struct Options: Sendable {
        public var environment: [String: String]
        /// Files for stdin/stdout/stderr; nil keeps ours. stdout/stderr files are appended to.
        public var stdinPath: String? = "/dev/null"
        public var stdoutPath: String?
        public var stderrPath: String?
        /// Descriptors to hand over: (our fd, the child's fd number).
        public var inheritedDescriptors: [(CInt, CInt)] = []
        /// Start a new session, so the child outlives our terminal.
        public var newSession = false

        public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
            self.environment = environment
        }
    }

    public struct SpawnError: Error, CustomStringConvertible {
        public var description: String
    }

    /// POSIX_SPAWN_SETSID (glibc); not visible through Swift's Glibc module.
    private static let setSessionFlag: Int16 = 0x80

    /// Starts `executable` with `arguments` (not including argv[0]); returns its pid.
    public static func spawn(_ executable: String, _ arguments: [String], options: Options) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let path = options.stdinPath { posix_spawn_file_actions_addopen(&actions, 0, path, O_RDONLY, 0) }
        let append = O_WRONLY | O_CREAT | O_APPEND
        if let path = options.stdoutPath { posix_spawn_file_actions_addopen(&actions, 1, path, append, 0o600) }
        if let path = options.stderrPath { posix_spawn_file_actions_addopen(&actions, 2, path, append, 0o600) }
        for (ours, theirs) in options.inheritedDescriptors {
            posix_spawn_file_actions_adddup2(&actions, ours, theirs)
        }
        // Only what was asked for: a child holding our other descriptors would keep our
        // sockets and pipes open after we closed them.
        let firstClosed = (options.inheritedDescriptors.map(\.1).max() ?? 2) + 1
        let closing = grok_spawn_file_actions_close_from(&actions, max(firstClosed, 3))
        guard closing == 0 else {
            throw SpawnError(description: "cannot prepare \(executable): \(String(cString: strerror(closing)))")
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        if options.newSession { posix_spawnattr_setflags(&attributes, setSessionFlag) }
        _ = grok_spawnattr_default_signals(&attributes)  // not our threads' blocked or ignored signals

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = options.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard status == 0 else {
            throw SpawnError(description: "cannot start \(executable): \(String(cString: strerror(status)))")
        }
        return pid
    }

    /// Finds an executable: next to the running program first, then on PATH.
    public static func locate(_ name: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        var candidates: [String] = []
        if let running = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            candidates.append((running as NSString).deletingLastPathComponent + "/" + name)
        }
        for directory in (environment["PATH"] ?? "").split(separator: ":") {
            candidates.append("\(directory)/\(name)")
        }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
