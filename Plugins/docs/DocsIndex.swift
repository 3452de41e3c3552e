import Foundation

/// The docs plugin's index: text files of chosen folders, cut into passages, in an SQLite FTS5
/// table ranked by BM25. Re-indexing a folder reads only files whose modification time or size
/// changed, and drops the passages of files that are gone.
final class DocsIndex {
    let database: SQLiteDatabase
    let chunker = Chunker()
    /// Files larger than this are skipped (logs, dumps, generated data).
    var maxFileBytes = 2 << 20
    /// Folders never entered (besides hidden ones).
    let skippedFolders: Set<String> = ["node_modules", "build", "target", "dist", "__pycache__", "Pods", "DerivedData"]
    static let markdownExtensions: Set<String> = ["md", "markdown", "mdx", "rst"]

    init(path: String) throws {
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        database = try SQLiteDatabase(path: path)
        try database.execute("""
            PRAGMA journal_mode = WAL;
            CREATE TABLE IF NOT EXISTS folders(path TEXT PRIMARY KEY, added REAL NOT NULL);
            CREATE TABLE IF NOT EXISTS files(path TEXT PRIMARY KEY, folder TEXT NOT NULL, mtime REAL NOT NULL, size INTEGER NOT NULL);
            CREATE INDEX IF NOT EXISTS files_by_folder ON files(folder);
            CREATE VIRTUAL TABLE IF NOT EXISTS passages USING fts5(text, path UNINDEXED, line UNINDEXED, tokenize = 'porter unicode61');
            """)
    }

    struct Report {
        var files = 0, changed = 0, unchanged = 0, removed = 0, skipped = 0, passages = 0, bytes = 0
        var seconds = 0.0
    }

    /// Indexes (or re-indexes) a folder or a single file; `progress(done, total)` as it goes.
    func index(_ path: String, progress: (Int, Int) -> Void = { _, _ in }) throws -> Report {
        let root = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isFolder) else {
            throw SQLiteDatabase.Failure(description: "no such file or folder: \(root)")
        }
        let started = Date()
        let candidates = isFolder.boolValue ? files(in: root) : [root]
        var known: [String: (mtime: Double, size: Int)] = [:]
        try database.query("SELECT path, mtime, size FROM files WHERE folder = ?", [root]) { row in
            known[row.text(0)] = (row.double(1), row.int(2))
        }
        var report = Report()
        try database.transaction {
            try database.query("INSERT OR REPLACE INTO folders(path, added) VALUES (?, ?)", [root, started.timeIntervalSince1970])
            for (number, file) in candidates.enumerated() {
                if number % 20 == 0 { progress(number, candidates.count) }
                try indexFile(file, folder: root, known: known.removeValue(forKey: file), into: &report)
            }
            for gone in known.keys {
                try forget(gone)
                report.removed += 1
            }
        }
        progress(candidates.count, candidates.count)
        report.seconds = Date().timeIntervalSince(started)
        return report
    }

    private func indexFile(_ file: String, folder: String, known: (mtime: Double, size: Int)?, into report: inout Report) throws {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: file),
              let size = (attributes[.size] as? NSNumber)?.intValue,
              let mtime = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 else { return }
        if let known, known.mtime == mtime, known.size == size {
            report.unchanged += 1
            report.files += 1
            return
        }
        guard size <= maxFileBytes, let data = FileManager.default.contents(atPath: file),
              !data.prefix(8192).contains(0), let text = String(data: data, encoding: .utf8) else {
            report.skipped += 1
            if known != nil { try forget(file) }
            return
        }
        try forget(file)
        let markdown = Self.markdownExtensions.contains((file as NSString).pathExtension.lowercased())
        for chunk in chunker.chunks(of: text, markdown: markdown) {
            try database.query("INSERT INTO passages(text, path, line) VALUES (?, ?, ?)", [chunk.text, file, chunk.line])
            report.passages += 1
        }
        try database.query("INSERT OR REPLACE INTO files(path, folder, mtime, size) VALUES (?, ?, ?, ?)", [file, folder, mtime, size])
        report.files += 1
        report.changed += 1
        report.bytes += size
    }

    private func forget(_ file: String) throws {
        try database.query("DELETE FROM passages WHERE path = ?", [file])
        try database.query("DELETE FROM files WHERE path = ?", [file])
    }

    /// Regular files under `root`, skipping hidden and build folders.
    private func files(in root: String) -> [String] {
        guard let walker = FileManager.default.enumerator(
            at: URL(fileURLWithPath: root), includingPropertiesForKeys: [.isRegularFileKey, .isDirectoryKey],
            options: [.skipsHiddenFiles]) else { return [] }
        var found: [String] = []
        for case let url as URL in walker {
            let values = try? url.resourceValues(forKeys: [.isRegularFileKey, .isDirectoryKey])
            if values?.isDirectory == true, skippedFolders.contains(url.lastPathComponent) {
                walker.skipDescendants()
            } else if values?.isRegularFile == true {
                found.append(url.standardizedFileURL.path)
            }
        }
        return found.sorted()
    }

    /// Stops indexing a folder: its files and passages go.
    func remove(_ path: String) throws -> Int {
        let root = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
        var files: [String] = []
        try database.query("SELECT path FROM files WHERE folder = ?", [root]) { files.append($0.text(0)) }
        try database.transaction {
            for file in files { try forget(file) }
            try database.query("DELETE FROM folders WHERE path = ?", [root])
        }
        return files.count
    }

    /// Indexed folders with their file and byte counts.
    func folders() throws -> [(path: String, files: Int, bytes: Int)] {
        var out: [(String, Int, Int)] = []
        try database.query("""
            SELECT f.path, COUNT(x.path), COALESCE(SUM(x.size), 0) FROM folders f LEFT JOIN files x ON x.folder = f.path
            GROUP BY f.path ORDER BY f.path
            """) { out.append(($0.text(0), $0.int(1), $0.int(2))) }
        return out
    }

    struct Passage {
        let text: String
        let path: String
        let line: Int
        let score: Double
    }

    /// The best `k` passages for `query` by BM25 (any of its words; rarer words weigh more).
    func search(_ query: String, k: Int) throws -> [Passage] {
        let words = Self.words(in: query)
        guard !words.isEmpty else { return [] }
        let match = words.map { "\"\($0)\"" }.joined(separator: " OR ")
        var out: [Passage] = []
        try database.query(
            "SELECT text, path, line, bm25(passages) FROM passages WHERE passages MATCH ? ORDER BY bm25(passages) LIMIT ?",
            [match, k]) { row in
            out.append(Passage(text: row.text(0), path: row.text(1), line: row.int(2), score: -row.double(3)))
        }
        return out
    }

    /// The query's words (letters, digits, underscores), each quoted for FTS5 so no character of
    /// the user's text is read as query syntax.
    static func words(in query: String) -> [String] {
        var words: [String] = []
        var current = ""
        for character in query {
            if character.isLetter || character.isNumber || character == "_" {
                current.append(character)
            } else if !current.isEmpty {
                words.append(current)
                current = ""
            }
        }
        if !current.isEmpty { words.append(current) }
        return Array(Set(words.map { $0.lowercased() })).sorted()
    }
}
