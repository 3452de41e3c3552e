import CGrokPlugin
import Foundation

// docs: a grok plugin in Swift. A retriever over local folders (SQLite FTS5, BM25), and tools to
// index, list and drop folders. Built against protocol/grok_plugin.h only.

private let manifest = """
    {"description": "Search local documents: text, Markdown and source files of the folders you index.",
     "tools": [
      {"name": "index", "description": "Indexes a folder or file (again: only what changed is read).",
       "inputSchema": {"type": "object", "properties": {"path": {"type": "string", "minLength": 1}}, "required": ["path"], "additionalProperties": false}},
      {"name": "remove", "description": "Stops indexing a folder and drops its passages.",
       "inputSchema": {"type": "object", "properties": {"path": {"type": "string", "minLength": 1}}, "required": ["path"], "additionalProperties": false}},
      {"name": "folders", "description": "The indexed folders.",
       "inputSchema": {"type": "object", "properties": {}, "additionalProperties": false}}],
     "retrievers": [{"name": "search", "description": "Passages of the indexed files, cited as path:line."}]}
    """

/// The plugin's state between calls (the context pointer the host passes back).
private final class DocsPlugin {
    let index: DocsIndex
    let host: UnsafePointer<grok_host_api>

    init(index: DocsIndex, host: UnsafePointer<grok_host_api>) {
        self.index = index
        self.host = host
    }

    func log(_ message: String) { host.pointee.log(host.pointee.host, GROK_LOG_INFO, message) }

    /// Progress of the running call, if this host offers it (its struct reaches that far).
    func progress(_ done: Int, _ total: Int) {
        guard host.pointee.struct_size >= UInt32(MemoryLayout<grok_host_api>.size) else { return }
        host.pointee.progress(host.pointee.host, UInt64(done), UInt64(total), "files")
    }

    func call(_ tool: String, _ arguments: [String: Any]) throws -> [String: Any] {
        switch tool {
        case "index":
            let path = (arguments["path"] as? String) ?? ""
            let report = try index.index(path) { done, total in progress(done, total) }
            let rate = report.seconds > 0 ? Double(report.changed) / report.seconds : 0
            let text = "Indexed \(path): \(report.files) files (\(report.changed) new or changed, \(report.unchanged) unchanged, "
                + "\(report.removed) removed, \(report.skipped) skipped), \(report.passages) passages, "
                + String(format: "%.1f MB in %.2f s (%.0f files/s)", Double(report.bytes) / 1e6, report.seconds, rate)
            log(text)
            return Self.result(text, [
                "files": report.files, "changed": report.changed, "unchanged": report.unchanged, "removed": report.removed,
                "skipped": report.skipped, "passages": report.passages, "bytes": report.bytes, "seconds": report.seconds,
            ])
        case "remove":
            let path = (arguments["path"] as? String) ?? ""
            let count = try index.remove(path)
            return Self.result("Removed \(path) (\(count) files)", ["files": count])
        default:
            let folders = try index.folders()
            let text = folders.isEmpty ? "No folders are indexed." : folders.map { "\($0.path): \($0.files) files" }.joined(separator: "\n")
            return Self.result(text, ["folders": folders.map { ["path": $0.path, "files": $0.files, "bytes": $0.bytes] }])
        }
    }

    func retrieve(_ query: [String: Any]) throws -> [String: Any] {
        let text = (query["query"] as? String) ?? ""
        let k = (query["k"] as? Int) ?? 5
        let passages = try index.search(text, k: k)
        return ["passages": passages.map { passage in
            ["text": passage.text, "source": passage.path, "citation": "\(passage.path):\(passage.line)", "score": passage.score]
        }]
    }

    static func result(_ text: String, _ facts: [String: Any], isError: Bool = false) -> [String: Any] {
        ["content": [["type": "text", "text": text]], "structuredContent": facts, "isError": isError]
    }
}

/// A JSON object from the host's string.
private func object(_ json: UnsafePointer<CChar>?) -> [String: Any]? {
    guard let json, let data = String(validatingCString: json)?.data(using: .utf8) else { return nil }
    return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
}

/// A string for the host, freed by free_string.
private func string(_ value: [String: Any]) -> UnsafeMutablePointer<CChar>? {
    guard let data = try? JSONSerialization.data(withJSONObject: value), let text = String(data: data, encoding: .utf8) else { return nil }
    return strdup(text)
}

private func plugin(_ context: UnsafeMutableRawPointer?) -> DocsPlugin {
    Unmanaged<DocsPlugin>.fromOpaque(context!).takeUnretainedValue()
}

/// The default database: $XDG_DATA_HOME/grok/docs.db.
private func defaultDatabase() -> String {
    let environment = ProcessInfo.processInfo.environment
    let data = environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? (NSHomeDirectory() + "/.local/share")
    return data + "/grok/docs.db"
}

private nonisolated(unsafe) var descriptor = grok_plugin_descriptor(
    abi_major: UInt32(GROK_PLUGIN_ABI_MAJOR), abi_minor: UInt32(GROK_PLUGIN_ABI_MINOR),
    struct_size: UInt32(MemoryLayout<grok_plugin_descriptor>.size),
    name: UnsafePointer(strdup("docs")), version: UnsafePointer(strdup("1.0.0")), manifest: UnsafePointer(strdup(manifest)),
    `init`: { config, host, context, error in
        let settings = object(config) ?? [:]
        do {
            let index = try DocsIndex(path: (settings["database"] as? String) ?? defaultDatabase())
            context?.pointee = Unmanaged.passRetained(DocsPlugin(index: index, host: host!)).toOpaque()
            return GROK_PLUGIN_OK
        } catch {
            _ = error
            return GROK_PLUGIN_ERROR
        }
    },
    call_tool: { context, tool, arguments, result in
        let name = tool.map { String(cString: $0) } ?? ""
        do {
            result?.pointee = string(try plugin(context).call(name, object(arguments) ?? [:]))
        } catch {
            result?.pointee = string(DocsPlugin.result("\(error)", [:], isError: true))
        }
        return GROK_PLUGIN_OK
    },
    retrieve: { context, _, query, result in
        do {
            result?.pointee = string(try plugin(context).retrieve(object(query) ?? [:]))
            return GROK_PLUGIN_OK
        } catch {
            result?.pointee = string(["message": "\(error)"])
            return GROK_PLUGIN_ERROR
        }
    },
    free_string: { _, text in free(text) },
    shutdown: { context in
        if let context { Unmanaged<DocsPlugin>.fromOpaque(context).release() }
    })

@_cdecl("grok_plugin_entry_v1")
public func grokPluginEntry() -> UnsafePointer<grok_plugin_descriptor> {
    withUnsafePointer(to: &descriptor) { $0 }
}
