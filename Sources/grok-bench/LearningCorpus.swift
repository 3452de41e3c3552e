import ArgumentParser
import Foundation

/// The offline evaluation's corpus in one folder: this repository's docs and sources, and the
/// man pages of a fixed list of Debian packages written as Markdown. Man pages come from the
/// installed packages, or from `apt-get download` when a package is not installed (then
/// unpacked with `dpkg-deb`, nothing installed).
struct LearningCorpus {
    static let packages = [
        "coreutils", "findutils", "grep", "sed", "tar", "gzip", "util-linux", "procps", "openssh-client", "git-man", "bash",
        "diffutils", "less", "man-db", "curl", "xz-utils", "bzip2", "make", "rsync", "sqlite3",
    ]
    /// The repository's folders and files that go in.
    static let repositoryParts = ["README.md", "protocol", "Sources", "Plugins", "examples"]

    let folder: String
    /// Man pages found, and packages that gave none.
    var manPages = 0
    var missing: [String] = []
    var repositoryFiles = 0

    /// Builds the corpus under `folder` (afresh) from the repository at `repository`.
    static func build(at folder: String, repository: String, cache: String) throws -> LearningCorpus {
        try? FileManager.default.removeItem(atPath: folder)
        try FileManager.default.createDirectory(atPath: folder + "/man", withIntermediateDirectories: true)
        var corpus = LearningCorpus(folder: folder)
        for part in repositoryParts {
            let source = repository + "/" + part
            guard FileManager.default.fileExists(atPath: source) else { continue }
            try copyTextFiles(from: source, to: folder + "/repo/" + part, count: &corpus.repositoryFiles)
        }
        guard corpus.repositoryFiles > 0 else { throw ValidationError("no repository files under \(repository) (use --repository)") }
        for package in packages {
            let pages = (try? installedManPages(package)).flatMap { $0.isEmpty ? nil : $0 } ?? downloadedManPages(package, cache: cache)
            if pages.isEmpty { corpus.missing.append(package) }
            for page in pages {
                guard let troff = decompressed(page) else { continue }
                let name = ((page as NSString).lastPathComponent as NSString).deletingPathExtension
                try ManPageText.markdown(troff).write(toFile: "\(folder)/man/\(name).md", atomically: true, encoding: .utf8)
                corpus.manPages += 1
            }
        }
        return corpus
    }

    private static func copyTextFiles(from source: String, to target: String, count: inout Int) throws {
        var isFolder: ObjCBool = false
        FileManager.default.fileExists(atPath: source, isDirectory: &isFolder)
        let files = isFolder.boolValue
            ? (FileManager.default.enumerator(atPath: source)?.compactMap { $0 as? String } ?? []).map { source + "/" + $0 } : [source]
        let kept: Set<String> = ["md", "swift", "c", "h", "py", "json"]
        for file in files where kept.contains((file as NSString).pathExtension) {
            let destination = target + file.dropFirst(source.count)
            try FileManager.default.createDirectory(atPath: (destination as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try? FileManager.default.removeItem(atPath: destination)
            try FileManager.default.copyItem(atPath: file, toPath: destination)
            count += 1
        }
    }

    /// English man pages (sections 1–8) of an installed package.
    private static func installedManPages(_ package: String) throws -> [String] {
        let listing = try run("/usr/bin/dpkg", ["-L", package])
        return listing.split(separator: "\n").map(String.init).filter { path in
            path.range(of: #"^/usr/share/man/man[1-8]/[^/]+\.gz$"#, options: .regularExpression) != nil
                && FileManager.default.fileExists(atPath: path)
        }
    }

    /// The package's man pages from its .deb, fetched into `cache` once.
    private static func downloadedManPages(_ package: String, cache: String) -> [String] {
        let folder = cache + "/" + package
        if !FileManager.default.fileExists(atPath: folder + "/usr/share/man") {
            try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            _ = try? run("/usr/bin/apt-get", ["download", package], in: cache)
            let debs = ((try? FileManager.default.contentsOfDirectory(atPath: cache)) ?? []).filter { $0.hasPrefix(package + "_") && $0.hasSuffix(".deb") }
            guard let deb = debs.first else { return [] }
            _ = try? run("/usr/bin/dpkg-deb", ["-x", cache + "/" + deb, folder])
        }
        return (1...8).flatMap { section -> [String] in
            let path = "\(folder)/usr/share/man/man\(section)"
            return ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter { $0.hasSuffix(".gz") }.map { path + "/" + $0 }
        }
    }

    private static func decompressed(_ path: String) -> String? {
        guard let text = try? run("/bin/gzip", ["-dc", path]), !text.hasPrefix(".so ") else { return nil }  // skip aliases
        return text
    }

    @discardableResult
    static func run(_ executable: String, _ arguments: [String], in folder: String? = nil) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let folder { process.currentDirectoryURL = URL(fileURLWithPath: folder) }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw ValidationError("\(executable) \(arguments.joined(separator: " ")) failed") }
        return String(decoding: data, as: UTF8.self)
    }
}
