import CGrokPlugin
import Foundation
import GrokJSON

/// Why a plugin library was refused (before any of its functions other than the entry ran).
public struct PluginLoadError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// A plugin's answer to a call: its status and the JSON it returned, if any.
public struct PluginAnswer: Sendable {
    public let status: grok_plugin_status
    public let json: JSONValue?
}

/// One plugin library loaded into this process (the plugin host), checked against the ABI.
///
/// Loading reads the descriptor and checks the ABI major, the struct size, every required
/// field and the manifest before any plugin function other than the entry runs. The plugin's
/// own functions are called only after that (`start`, `callTool`, `retrieve`, `stop`).
public final class PluginLibrary {
    public let path: String
    public let name: String
    public let version: String
    public let manifest: PluginManifest
    private let descriptor: grok_plugin_descriptor
    private let handle: UnsafeMutableRawPointer
    private var context: UnsafeMutableRawPointer?
    private var started = false

    public init(path: String) throws(PluginLoadError) {
        self.path = path
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            throw PluginLoadError("cannot load \(path): \(String(cString: dlerror()))")
        }
        self.handle = handle
        do throws(PluginLoadError) {
            descriptor = try Self.descriptor(handle)
            name = try Self.string(descriptor.name, "name")
            version = try Self.string(descriptor.version, "version")
            guard PluginManifest.isValidName(name, maxLength: 64, allowDash: true) else {
                throw PluginLoadError("the plugin name \"\(name)\" is not lowercase letters, digits, '-' and '_'")
            }
            manifest = try PluginManifest(json: try Self.string(descriptor.manifest, "manifest"))
            if !manifest.tools.isEmpty, descriptor.call_tool == nil {
                throw PluginLoadError("the manifest lists tools but call_tool is missing")
            }
            if !manifest.retrievers.isEmpty, descriptor.retrieve == nil {
                throw PluginLoadError("the manifest lists retrievers but retrieve is missing")
            }
        } catch {
            dlclose(handle)
            throw error
        }
    }

    /// The descriptor, after checking what can be checked without calling the plugin.
    private static func descriptor(_ handle: UnsafeMutableRawPointer) throws(PluginLoadError) -> grok_plugin_descriptor {
        guard let symbol = dlsym(handle, GROK_PLUGIN_ENTRY_NAME) else {
            throw PluginLoadError("no \(GROK_PLUGIN_ENTRY_NAME) symbol (a plugin for another ABI major, or not a grok plugin)")
        }
        let entry = unsafeBitCast(symbol, to: grok_plugin_entry_fn.self)
        guard let pointer = entry() else { throw PluginLoadError("the entry returned no descriptor") }
        // The three leading fields first: the rest is read only once the size is known to cover it.
        let raw = UnsafeRawPointer(pointer)
        let major = raw.load(as: UInt32.self)
        let size = raw.load(fromByteOffset: 8, as: UInt32.self)
        guard major == UInt32(GROK_PLUGIN_ABI_MAJOR) else {
            throw PluginLoadError("ABI major \(major), this host speaks \(GROK_PLUGIN_ABI_MAJOR)")
        }
        let known = MemoryLayout<grok_plugin_descriptor>.size
        guard Int(size) >= known else {
            throw PluginLoadError("descriptor of \(size) bytes, ABI \(GROK_PLUGIN_ABI_MAJOR).0 needs \(known)")
        }
        let descriptor = pointer.pointee
        let missing = [
            ("init", descriptor.`init` == nil), ("free_string", descriptor.free_string == nil),
            ("shutdown", descriptor.shutdown == nil),
        ].filter(\.1).map(\.0)
        guard missing.isEmpty else { throw PluginLoadError("required functions missing: \(missing.joined(separator: ", "))") }
        return descriptor
    }

    private static func string(_ pointer: UnsafePointer<CChar>?, _ field: String) throws(PluginLoadError) -> String {
        guard let pointer else { throw PluginLoadError("the descriptor's \(field) is missing") }
        guard let value = String(validatingCString: pointer) else { throw PluginLoadError("the descriptor's \(field) is not UTF-8") }
        return value
    }

    /// Calls the plugin's init with its config; throws its error message on failure.
    public func start(config: JSONValue, host: UnsafePointer<grok_host_api>) throws(PluginCallError) {
        let configJSON = (try? JSONCodec.encodeToString(config)) ?? "{}"
        var error: UnsafeMutablePointer<CChar>?
        var context: UnsafeMutableRawPointer?
        let status = descriptor.`init`(configJSON, host, &context, &error)
        let detail = take(error, context: nil)
        guard status == GROK_PLUGIN_OK else { throw PluginCallError(status: status, detail: detail) }
        self.context = context
        started = true
    }

    /// Runs a tool; the arguments are a JSON object.
    public func callTool(_ tool: String, arguments: String) -> PluginAnswer {
        guard let call = descriptor.call_tool else { return PluginAnswer(status: GROK_PLUGIN_NOT_FOUND, json: nil) }
        var out: UnsafeMutablePointer<CChar>?
        let status = call(context, tool, arguments, &out)
        return PluginAnswer(status: status, json: take(out, context: context))
    }

    /// Asks a retriever for passages; the query is {"query", "k"}.
    public func retrieve(_ retriever: String, query: String) -> PluginAnswer {
        guard let call = descriptor.retrieve else { return PluginAnswer(status: GROK_PLUGIN_NOT_FOUND, json: nil) }
        var out: UnsafeMutablePointer<CChar>?
        let status = call(context, retriever, query, &out)
        return PluginAnswer(status: status, json: take(out, context: context))
    }

    /// Calls shutdown (once, if started).
    public func stop() {
        guard started else { return }
        started = false
        descriptor.shutdown(context)
    }

    /// Parses a string the plugin returned, then hands it back to the plugin to free.
    private func take(_ string: UnsafeMutablePointer<CChar>?, context: UnsafeMutableRawPointer?) -> JSONValue? {
        guard let string else { return nil }
        defer { descriptor.free_string(context, string) }
        let text = String(validatingCString: string) ?? ""
        return try? JSONCodec.parse(string: text)
    }
}

/// A plugin call that failed: its status and what the plugin said about it.
public struct PluginCallError: Error, Sendable {
    public let status: grok_plugin_status
    public let detail: JSONValue?

    public var message: String {
        detail?["message"]?.stringValue ?? "the plugin returned status \(status.rawValue)"
    }
}
