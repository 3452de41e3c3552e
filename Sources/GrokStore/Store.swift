import Foundation
import GRDB

/// Why the store could not open.
public struct StoreError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// grok's durable memory: one SQLite database (WAL, `synchronous=FULL`, foreign keys) holding
/// sessions and their messages, preferences and feedback, every row owned by a uid.
///
/// Opening runs the migrations (and refuses a database written by a newer grok), then
/// `quick_check`; a database that fails it is moved aside (kept, renamed `…corrupt-<time>`)
/// and a fresh one created, which `recovered` reports. A write returns only once committed.
public final class Store: Sendable {
    public let path: String
    /// Where a corrupt database was moved at open, if one was.
    public let recovered: String?
    let pool: DatabasePool

    /// Opens (or creates) the database at `path`.
    public init(path: String) throws {
        self.path = path
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o700])
        do {
            pool = try Self.open(path)
            recovered = nil
        } catch let error as DatabaseError where Self.isDamaged(error, path: path) {
            // Not a database, or failing its check: keep the file for the user, start afresh.
            // (Anything else — permissions, a busy or full disk — is not the file's fault: the
            // file stays where it is and the error is reported.)
            let aside = "\(path).corrupt-\(Int(Date().timeIntervalSince1970))"
            for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
                try? FileManager.default.moveItem(atPath: path + suffix, toPath: aside + suffix)
            }
            pool = try Self.open(path)
            recovered = aside
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError("cannot open \(path): \(error)")
        }
    }

    /// Whether opening failed because of the file's contents: not a database, failing its
    /// check, or a header whose format version makes a file we may write read-only.
    private static func isDamaged(_ error: DatabaseError, path: String) -> Bool {
        switch error.resultCode {
        case .SQLITE_CORRUPT, .SQLITE_NOTADB: true
        case .SQLITE_READONLY: access(path, W_OK) == 0 && headerIsFromTheFuture(path)
        default: false
        }
    }

    /// Whether the file's header gives a read or write format version above 2 (SQLite opens
    /// such a file read-only, or not at all). A read-only open for another reason (a `-wal` or
    /// `-shm` file left by another user) is not the database's fault.
    private static func headerIsFromTheFuture(_ path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        guard let header = try? handle.read(upToCount: 20), header.count == 20 else { return false }
        return header[header.startIndex + 18] > 2 || header[header.startIndex + 19] > 2
    }

    private static func open(_ path: String) throws -> DatabasePool {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        let pool = try DatabasePool(path: path, configuration: configuration)
        try pool.read { db in
            let check = try String.fetchAll(db, sql: "PRAGMA quick_check")
            guard check == ["ok"] else { throw DatabaseError(resultCode: .SQLITE_CORRUPT, message: check.prefix(3).joined(separator: "; ")) }
        }
        let migrator = Schema.migrator
        let known = Set(migrator.migrations)
        let applied = try pool.read { try migrator.appliedIdentifiers($0) }
        if let newer = applied.first(where: { !known.contains($0) }) {
            throw StoreError("\(path) was written by a newer grok (schema \(newer)); this one knows up to \(migrator.migrations.last ?? "none")")
        }
        try migrator.migrate(pool)
        try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        return pool
    }

    /// `PRAGMA integrity_check`'s verdict ("ok" when sound).
    public func integrityCheck() throws -> String {
        try pool.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check").joined(separator: "; ") }
    }

    /// The schema versions applied, oldest first.
    public func schemaVersions() throws -> [String] {
        try pool.read { db in try Schema.migrator.appliedMigrations(db) }
    }
}

extension Store {
    /// What a failed read or write means for a person: the disk being full (or the file not
    /// allowed to grow) is told apart from other failures.
    public static func explain(_ error: any Error) -> (diskFull: Bool, message: String) {
        guard let error = error as? DatabaseError else { return (false, "\(error)") }
        let full = error.resultCode == .SQLITE_FULL
            || (error.resultCode == .SQLITE_IOERR && [.SQLITE_IOERR_WRITE, .SQLITE_IOERR_FSYNC, .SQLITE_IOERR_TRUNCATE]
                .contains(error.extendedResultCode))
        if full { return (true, "the disk is full (or the database may not grow): the write was not stored") }
        return (false, error.message ?? "\(error.resultCode)")
    }
}
