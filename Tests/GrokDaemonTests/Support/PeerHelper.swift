import Foundation
import GrokClient

/// Runs a tiny Python client as another uid (setuid in the child; the tests run as root) and
/// returns the first line the daemon sent it.
enum PeerHelper {
    static let script = #"""
        import os, socket, sys
        path, uid, line = sys.argv[1], int(sys.argv[2]), sys.argv[3]
        os.setgid(uid)
        os.setuid(uid)
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(path)
        except OSError as error:
            print("CONNECT-FAILED", error.errno)
            sys.exit(0)
        try:
            s.sendall(line.encode() + b"\n")
        except OSError:
            pass  # a refused peer may find the socket closed already; its answer is still readable
        data = b""
        while not data.endswith(b"\n"):
            try:
                chunk = s.recv(65536)
            except OSError:
                break
            if not chunk:
                break
            data += chunk
        print(data.decode().strip() or "CLOSED")
        """#

    static func run(asUID uid: UInt32, socket: String, line: String) async throws -> String {
        let output = try TestDaemon.makeTemporaryDirectory() + "/out"
        var options = ProcessSpawner.Options()
        options.stdoutPath = output
        options.stderrPath = output
        let pid = try ProcessSpawner.spawn("/usr/bin/env", ["python3", "-c", script, socket, "\(uid)", line], options: options)
        _ = await TestDaemon.waitForExit(pid: pid, timeout: .seconds(30))
        return (try String(contentsOfFile: output, encoding: .utf8)).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Opens the socket's directory and file to everyone, so that only the daemon's own
    /// SO_PEERCRED check stands between another uid and the methods.
    static func openPermissions(of socket: String, upTo root: String) {
        chmod(socket, 0o777)
        var directory = (socket as NSString).deletingLastPathComponent
        while directory.hasPrefix(root) {
            chmod(directory, 0o755)
            directory = (directory as NSString).deletingLastPathComponent
        }
    }
}
