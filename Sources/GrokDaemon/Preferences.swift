import GrokJSON
import GrokPlugins
import GrokProtocol

/// The preference keys: well-known ones (documented in PROTOCOL.md, read by chat) with their
/// schemas, and any other key of the allowed form with a JSON value of up to 16 KB.
enum Preferences {
    static let known: [String: JSONValue] = [
        "name": ["type": "string", "minLength": 1, "maxLength": 100],
        "language": ["type": "string", "minLength": 2, "maxLength": 50],
        "style": ["type": "string", "maxLength": 500],
        "expertise": ["type": "string", "maxLength": 500],
        "instructions": ["type": "string", "maxLength": 4000],
        "options": [
            "type": "object",
            "properties": [
                "maxTokens": ["type": "integer", "minimum": 1, "maximum": 32768],
                "temperature": ["type": "number", "minimum": 0, "maximum": 10],
                "topK": ["type": "integer", "minimum": 0],
                "topP": ["type": "number", "exclusiveMinimum": 0, "maximum": 1],
                "minP": ["type": "number", "minimum": 0, "exclusiveMaximum": 1],
                "repeatPenalty": ["type": "number", "exclusiveMinimum": 0],
                "presencePenalty": ["type": "number"],
                "frequencyPenalty": ["type": "number"],
                "seed": ["type": "integer", "minimum": 0],
                "stop": ["type": "array", "items": ["type": "string"], "maxItems": 8],
            ],
            "additionalProperties": false,
        ],
    ]

    /// A key: a lowercase letter, then letters, digits, '_', '.', '-'; at most 64 bytes.
    static func check(key: String) throws(RPCError) {
        guard let first = key.unicodeScalars.first, ("a"..."z").contains(first), key.utf8.count <= 64,
              key.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
                  || "_.-".unicodeScalars.contains($0) })
        else { throw .invalidParams("a key is a lowercase letter, then letters, digits, '_', '.' or '-' (64 at most)", field: "key") }
    }

    static func check(key: String, value: JSONValue) throws(RPCError) {
        try check(key: key)
        if let schema = known[key], let problem = JSONSchemaValidator.check(value, against: schema, at: "value") {
            throw .invalidParams("\(key): \(problem.path) \(problem.message)", field: problem.path)
        }
        let size = (try? JSONCodec.encode(value).count) ?? 0
        guard size <= 16 << 10 else { throw .invalidParams("a preference holds at most 16 KB", field: "value") }
    }
}
