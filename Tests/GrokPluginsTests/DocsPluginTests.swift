import Foundation
import GrokJSON
import GrokPlugins
import GrokProtocol
import Testing

/// The docs plugin (Swift, SQLite FTS5) through its host: retrieval over this repository finds
/// the right file and line; re-indexing reads only what changed.
@Suite(.serialized) struct DocsPluginTests {
    static let repository: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    static func docs(database: String) async throws -> PluginManager {
        let (manager, _) = PluginManagerTests.manager(timeout: .seconds(120))
        let info = try await manager.load(PluginSpec(
            source: .library(path: "\(PluginManagerTests.products)/libgrok-docs.so"), config: ["database": .string(database)]))
        #expect(info.state == "ready" && info.retrievers == ["docs.search"], "\(info)")
        return manager
    }

    static func temporaryFolder() throws -> String {
        let path = NSTemporaryDirectory() + "grok-docs-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// (query, file, a line the passage must hold)
    static let questions: [(String, String, String)] = [
        ("GROK_PLUGIN_ENTRY_NAME: the entry symbol with the major in its name", "protocol/grok_plugin.h", "#define GROK_PLUGIN_ENTRY grok_plugin_entry_v1"),
        ("posix_spawnp in a process group of its own (npx, uvx)", "Sources/GrokPlugins/PluginProcess.swift", "let status = posix_spawnp(&pid, executable"),
        ("Julian year 365.25 days unit", "Plugins/calc/units.c", "{\"yr|year|years\", \"time\", \"31557600\"},  // the Julian year, 365.25 days"),
    ]

    @Test func findsTheRightFileAndLineInThisRepository() async throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let manager = try await Self.docs(database: folder + "/docs.db")
        let report = try await manager.call("docs.index", arguments: ["path": .string(Self.repository)], timeout: nil)
        #expect(!report.isError && (report.structuredContent?["files"]?.intValue ?? 0) > 100, "\(report)")
        for (query, file, needle) in Self.questions {
            let found = await manager.search(query, k: 5, timeout: nil)
            #expect(found.failed.isEmpty)
            let hit = found.passages.first { $0.source.hasSuffix(file) && $0.text.contains(needle) }
            #expect(hit != nil, "\(query): \(found.passages.map(\.citation))")
            guard let hit else { continue }
            #expect(hit.text.contains(needle))
            // The citation's line is the passage's first: the needle sits within its lines.
            let lines = try String(contentsOfFile: hit.source, encoding: .utf8).components(separatedBy: "\n")
            let actual = (lines.firstIndex { $0.contains(needle) } ?? -1) + 1
            let first = Int(hit.citation.split(separator: ":").last ?? "") ?? 0
            let count = hit.text.components(separatedBy: "\n").count
            #expect(hit.citation == "\(hit.source):\(first)")
            #expect(first <= actual && actual < first + count + 2, "\(hit.citation) vs line \(actual)")
        }
        await manager.shutdown()
    }

    @Test func reindexingReadsOnlyWhatChanged() async throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let notes = folder + "/notes"
        try FileManager.default.createDirectory(atPath: notes + "/.hidden", withIntermediateDirectories: true)
        for index in 0..<5 {
            try "# Note \(index)\n\nAbout topic number \(index).\n".write(toFile: "\(notes)/note\(index).md", atomically: true, encoding: .utf8)
        }
        try Data([0x7F, 0x45, 0x4C, 0x46, 0, 0, 1, 2]).write(to: URL(fileURLWithPath: notes + "/program.bin"))
        try "hidden text zanzibar".write(toFile: notes + "/.hidden/secret.md", atomically: true, encoding: .utf8)
        let manager = try await Self.docs(database: folder + "/docs.db")
        func index() async throws -> JSONValue {
            try await manager.call("docs.index", arguments: ["path": .string(notes)], timeout: nil).structuredContent ?? .null
        }
        let first = try await index()
        #expect(first["files"] == 5 && first["changed"] == 5 && first["skipped"] == 1)  // the binary is skipped, hidden never seen
        #expect(await manager.search("zanzibar", k: 3, timeout: nil).passages.isEmpty)
        // One file changes (content and time), one disappears.
        try "# Note 2\n\nNow about the quokka of Rottnest.\n".write(toFile: notes + "/note2.md", atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(5)], ofItemAtPath: notes + "/note2.md")
        try FileManager.default.removeItem(atPath: notes + "/note4.md")
        let second = try await index()
        #expect(second["changed"] == 1 && second["unchanged"] == 3 && second["removed"] == 1, "\(second)")
        let hit = await manager.search("quokka", k: 3, timeout: nil).passages.first
        #expect(hit?.citation == notes + "/note2.md:1")
        #expect(await manager.search("topic number 4", k: 5, timeout: nil).passages.allSatisfy { !$0.source.hasSuffix("note4.md") })
        let listed = try await manager.call("docs.folders", arguments: [:], timeout: nil)
        #expect(listed.structuredContent?["folders"]?.arrayValue?.first?["files"] == 4)
        let removed = try await manager.call("docs.remove", arguments: ["path": .string(notes)], timeout: nil)
        #expect(removed.structuredContent?["files"] == 4)
        #expect(await manager.search("quokka", k: 3, timeout: nil).passages.isEmpty)
        await manager.shutdown()
    }
}
