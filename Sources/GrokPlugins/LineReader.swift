import Foundation

/// Newline-delimited lines from a file descriptor, each at most `maxLineBytes` (blocking reads;
/// for the threads that read a child's pipes).
final class LineReader {
    enum Next {
        case line([UInt8])
        /// A line grew past the cap (the rest of the stream is not read).
        case tooLong
        case end
    }

    private let descriptor: Int32
    private let maxLineBytes: Int
    private var buffer: [UInt8] = []
    private var start = 0
    private var chunk = [UInt8](repeating: 0, count: 64 << 10)

    init(descriptor: Int32, maxLineBytes: Int) {
        self.descriptor = descriptor
        self.maxLineBytes = maxLineBytes
    }

    func next() -> Next {
        var scanned = start
        while true {
            if let newline = buffer[scanned...].firstIndex(of: 0x0A) {
                let line = Array(buffer[start..<newline])
                start = newline + 1
                if start > 1 << 20 {
                    buffer.removeFirst(start)
                    start = 0
                }
                return .line(line)
            }
            scanned = buffer.count
            guard buffer.count - start <= maxLineBytes else { return .tooLong }
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return .end }
            buffer.append(contentsOf: chunk[0..<count])
        }
    }
}
