import GrokJSON

/// A model file the daemon knows: in its models folder, or loaded from elsewhere.
public struct ModelEntry: Codable, Sendable, Equatable {
    /// The file name without `.gguf`; what `model` params name.
    public var name: String
    public var path: String
    public var sizeBytes: Int64
    public var architecture: String?
    /// The tensor type holding most of the weights (e.g. q4_k).
    public var quantization: String?
    public var contextLength: Int?
    /// Whether it is loaded now; `state` says how far ("loading", "ready", "failed: …").
    public var loaded: Bool
    public var state: String?
    /// The model requests without `model` use.
    public var isDefault: Bool
    /// Seconds it stays loaded when idle; absent: until unloaded.
    public var keepAliveSeconds: Int?
    /// Why the file cannot be read as a model, when it cannot.
    public var problem: String?

    public init(
        name: String, path: String, sizeBytes: Int64, architecture: String? = nil, quantization: String? = nil, contextLength: Int? = nil,
        loaded: Bool, state: String? = nil, isDefault: Bool, keepAliveSeconds: Int? = nil, problem: String? = nil
    ) {
        self.name = name
        self.path = path
        self.sizeBytes = sizeBytes
        self.architecture = architecture
        self.quantization = quantization
        self.contextLength = contextLength
        self.loaded = loaded
        self.state = state
        self.isDefault = isDefault
        self.keepAliveSeconds = keepAliveSeconds
        self.problem = problem
    }
}

/// `model.list` → `{models}`: the files of the models folder and the models loaded now.
public enum ModelList: RPCMethod {
    public static let name = "model.list"
    public typealias Params = NoParams

    public struct Result: Codable, Sendable {
        public var models: [ModelEntry]
        public var folder: String
        public init(models: [ModelEntry], folder: String) {
            self.models = models
            self.folder = folder
        }
    }
}

/// `model.load {model, keepAliveSeconds?, makeDefault?}` → the entry, once loaded. `model` is a
/// name in the models folder or a path; `keepAliveSeconds` (-1: until unloaded) overrides the
/// idle timeout for it.
public enum ModelLoad: RPCMethod {
    public static let name = "model.load"

    public struct Params: Codable, Sendable {
        public var model: String
        public var keepAliveSeconds: Int?
        public var makeDefault: Bool?
        public init(model: String, keepAliveSeconds: Int? = nil, makeDefault: Bool? = nil) {
            self.model = model
            self.keepAliveSeconds = keepAliveSeconds
            self.makeDefault = makeDefault
        }
    }

    public typealias Result = ModelEntry
}

/// `model.unload {model}` → `{unloaded}`: running and waiting generations on it finish first;
/// requests that arrive meanwhile wait, then load it again.
public enum ModelUnload: RPCMethod {
    public static let name = "model.unload"

    public struct Params: Codable, Sendable {
        public var model: String
        public init(model: String) { self.model = model }
    }

    public struct Result: Codable, Sendable {
        public var unloaded: Bool
        public init(unloaded: Bool) { self.unloaded = unloaded }
    }
}

/// `model.remove {model}` → `{removed}`: deletes a file of the models folder (not a loaded one).
public enum ModelRemove: RPCMethod {
    public static let name = "model.remove"
    public typealias Params = ModelUnload.Params

    public struct Result: Codable, Sendable {
        public var removed: Bool
        public init(removed: Bool) { self.removed = removed }
    }
}

/// `model.pull {url, sha256?, name?, stream?}` → the entry of the downloaded file. Resumes a
/// partial download of the same URL; with `stream`, `$/progress` kind `tick` carries
/// `{receivedBytes, totalBytes}`.
public enum ModelPull: RPCMethod {
    public static let name = "model.pull"

    public struct Params: Codable, Sendable, StreamableParams {
        public var url: String
        public var sha256: String?
        public var name: String?
        public var stream: Bool?
        public init(url: String, sha256: String? = nil, name: String? = nil, stream: Bool? = nil) {
            self.url = url
            self.sha256 = sha256
            self.name = name
            self.stream = stream
        }
    }

    public struct Progress: Codable, Sendable {
        public var receivedBytes: Int64
        public var totalBytes: Int64?
        public init(receivedBytes: Int64, totalBytes: Int64?) {
            self.receivedBytes = receivedBytes
            self.totalBytes = totalBytes
        }
    }

    public typealias Result = ModelEntry
}
