import CGrokPlugin
import Foundation
import GrokJSON
import Synchronization

/// The host's side of the ABI in the plugin host process: the callbacks the plugin gets, and
/// the request it is serving (so that a cancellation can reach it). One plugin per process, so
/// this state is process-wide.
enum HostState {
    private static let current = Mutex<JSONValue?>(nil)
    /// The caller's progress token for the running call (MCP's `_meta.progressToken`), if any.
    private static let progressToken = Mutex<JSONValue?>(nil)
    private static let cancelled = Atomic<Bool>(false)

    /// The callbacks given to the plugin's init (valid for the life of the process).
    nonisolated(unsafe) static let api: UnsafePointer<grok_host_api> = {
        let api = UnsafeMutablePointer<grok_host_api>.allocate(capacity: 1)
        api.initialize(to: grok_host_api(
            struct_size: UInt32(MemoryLayout<grok_host_api>.size), host: nil,
            log: { _, level, message in HostState.log(level, message) },
            is_cancelled: { _ in HostState.cancelled.load(ordering: .relaxed) ? 1 : 0 },
            progress: { _, done, total, message in HostState.progress(done, total, message) }))
        return UnsafePointer(api)
    }()

    /// Runs a plugin call for request `id`: cancellable by that id, and stopped by the kernel
    /// (SIGXCPU-like: the profiling timer's signal ends the process) past `cpuSeconds` of CPU.
    static func running<T>(_ id: JSONValue, progressToken token: JSONValue? = nil, cpuSeconds: Int, _ body: () -> T) -> T {
        current.withLock { $0 = id }
        progressToken.withLock { $0 = token }
        cancelled.store(false, ordering: .relaxed)
        arm(seconds: cpuSeconds)
        defer {
            arm(seconds: 0)
            current.withLock { $0 = nil }
            progressToken.withLock { $0 = nil }
        }
        return body()
    }

    /// A `notifications/cancelled` for `requestId`: flags the call if it is the running one.
    static func cancel(_ requestId: JSONValue?) {
        guard let requestId else { return }
        if current.withLock({ $0 == requestId }) { cancelled.store(true, ordering: .relaxed) }
    }

    /// The profiling timer counts this process's CPU time; its default action ends the process.
    private static func arm(seconds: Int) {
        var timer = itimerval(it_interval: timeval(tv_sec: 0, tv_usec: 0), it_value: timeval(tv_sec: seconds, tv_usec: 0))
        setitimer(Int32(ITIMER_PROF.rawValue), &timer, nil)
    }

    /// MCP's `notifications/progress` to the caller, when it asked for progress.
    private static func progress(_ done: UInt64, _ total: UInt64, _ message: UnsafePointer<CChar>?) {
        guard let token = progressToken.withLock({ $0 }) else { return }
        var params: JSONObject = ["progressToken": token, "progress": .int(Int64(clamping: done))]
        if total > 0 { params["total"] = .int(Int64(clamping: total)) }
        if let text = message.flatMap({ String(validatingCString: $0) }) { params["message"] = .string(text) }
        guard var bytes = try? JSONCodec.encode(["jsonrpc": "2.0", "method": "notifications/progress", "params": .object(params)]) else { return }
        bytes.append(0x0A)
        FileHandle.standardOutput.write(Data(bytes))
    }

    private static func log(_ level: grok_log_level, _ message: UnsafePointer<CChar>?) {
        let text = message.flatMap { String(validatingCString: $0) } ?? ""
        let name = switch level {
        case GROK_LOG_DEBUG: "debug"
        case GROK_LOG_INFO: "info"
        case GROK_LOG_WARNING: "warning"
        default: "error"
        }
        // One line per message on stderr, which grokd reads into its log.
        let line = "\(name): \(text.replacingOccurrences(of: "\n", with: " "))\n"
        FileHandle.standardError.write(Data(line.utf8))
    }
}

/// Limits the host process sets on itself before loading a plugin.
public struct HostLimits: Sendable {
    /// Address space, bytes (0: unlimited).
    public var addressSpaceBytes: Int = 2 << 30
    /// Open files.
    public var openFiles: Int = 256
    /// CPU seconds one call may use before the process is ended (0: unlimited).
    public var cpuSecondsPerCall: Int = 30

    public init() {}

    /// Applies the address-space and open-file limits to this process.
    public func apply() {
        if addressSpaceBytes > 0 { set(RLIMIT_AS, addressSpaceBytes) }
        set(RLIMIT_NOFILE, openFiles)
    }

    private func set(_ resource: __rlimit_resource, _ value: Int) {
        var limit = rlimit(rlim_cur: rlim_t(value), rlim_max: rlim_t(value))
        setrlimit(Int32(resource.rawValue), &limit)
    }
}
