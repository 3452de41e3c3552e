import Foundation
import GrokEngine
import GrokProtocol
import Synchronization

/// The models the daemon has loaded, and the folder of those it can load (issue 8's model
/// management, in the manner of Ollama).
///
/// A request names its model (a file of the models folder, by name, or a path) or takes the
/// default; a model not loaded yet is loaded on demand. At most `maxLoaded` are loaded: the
/// least recently used idle one makes room. A model idle for its keep-alive is unloaded (the
/// default model stays unless a keep-alive is given for it). A file larger than the memory
/// available is refused with the numbers.
final class ModelRegistry: Sendable {
    struct Settings: Sendable {
        /// `$XDG_DATA_HOME/grok/models`.
        var folder: String
        var limits: SchedulerLimits = .default
        var maxLoaded = 2
        /// How long a model loaded on demand stays when idle; nil: until unloaded.
        var keepAlive: Duration? = .seconds(300)
    }

    private struct Slot {
        var host: ModelHost
        var lastUsed = ContinuousClock.now
        var keepAlive: Duration?
    }

    private struct State {
        var slots: [String: Slot] = [:]
        var defaultName: String?
        /// The default model's file: it may lie outside the folder, and is loaded from there
        /// again after an eviction.
        var defaultPath: String?
        /// Unloads under way: requests for those names wait for them, then load afresh.
        var unloading: [String: Task<Void, Never>] = [:]
    }

    let settings: Settings
    private let state = Mutex(State())

    /// Starts loading `defaultModel` (a path; nil runs without a model until one is loaded).
    init(settings: Settings, defaultModel: String?) {
        self.settings = settings
        guard let defaultModel else { return }
        let name = Self.name(ofPath: defaultModel)
        state.withLock { state in
            state.slots[name] = Slot(host: ModelHost(path: defaultModel, limits: settings.limits), keepAlive: nil)
            state.defaultName = name
            state.defaultPath = defaultModel
        }
    }

    /// The default model's host, for status; nil when there is none.
    var defaultHost: ModelHost? {
        state.withLock { state in state.defaultName.flatMap { state.slots[$0]?.host } }
    }

    static func name(ofPath path: String) -> String {
        let file = (path as NSString).lastPathComponent
        return file.hasSuffix(".gguf") ? String(file.dropLast(5)) : file
    }

    /// A name or path → the model's name and file.
    func resolve(_ requested: String) throws -> (name: String, path: String) {
        if requested.contains("/") {
            guard FileManager.default.fileExists(atPath: requested) else { throw RPCError.notFound("model file \(requested)") }
            return (Self.name(ofPath: requested), requested)
        }
        let known = state.withLock { $0.slots[requested]?.host.path ?? ($0.defaultName == requested ? $0.defaultPath : nil) }
        if let path = known { return (requested, path) }
        let path = settings.folder + "/" + (requested.hasSuffix(".gguf") ? requested : requested + ".gguf")
        guard FileManager.default.fileExists(atPath: path) else {
            throw RPCError.notFound("model \(requested) (not in \(settings.folder); model.list shows what is)")
        }
        return (Self.name(ofPath: path), path)
    }

    /// Runs `body` with the model a request names (nil: the default), loaded on demand and
    /// marked used; the model is not unloaded while `body` runs.
    func withModel<T>(_ requested: String?, _ body: (ModelHost) async throws -> T) async throws -> T {
        let host = try await leasedHost(for: requested)
        defer { host.release() }
        return try await body(host)
    }

    /// The host for `requested`, leased (the caller releases it).
    private func leasedHost(for requested: String?) async throws -> ModelHost {
        guard let requested else {
            let found: ModelHost? = state.withLock { state in
                guard let name = state.defaultName, var slot = state.slots[name] else { return nil }
                slot.lastUsed = .now
                state.slots[name] = slot
                slot.host.lease()
                return slot.host
            }
            if let found { return try await ready(found) }
            if let name = state.withLock({ $0.defaultName }) { return try await load(name, keepAlive: nil, leased: true) }
            throw RPCError.modelUnavailable("this daemon runs without a model (--model none); model.load loads one")
        }
        return try await load(requested, keepAlive: nil, leased: true)
    }

    /// Waits for a leased host's load; a file that fails to load says why (and the lease ends).
    private func ready(_ host: ModelHost) async throws -> ModelHost {
        do {
            _ = try await host.scheduler()
            return host
        } catch {
            host.release()
            throw error
        }
    }

