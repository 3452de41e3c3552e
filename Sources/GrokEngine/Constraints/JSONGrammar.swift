import GrokJSON

/// What a JSON value may look like, compiled from a JSON Schema: the part of the schema the
/// sampler enforces while the model writes (DESIGN.md §7, structured output and tool calls).
///
/// Enforced: `type` (one or a list), `enum`, `const`, `properties` with `required` (only the
/// declared properties are offered; `additionalProperties` with a schema allows other keys),
/// `items`, `minItems`/`maxItems`, `minLength`/`maxLength`, `anyOf`/`oneOf`, local `$ref`s to
/// `#/$defs/…` or `#/definitions/…`. Everything else (patterns, numeric ranges, formats) is not
/// enforced here; the answer is validated against the whole schema afterwards.
public indirect enum JSONGrammar: Sendable, Equatable {
    /// Any JSON value.
    case any
    /// Exactly one of these serialisations (from `enum` or `const`).
    case literals([[UInt8]])
    case string(minLength: Int, maxLength: Int?)
    case number(integer: Bool)
    case boolean
    case null
    case array(items: JSONGrammar, minItems: Int, maxItems: Int?)
    /// An object whose keys are `properties` (each at most once) and, when `additional` is
    /// set, other keys with values of that grammar.
    case object(properties: [Property], additional: JSONGrammar?)
    /// One of several.
    case oneOf([JSONGrammar])

    public struct Property: Sendable, Equatable {
        public var name: String
        /// The name as it appears between the quotes of a JSON key.
        public var escaped: [UInt8]
        public var grammar: JSONGrammar
        public var required: Bool
    }

    /// Why a schema cannot be used.
    public struct SchemaError: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// Compiles a JSON Schema.
    public init(schema: JSONValue) throws(SchemaError) {
        var compiler = SchemaCompiler(root: schema)
        self = try compiler.compile(schema, path: "#")
    }

    /// The grammar of `{"name": <one of names>, "arguments": <that tool's arguments>}`: a call
    /// of one of `tools` (name → argument schema).
    public static func toolCall(
        _ tools: [(name: String, arguments: JSONValue)], argumentsKey: String = "arguments"
    ) throws(SchemaError) -> JSONGrammar {
        var alternatives: [JSONGrammar] = []
        for tool in tools {
            let arguments = try JSONGrammar(schema: tool.arguments)
            alternatives.append(.object(
                properties: [
                    Property(name: "name", grammar: .literals([Self.serialised(.string(tool.name))])),
                    Property(name: argumentsKey, grammar: arguments),
                ],
                additional: nil))
        }
        return alternatives.count == 1 ? alternatives[0] : .oneOf(alternatives)
    }

    /// A value's compact JSON text.
    static func serialised(_ value: JSONValue) -> [UInt8] {
        (try? JSONCodec.encode(value)) ?? Array("null".utf8)
    }
}

extension JSONGrammar.Property {
    /// A property; required unless said otherwise.
    public init(name: String, grammar: JSONGrammar, required: Bool = true) {
        self.name = name
        let quoted = JSONGrammar.serialised(.string(name))
        escaped = Array(quoted.dropFirst().dropLast())
        self.grammar = grammar
        self.required = required
    }
}

/// Walks a schema into a grammar, following local references (with a depth guard against
/// schemas that refer to themselves without end).
private struct SchemaCompiler {
    let root: JSONValue
    var depth = 0

