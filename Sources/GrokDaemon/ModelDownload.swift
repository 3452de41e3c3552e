import Crypto
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Fetches a GGUF file over HTTPS into the models folder: into `<name>.partial` first (a
/// download that stops is resumed from there by the next pull of the same URL, with an HTTP
/// range request), checked against its sha256 when one is given, and only then renamed into
/// place. Plain HTTP is allowed to loopback only (local mirrors, tests).
struct ModelDownload: Sendable {
    let url: URL
    let destination: String
    let sha256: String?

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    var partialPath: String { destination + ".partial" }
    /// Which URL the partial file came from: a resume only continues the same download.
    var sourcePath: String { destination + ".partial.url" }

    static func check(_ url: URL) throws(Failure) {
        let host = url.host ?? ""
        let loopback = ["127.0.0.1", "localhost", "::1", "[::1]"].contains(host)
        guard url.scheme == "https" || (url.scheme == "http" && loopback) else {
            throw Failure(description: "only https URLs are pulled (plain http to loopback only), not \(url.absoluteString)")
        }
    }

    /// Downloads; `progress` gets (received, total) as bytes arrive.
    func run(progress: @escaping @Sendable (Int64, Int64?) -> Void) async throws {
        try Self.check(url)
        let offset = resumableOffset()
        var request = URLRequest(url: url)
        if offset > 0 { request.setValue("bytes=\(offset)-", forHTTPHeaderField: "Range") }
        try url.absoluteString.write(toFile: sourcePath, atomically: true, encoding: .utf8)
        let receiver = DownloadReceiver(path: partialPath, offset: offset, progress: progress, freeBytes: Self.freeBytes)
        let session = URLSession(configuration: .ephemeral, delegate: receiver, delegateQueue: nil)
        defer { session.finishTasksAndInvalidate() }
        try await withTaskCancellationHandler {
            try await receiver.run(session.dataTask(with: request))
        } onCancel: {
            session.invalidateAndCancel()
        }
        try verify()
        try? FileManager.default.removeItem(atPath: destination)
        try FileManager.default.moveItem(atPath: partialPath, toPath: destination)
        try? FileManager.default.removeItem(atPath: sourcePath)
    }

    /// Bytes already downloaded from this same URL.
    private func resumableOffset() -> Int64 {
        guard let previous = try? String(contentsOfFile: sourcePath, encoding: .utf8), previous == url.absoluteString,
            let size = try? FileManager.default.attributesOfItem(atPath: partialPath)[.size] as? Int64 else {
            try? FileManager.default.removeItem(atPath: partialPath)
            return 0
        }
        return size
    }

    /// The sha256 when one was given (a mismatch deletes the file: resuming it cannot help),
    /// and the GGUF magic always.
    private func verify() throws {
        guard let handle = FileHandle(forReadingAtPath: partialPath) else { throw Failure(description: "the download vanished") }
        defer { try? handle.close() }
        let magic = handle.readData(ofLength: 4)
        guard magic == Data("GGUF".utf8) else {
            try? FileManager.default.removeItem(atPath: partialPath)
            throw Failure(description: "\(url.absoluteString) is not a GGUF file")
        }
        guard let expected = sha256?.lowercased() else { return }
        try handle.seek(toOffset: 0)
        var hasher = SHA256()
        while case let chunk = handle.readData(ofLength: 4 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
        let actual = hasher.finalize().map { String(format: "%02x", $0) }.joined()
        guard actual == expected else {
            try? FileManager.default.removeItem(atPath: partialPath)
            throw Failure(description: "sha256 mismatch: expected \(expected), got \(actual); the download was deleted")
        }
    }

    /// Free bytes on the file system of `path`'s folder.
    static func freeBytes(_ path: String) -> Int64? {
        var info = statvfs()
        guard statvfs((path as NSString).deletingLastPathComponent, &info) == 0 else { return nil }
        return Int64(info.f_bavail) * Int64(info.f_frsize)
    }
}

/// Writes a download's bytes as they come (a data task's delegate) and ends with its outcome.
final class DownloadReceiver: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    private let path: String
    private let progress: @Sendable (Int64, Int64?) -> Void
    private let freeBytes: (String) -> Int64?
    private let lock = NSLock()
    // Guarded by `lock`:
    private var handle: FileHandle?
    private var offset: Int64
    private var total: Int64?
    private var failure: Error?
    private var continuation: CheckedContinuation<Void, Error>?
    private var received: Int64

    init(path: String, offset: Int64, progress: @escaping @Sendable (Int64, Int64?) -> Void, freeBytes: @escaping (String) -> Int64?) {
        self.path = path
        self.offset = offset
        self.received = offset
        self.progress = progress
        self.freeBytes = freeBytes
    }

    func run(_ task: URLSessionDataTask) async throws {
        try await withCheckedThrowingContinuation { continuation in
            lock.withLock { self.continuation = continuation }
            task.resume()
        }
    }

    func urlSession(
        _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
    ) {
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        let decision: Error? = lock.withLock {
            switch status {
            case 206: break
            case 200: offset = 0  // the server sends it all again
            default: return ModelDownload.Failure(description: "the server answered HTTP \(status)")
            }
            received = offset
            let expected = response.expectedContentLength
            total = expected >= 0 ? offset + expected : nil
            if expected > 0, let free = freeBytes(path), expected > free {
                return ModelDownload.Failure(description: "the disk is too full: the model needs \(expected >> 20) MB more, \(free >> 20) MB are free")
            }
            if !FileManager.default.fileExists(atPath: path) || offset == 0 {
                FileManager.default.createFile(atPath: path, contents: nil)
            }
            guard let opened = FileHandle(forWritingAtPath: path) else {
                return ModelDownload.Failure(description: "cannot write \(path)")
            }
            if offset == 0 { try? opened.truncate(atOffset: 0) } else { _ = try? opened.seekToEnd() }
            handle = opened
            return nil
        }
        completionHandler(.allow)
        if let decision {
            // Cancelling the task (not the response) is what ends it with a completion on
            // every Foundation.
            lock.withLock { failure = decision }
            dataTask.cancel()
        }
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        let (now, total): (Int64, Int64?) = lock.withLock {
            guard failure == nil else { return (received, self.total) }
            do {
                try handle?.write(contentsOf: data)
                received += Int64(data.count)
            } catch {
                failure = ModelDownload.Failure(description: "writing the model failed (disk full?): \(error.localizedDescription)")
                dataTask.cancel()
            }
            return (received, self.total)
        }
        progress(now, total)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        let (continuation, outcome): (CheckedContinuation<Void, Error>?, Error?) = lock.withLock {
            try? handle?.close()
            handle = nil
            defer { self.continuation = nil }
            if let failure { return (self.continuation, failure) }
            if let error { return (self.continuation, ModelDownload.Failure(description: "the download stopped: \(error.localizedDescription)")) }
            if let total, received < total {
                return (self.continuation, ModelDownload.Failure(description: "the download stopped at \(received) of \(total) bytes; pull again to resume"))
            }
            return (self.continuation, nil)
        }
        if let outcome { continuation?.resume(throwing: outcome) } else { continuation?.resume() }
    }
}