    /// Loads a model (or finds it loaded) and waits until it is ready; with `leased`, it comes
    /// back leased. `keepAlive`: nil keeps the current or default setting, .some(nil) keeps it
    /// until unloaded.
    @discardableResult
    func load(_ requested: String, keepAlive: Duration?? = nil, makeDefault: Bool = false, leased: Bool = false) async throws -> ModelHost {
        let (name, path) = try resolve(requested)
        if let pending = state.withLock({ $0.unloading[name] }) { await pending.value }
        let host = try admit(name: name, path: path, keepAlive: keepAlive, makeDefault: makeDefault)
        _ = try await ready(host)
        if !leased { host.release() }
        return host
    }

    /// Finds or creates the slot (making room and checking memory first) and leases its host,
    /// under the lock, so that no unload can come between.
    private func admit(name: String, path: String, keepAlive: Duration??, makeDefault: Bool) throws -> ModelHost {
        var evicted: ModelHost?
        let host: ModelHost = try state.withLock { state in
            if var slot = state.slots[name] {
                slot.lastUsed = .now
                if let keepAlive { slot.keepAlive = keepAlive }
                state.slots[name] = slot
                if makeDefault { (state.defaultName, state.defaultPath) = (name, path) }
                slot.host.lease()
                return slot.host
            }
            if state.slots.count >= settings.maxLoaded {
                // Room from the least recently used model nothing is running on.
                guard let victim = state.slots.filter({ $0.value.host.isUnused }).min(by: { $0.value.lastUsed < $1.value.lastUsed })?.key
                else {
                    throw RPCError.modelUnavailable(
                        "\(state.slots.count) models are loaded and busy (maxLoadedModels \(settings.maxLoaded)); try again when one is idle")
                }
                evicted = state.slots.removeValue(forKey: victim)?.host
            }
            try Self.checkMemory(path: path)
            let created = ModelHost(path: path, limits: settings.limits)
            let isDefault = name == state.defaultName || makeDefault
            state.slots[name] = Slot(host: created, keepAlive: keepAlive ?? (isDefault ? nil : settings.keepAlive))
            if makeDefault { (state.defaultName, state.defaultPath) = (name, path) }
            created.lease()
            return created
        }
        if let evicted { Task { await evicted.unload() } }
        return host
    }

    /// Refuses a file that cannot fit in the memory available now (with a margin for its
    /// caches), naming both numbers.
    static func checkMemory(path: String, available: Int? = availableMemory()) throws {
        guard let available else { return }
        let size = Int(fileSize(path))
        let needed = size + size / 8 + (64 << 20)
        guard needed <= available else {
            throw RPCError(
                code: RPCErrorCode.modelUnavailable,
                message: "Model unavailable: \((path as NSString).lastPathComponent) needs about \(needed >> 20) MB, \(available >> 20) MB are available",
                data: ["neededBytes": .int(Int64(needed)), "availableBytes": .int(Int64(available))])
        }
    }

    /// A file's size, through symbolic links.
    static func fileSize(_ path: String) -> Int64 {
        var info = stat()
        return stat(path, &info) == 0 ? Int64(info.st_size) : 0
    }

    /// MemAvailable from /proc/meminfo, in bytes.
    static func availableMemory() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("MemAvailable:") }),
            let kilobytes = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else { return nil }
        return kilobytes * 1024
    }

    /// Unloads a model: what runs on it finishes first; requests that arrive meanwhile wait and
    /// then load it again. False when it was not loaded.
    func unload(_ requested: String) async throws -> Bool {
        let name = (try? resolve(requested).name) ?? requested
        let task: Task<Void, Never>? = state.withLock { state in
            guard let slot = state.slots.removeValue(forKey: name) else { return state.unloading[name] }
            let task = Task { await slot.host.unload() }
            state.unloading[name] = task
            return task
        }
        guard let task else { return false }
        await task.value
        state.withLock { _ = $0.unloading.removeValue(forKey: name) }
        return true
    }

    /// Unloads the models idle for longer than their keep-alive.
    func unloadIdle(now: ContinuousClock.Instant = .now) async {
        let expired = state.withLock { state in
            state.slots.filter { _, slot in
                guard let keepAlive = slot.keepAlive else { return false }
                return now - slot.lastUsed >= keepAlive && slot.host.isUnused
            }.map(\.key)
        }
        for name in expired { _ = try? await unload(name) }
    }

    /// The loaded models, by name.
    var loaded: [(name: String, host: ModelHost, keepAlive: Duration?, isDefault: Bool)] {
        state.withLock { state in
            state.slots.map { ($0.key, $0.value.host, $0.value.keepAlive, $0.key == state.defaultName) }.sorted { $0.name < $1.name }
        }
    }

    /// Shuts every engine down (at daemon stop).
    func shutdown() {
        for model in loaded { model.host.shutdown() }
    }
}