    mutating func compile(_ schema: JSONValue, path: String) throws(JSONGrammar.SchemaError) -> JSONGrammar {
        depth += 1
        defer { depth -= 1 }
        guard depth < 64 else { throw .init(description: "\(path): the schema nests or refers to itself too deeply") }
        switch schema {
        case .bool(true): return .any
        case .bool(false): throw .init(description: "\(path): the schema `false` allows no value")
        case .object: break
        default: throw .init(description: "\(path): a schema is an object or a boolean")
        }
        if let reference = schema["$ref"]?.stringValue { return try compile(resolve(reference, at: path), path: reference) }
        if let constant = schema["const"] { return .literals([JSONGrammar.serialised(constant)]) }
        if let values = schema["enum"] {
            guard let list = values.arrayValue, !list.isEmpty else { throw .init(description: "\(path)/enum: a non-empty array") }
            return .literals(list.map(JSONGrammar.serialised))
        }
        for keyword in ["anyOf", "oneOf"] {
            if let list = schema[keyword] {
                guard let schemas = list.arrayValue, !schemas.isEmpty else { throw .init(description: "\(path)/\(keyword): a non-empty array") }
                var alternatives: [JSONGrammar] = []
                for (index, alternative) in schemas.enumerated() {
                    alternatives.append(try compile(alternative, path: "\(path)/\(keyword)/\(index)"))
                }
                return alternatives.count == 1 ? alternatives[0] : .oneOf(alternatives)
            }
        }
        switch schema["type"] {
        case nil:
            // No type: guess from the keywords present, else any value.
            if schema["properties"] != nil { return try typed("object", schema, path) }
            if schema["items"] != nil { return try typed("array", schema, path) }
            return .any
        case .string(let type)?:
            return try typed(type, schema, path)
        case .array(let types)?:
            var alternatives: [JSONGrammar] = []
            for case .string(let type) in types { alternatives.append(try typed(type, schema, path)) }
            guard !alternatives.isEmpty else { throw .init(description: "\(path)/type: names no type") }
            return alternatives.count == 1 ? alternatives[0] : .oneOf(alternatives)
        default:
            throw .init(description: "\(path)/type: a type name or a list of them")
        }
    }

    private mutating func typed(_ type: String, _ schema: JSONValue, _ path: String) throws(JSONGrammar.SchemaError) -> JSONGrammar {
        switch type {
        case "string":
            let minimum = Int(schema["minLength"]?.intValue ?? 0)
            let maximum = schema["maxLength"]?.intValue.map { Int($0) }
            if let maximum, maximum < minimum { throw .init(description: "\(path): maxLength is below minLength") }
            return .string(minLength: minimum, maxLength: maximum)
        case "number": return .number(integer: false)
        case "integer": return .number(integer: true)
        case "boolean": return .boolean
        case "null": return .null
        case "array":
            let items = try schema["items"].map { (items) throws(JSONGrammar.SchemaError) in try compile(items, path: path + "/items") } ?? .any
            let minimum = Int(schema["minItems"]?.intValue ?? 0)
            let maximum = schema["maxItems"]?.intValue.map { Int($0) }
            if let maximum, maximum < minimum { throw .init(description: "\(path): maxItems is below minItems") }
            return .array(items: items, minItems: minimum, maxItems: maximum)
        case "object":
            return try object(schema, path)
        default:
            throw .init(description: "\(path)/type: unknown type \(type)")
        }
    }

    private mutating func object(_ schema: JSONValue, _ path: String) throws(JSONGrammar.SchemaError) -> JSONGrammar {
        let required = Set((schema["required"]?.arrayValue ?? []).compactMap(\.stringValue))
        var properties: [JSONGrammar.Property] = []
        for (name, propertySchema) in schema["properties"]?.objectValue ?? [:] {
            let grammar = try compile(propertySchema, path: "\(path)/properties/\(name)")
            properties.append(JSONGrammar.Property(name: name, grammar: grammar, required: required.contains(name)))
        }
        if let missing = required.subtracting(properties.map(\.name)).sorted().first, schema["additionalProperties"] == .bool(false) {
            throw .init(description: "\(path): requires \(missing), which it does not allow")
        }
        var additional: JSONGrammar?
        switch schema["additionalProperties"] {
        case .bool(false)?: additional = nil
        // Declared keys only where the schema declares them (`properties: {}` means none):
        // a small model offered any key wanders off.
        case nil, .bool(true)?: additional = schema["properties"] == nil ? .any : nil
        case let extra?: additional = try compile(extra, path: path + "/additionalProperties")
        }
        // Required keys the schema does not describe may hold any value.
        for name in required.subtracting(properties.map(\.name)).sorted() {
            properties.append(JSONGrammar.Property(name: name, grammar: .any, required: true))
        }
        return .object(properties: properties, additional: additional)
    }

    private func resolve(_ reference: String, at path: String) throws(JSONGrammar.SchemaError) -> JSONValue {
        guard reference == "#" || reference.hasPrefix("#/") else {
            throw .init(description: "\(path): only local references (#/…) are supported, not \(reference)")
        }
        var node = root
        for part in reference.dropFirst(2).split(separator: "/") where !part.isEmpty {
            let key = part.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            guard let next = node[key] else { throw .init(description: "\(path): \(reference) does not exist") }
            node = next
        }
        return node
    }
}
