import Foundation

/// `sockaddr_un` for a path, filled once here instead of at every connect and bind.
public enum UnixSocketAddress {
    public struct PathTooLong: Error, CustomStringConvertible {
        public var description: String
    }

    /// Runs `body` with the address of `path` as a `sockaddr` pointer and its length.
    public static func with<R>(
        _ path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) throws -> R
    ) throws -> R {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            throw PathTooLong(description: "socket path longer than \(MemoryLayout.size(ofValue: address.sun_path) - 1) bytes: \(path)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        return try withUnsafePointer(to: &address) {
            try $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                try body($0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
    }

    /// connect(2) to `path`; 0 on success, else -1 with errno set.
    public static func connect(_ descriptor: CInt, to path: String) throws -> CInt {
        try with(path) { Glibc.connect(descriptor, $0, $1) }
    }

    /// bind(2) to `path`; 0 on success, else -1 with errno set.
    public static func bind(_ descriptor: CInt, to path: String) throws -> CInt {
        try with(path) { Glibc.bind(descriptor, $0, $1) }
    }
}
