import Foundation
import GrokJSON
import GrokRPC

/// A blocking Unix-socket connection speaking lines: for benchmarks that measure the daemon
/// rather than a client library, and for tests that must send exact (even malformed) bytes.
/// Not synchronised: use each socket from one thread at a time.
public final class LineSocket: @unchecked Sendable {
    public let descriptor: CInt
    private var pending: [UInt8] = []

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    public init(path: String) throws {
        // Assigned only once connected: a class whose stored properties are all set runs its
        // deinit when its init throws, and a second close would hit whatever descriptor
        // another thread opened under the same number meanwhile.
        descriptor = try Self.connectedDescriptor(path: path)
    }

    /// A socket connected to `path`; closed again (once) when connecting fails.
    private static func connectedDescriptor(path: String) throws -> CInt {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw Failure("socket: \(errno)") }
        let connected: CInt
        do {
            connected = try UnixSocketAddress.connect(descriptor, to: path)
        } catch {
            close(descriptor)
            throw error
        }
        guard connected == 0 else {
            let code = errno
            close(descriptor)
            throw Failure("connect \(path): \(String(cString: strerror(code)))")
        }
        return descriptor
    }

    deinit { close(descriptor) }

    /// Sends a text line (a newline is added).
    public func send(_ line: String) throws { try sendBytes(Array(line.utf8) + [0x0A]) }

    public func sendBytes(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard written > 0 else { throw Failure("send failed: \(String(cString: strerror(errno)))") }
            offset += written
        }
    }

    /// Closes our sending side only (what socat does at the end of its input).
    public func shutdownWrite() { shutdown(descriptor, Int32(SHUT_WR)) }

    /// Reads one line; throws on timeout or when the daemon closes first.
    public func readLine(timeout: Duration = .seconds(20)) throws -> String {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while true {
            if let newline = pending.firstIndex(of: 0x0A) {
                let line = String(decoding: pending[..<newline], as: UTF8.self)
                pending.removeSubrange(...newline)
                return line
            }
            let left = deadline - clock.now
            guard left > .zero else { throw Failure("timed out waiting for a line") }
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let ms = Int32(left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000)
            guard poll(&poller, 1, max(ms, 1)) > 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { throw ClosedByPeer() }
            pending += chunk[..<count]
        }
    }

    /// The daemon closed the connection.
    public struct ClosedByPeer: Error {}

    public func readJSON(timeout: Duration = .seconds(20)) throws -> JSONValue {
        try JSONCodec.parse(string: try readLine(timeout: timeout), maxDepth: 256)
    }

    /// Sends a line and reads the one answer.
    public func roundTrip(_ line: String) throws -> JSONValue {
        try send(line)
        return try readJSON()
    }

    /// True when nothing arrives within `window` (for notifications, which get no answer).
    public func isSilent(for window: Duration) -> Bool {
        var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        let ms = Int32(window.components.seconds * 1000 + window.components.attoseconds / 1_000_000_000_000_000)
        return pending.isEmpty && poll(&poller, 1, ms) == 0
    }
}
