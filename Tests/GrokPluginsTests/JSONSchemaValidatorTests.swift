import GrokJSON
import GrokPlugins
import Testing

/// Tool arguments against their schemas: each keyword of the supported subset accepts what it
/// should and names the offending field when it refuses.
@Suite struct JSONSchemaValidatorTests {
    static let schema: JSONValue = [
        "type": "object",
        "properties": [
            "path": ["type": "string", "minLength": 1, "pattern": "^/"],
            "k": ["type": "integer", "minimum": 1, "maximum": 100],
            "mode": ["enum": ["fast", "exact"]],
            "tags": ["type": "array", "items": ["type": "string"], "maxItems": 2],
            "ratio": ["type": "number", "exclusiveMinimum": 0],
            "options": ["type": "object", "properties": ["deep": ["type": "boolean"]], "additionalProperties": false],
        ],
        "required": ["path"],
        "additionalProperties": false,
    ]

    @Test func acceptsWhatTheSchemaAllows() {
        let valid: [JSONValue] = [
            ["path": "/a"], ["path": "/a", "k": 5, "mode": "exact", "tags": ["x", "y"], "ratio": 0.5, "options": ["deep": true]],
            ["path": "/a", "k": 3.0],  // an integral double is an integer
        ]
        for value in valid { #expect(JSONSchemaValidator.check(value, against: Self.schema) == nil, "\(value)") }
    }

    /// (arguments, the path named, the start of the message)
    static let refusals: [(JSONValue, String, String)] = [
        (.object([:]), "arguments.path", "is required"),
        (["path": 5], "arguments.path", "must be string, not integer"),
        (["path": ""], "arguments.path", "must be at least 1 characters"),
        (["path": "relative"], "arguments.path", "must match ^/"),
        (["path": "/a", "k": 0], "arguments.k", "must be at least 1.0"),
        (["path": "/a", "k": 2.5], "arguments.k", "must be integer, not number"),
        (["path": "/a", "mode": "slow"], "arguments.mode", "must be one of"),
        (["path": "/a", "tags": ["x", 1]], "arguments.tags[1]", "must be string"),
        (["path": "/a", "tags": ["x", "y", "z"]], "arguments.tags", "takes at most 2 items"),
        (["path": "/a", "ratio": 0], "arguments.ratio", "must be above 0.0"),
        (["path": "/a", "options": ["deeper": true]], "arguments.options.deeper", "is not a known argument"),
        (["path": "/a", "extra": 1], "arguments.extra", "is not a known argument"),
    ]

    @Test(arguments: refusals)
    func namesTheFieldItRefuses(_ value: JSONValue, _ path: String, _ message: String) {
        let problem = JSONSchemaValidator.check(value, against: Self.schema)
        #expect(problem?.path == path, "\(value)")
        #expect(problem?.message.hasPrefix(message) == true, "\(problem?.message ?? "nil")")
    }
}
