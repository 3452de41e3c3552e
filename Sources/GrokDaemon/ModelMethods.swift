import Foundation
import GrokEngine
import GrokJSON
import GrokProtocol
import GrokRPC

/// `model.list|load|unload|remove|pull`: the models folder and what is loaded.
struct ModelMethods: Sendable {
    let models: ModelRegistry

    func register(in table: inout MethodTable) {
        table.register(ModelList.self) { _, _ in list() }
        table.register(ModelLoad.self) { params, _ in
            let keepAlive: Duration?? = params.keepAliveSeconds.map { seconds -> Duration? in seconds < 0 ? nil : .seconds(seconds) }
            let host = try await models.load(params.model, keepAlive: keepAlive, makeDefault: params.makeDefault ?? false)
            return entry(path: host.path ?? params.model)
        }
        table.register(ModelUnload.self) { params, _ in ModelUnload.Result(unloaded: try await models.unload(params.model)) }
        table.register(ModelRemove.self) { params, _ in try remove(params.model) }
        table.register(ModelPull.self) { params, context in try await pull(params, context) }
    }

    private func list() -> ModelList.Result {
        let loaded = models.loaded
        var paths = Set<String>()
        var entries: [ModelEntry] = []
        let files = (try? FileManager.default.contentsOfDirectory(atPath: models.settings.folder)) ?? []
        for file in files.sorted(by: { ModelRegistry.name(ofPath: $0) < ModelRegistry.name(ofPath: $1) }) where file.hasSuffix(".gguf") {
            let path = models.settings.folder + "/" + file
            paths.insert(path)
            entries.append(entry(path: path, loaded: loaded))
        }
        for model in loaded where !paths.contains(model.host.path ?? "") {
            entries.append(entry(path: model.host.path ?? model.name, loaded: loaded))
        }
        return ModelList.Result(models: entries, folder: models.settings.folder)
    }

    /// What a file is, and whether it is among the `loaded` models (default: those loaded now).
    func entry(path: String, loaded all: [(name: String, host: ModelHost, keepAlive: Duration?, isDefault: Bool)]? = nil) -> ModelEntry {
        let name = ModelRegistry.name(ofPath: path)
        let size = ModelRegistry.fileSize(path)
        let loaded = (all ?? models.loaded).first { $0.host.path == path }
        var entry = ModelEntry(
            name: name, path: path, sizeBytes: size, loaded: loaded != nil, state: loaded?.host.summary,
            isDefault: loaded?.isDefault ?? false, keepAliveSeconds: loaded?.keepAlive.map { Int($0.components.seconds) })
        do {
            let file = try GGUFFile(path: path)
            let architecture = file["general.architecture"]?.stringValue
            entry.architecture = architecture
            entry.contextLength = architecture.flatMap { file["\($0).context_length"]?.intValue }.map { Int($0) }
            entry.quantization = Self.quantization(of: file)
        } catch {
            entry.problem = "\(error)"
        }
        return entry
    }

    /// The tensor type holding most of a file's bytes (e.g. q4_k): what "the quantisation" of a
    /// model file means.
    static func quantization(of file: GGUFFile) -> String? {
        let bytesByType = Dictionary(grouping: file.tensors.values, by: \.type).mapValues { $0.reduce(0) { $0 + $1.byteCount } }
        return bytesByType.max { $0.value < $1.value }?.key.name
    }

    private func remove(_ requested: String) throws -> ModelRemove.Result {
        let (name, path) = try models.resolve(requested)
        guard (path as NSString).deletingLastPathComponent == models.settings.folder else {
            throw RPCError.invalidParams("only files of the models folder are removed, not \(path)", field: "model")
        }
        guard !models.loaded.contains(where: { $0.name == name }) else {
            throw RPCError.invalidParams("\(name) is loaded; model.unload it first", field: "model")
        }
        do {
            try FileManager.default.removeItem(atPath: path)
        } catch {
            throw RPCError.internalError("cannot remove \(path): \(error.localizedDescription)")
        }
        return ModelRemove.Result(removed: true)
    }

    private func pull(_ params: ModelPull.Params, _ context: RequestContext) async throws -> ModelEntry {
        guard let url = URL(string: params.url), url.scheme != nil, url.host != nil else {
            throw RPCError.invalidParams("url is not a URL", field: "url")
        }
        let name = params.name ?? ModelRegistry.name(ofPath: url.lastPathComponent)
        guard !name.isEmpty, !name.contains("/"), !name.hasPrefix(".") else {
            throw RPCError.invalidParams("name must be a plain file name", field: "name")
        }
        if let sha256 = params.sha256, sha256.count != 64 || !sha256.allSatisfy(\.isHexDigit) {
            throw RPCError.invalidParams("sha256 is 64 hex digits", field: "sha256")
        }
        try FileManager.default.createDirectory(atPath: models.settings.folder, withIntermediateDirectories: true)
        let destination = models.settings.folder + "/" + name + ".gguf"
        let download = ModelDownload(url: url, destination: destination, sha256: params.sha256)
        do {
            try ModelDownload.check(url)
        } catch {
            throw RPCError.invalidParams(error.description, field: "url")
        }
        let (reports, sink) = AsyncStream<ModelPull.Progress>.makeStream(bufferingPolicy: .bufferingNewest(1))
        async let forwarded: Void = {
            for await report in reports where params.stream == true { try? await context.progress(.tick, report) }
        }()
        do {
            try await download.run { received, total in sink.yield(ModelPull.Progress(receivedBytes: received, totalBytes: total)) }
        } catch let failure as ModelDownload.Failure {
            sink.finish()
            await forwarded
            throw RPCError.transferFailed("\(params.url): \(failure.description)")
        } catch is CancellationError {
            sink.finish()
            await forwarded
            throw RPCError.cancelled
        }
        sink.finish()
        await forwarded
        return entry(path: destination)
    }
}
