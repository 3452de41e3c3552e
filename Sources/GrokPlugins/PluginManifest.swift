import GrokJSON

/// What a plugin offers, from its manifest JSON (see protocol/grok_plugin.h).
public struct PluginManifest: Sendable, Equatable {
    public struct Tool: Sendable, Equatable {
        public let name: String
        public let description: String
        public let inputSchema: JSONValue
    }

    public struct Retriever: Sendable, Equatable {
        public let name: String
        public let description: String
    }

    public let description: String?
    public let tools: [Tool]
    public let retrievers: [Retriever]

    public init(json text: String) throws(PluginLoadError) {
        guard let json = try? JSONCodec.parse(string: text), json.objectValue != nil else {
            throw PluginLoadError("the manifest is not a JSON object")
        }
        try self.init(json: json)
    }

    public init(json: JSONValue) throws(PluginLoadError) {
        description = json["description"]?.stringValue
        var tools: [Tool] = []
        for entry in json["tools"]?.arrayValue ?? [] {
            guard let name = entry["name"]?.stringValue, Self.isValidName(name, maxLength: 64, allowDash: false) else {
                throw PluginLoadError("a tool's name is missing or not [a-z][a-z0-9_]*")
            }
            guard let description = entry["description"]?.stringValue else {
                throw PluginLoadError("tool \(name) has no description")
            }
            let schema = entry["inputSchema"] ?? ["type": "object"]
            guard schema.objectValue != nil, schema["type"]?.stringValue ?? "object" == "object" else {
                throw PluginLoadError("tool \(name)'s inputSchema is not an object schema")
            }
            tools.append(Tool(name: name, description: description, inputSchema: schema))
        }
        var retrievers: [Retriever] = []
        for entry in json["retrievers"]?.arrayValue ?? [] {
            guard let name = entry["name"]?.stringValue, Self.isValidName(name, maxLength: 64, allowDash: false) else {
                throw PluginLoadError("a retriever's name is missing or not [a-z][a-z0-9_]*")
            }
            retrievers.append(Retriever(name: name, description: entry["description"]?.stringValue ?? ""))
        }
        guard !tools.isEmpty || !retrievers.isEmpty else { throw PluginLoadError("the manifest lists no tools and no retrievers") }
        guard Set(tools.map(\.name)).count == tools.count else { throw PluginLoadError("the manifest names a tool twice") }
        self.tools = tools
        self.retrievers = retrievers
    }

    /// Lowercase ASCII letter first, then letters, digits, '_' (and '-' where allowed).
    static func isValidName(_ name: String, maxLength: Int, allowDash: Bool) -> Bool {
        guard let first = name.unicodeScalars.first, ("a"..."z").contains(first), name.utf8.count <= maxLength else { return false }
        return name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" || (allowDash && $0 == "-") }
    }

    /// The manifest as MCP's tools/list entries.
    public var toolsJSON: JSONValue {
        .array(tools.map { ["name": .string($0.name), "description": .string($0.description), "inputSchema": $0.inputSchema] })
    }
}
