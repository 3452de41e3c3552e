import Foundation
import GrokRPC

/// Prepares the socket's place on disk: a private directory, the lock that makes this the
/// only daemon for the socket, and the removal of a socket a crashed daemon left behind.
final class SocketPlacement {
    let socketPath: String
    let lockPath: String
    /// Open while this daemon runs; the flock on it is released by the kernel when we exit.
    private let lockDescriptor: CInt

    enum Failure: Error, CustomStringConvertible {
        case alreadyRunning(socket: String, pid: String)
        case unusableDirectory(String)
        case system(String)

        var description: String {
            switch self {
            case .alreadyRunning(let socket, let pid):
                return "another grokd (pid \(pid)) is already serving \(socket)"
            case .unusableDirectory(let detail), .system(let detail):
                return detail
            }
        }
    }

    /// Creates the directory (0700), takes the lock and clears a stale socket.
    init(socketPath: String) throws {
        self.socketPath = socketPath
        self.lockPath = socketPath + ".lock"
        try Self.makePrivateDirectory((socketPath as NSString).deletingLastPathComponent)
        let descriptor = try Self.takeLock(lockPath, socketPath: socketPath)
        do {
            try Self.clearStaleSocket(socketPath)
        } catch {
            close(descriptor)
            throw error
        }
        lockDescriptor = descriptor
    }

    /// Makes the bound socket owner-only, whatever the umask was.
    func restrictSocket() throws {
        guard chmod(socketPath, 0o600) == 0 else {
            throw Failure.system("cannot chmod \(socketPath): \(String(cString: strerror(errno)))")
        }
    }

    /// Removes the socket file at exit; the lock goes with the process.
    func release() {
        unlink(socketPath)
        close(lockDescriptor)
    }

    /// Makes sure the socket's directory is safe to serve from.
    ///
    /// A directory grokd creates, or its own dedicated one (named `grok…`, as the defaults
    /// are), is made 0700. Any other existing directory (say `/tmp` for `--socket
    /// /tmp/g.sock`) is left as it is, but refused when others could replace the socket in it.
    private static func makePrivateDirectory(_ path: String) throws {
        var info = stat()
        if stat(path, &info) != 0 {
            do {
                try FileManager.default.createDirectory(
                    atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw Failure.unusableDirectory("cannot create socket directory \(path): \(error.localizedDescription)")
            }
            try restrict(path)
            return
        }
        guard (info.st_mode & S_IFMT) == S_IFDIR else {
            throw Failure.unusableDirectory("socket directory \(path) is not a directory")
        }
        let sticky = info.st_mode & S_ISVTX != 0
        if info.st_uid == geteuid(), (path as NSString).lastPathComponent.hasPrefix("grok") {
            try restrict(path)
        } else if info.st_mode & 0o022 != 0 && !sticky {
            throw Failure.unusableDirectory("socket directory \(path) is writable by other users; choose another --socket")
        } else if info.st_uid != geteuid() && info.st_uid != 0 {
            throw Failure.unusableDirectory("socket directory \(path) belongs to uid \(info.st_uid), not to us")
        }
    }

    private static func restrict(_ path: String) throws {
        guard chmod(path, 0o700) == 0 else {
            throw Failure.unusableDirectory("cannot chmod \(path): \(String(cString: strerror(errno)))")
        }
    }

    private static func takeLock(_ lockPath: String, socketPath: String) throws -> CInt {
        let descriptor = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw Failure.system("cannot open lock file \(lockPath): \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw Failure.alreadyRunning(socket: socketPath, pid: lockHolder(lockPath))
        }
        let pid = Array("\(getpid())\n".utf8)
        ftruncate(descriptor, 0)
        _ = pid.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        return descriptor
    }

    /// The pid written in the lock file; the winner writes it just after locking, so look twice.
    private static func lockHolder(_ lockPath: String) -> String {
        for attempt in 0..<2 {
            if attempt > 0 { usleep(50_000) }
            let text = (try? String(contentsOfFile: lockPath, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            if let text, !text.isEmpty { return text }
        }
        return "unknown"
    }

    /// We hold the lock, so a socket file here is stale — unless something answers on it
    /// that does not use our lock, which we refuse to disturb.
    private static func clearStaleSocket(_ path: String) throws {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        guard (info.st_mode & S_IFMT) == S_IFSOCK else {
            throw Failure.unusableDirectory("\(path) exists and is not a socket; refusing to replace it")
        }
        if UnixSocketProbe.answers(path) {
            throw Failure.alreadyRunning(socket: path, pid: "unknown, without a lock file")
        }
        unlink(path)
    }
}

/// Checks whether anything accepts connections on a Unix socket path.
enum UnixSocketProbe {
    static func answers(_ path: String) -> Bool {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        let connected = (try? UnixSocketAddress.connect(descriptor, to: path)) ?? -1
        return connected == 0
    }
}
