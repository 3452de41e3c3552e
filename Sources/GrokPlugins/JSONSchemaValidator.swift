import Foundation
import GrokJSON

/// Checks tool arguments against the tool's JSON Schema before the plugin sees them.
///
/// The subset tools use: `type` (one or a list), `properties`, `required`,
/// `additionalProperties` (false or a schema), `items`, `enum`, `const`, `minimum`, `maximum`,
/// `exclusiveMinimum`, `exclusiveMaximum`, `minLength`, `maxLength`, `minItems`, `maxItems`,
/// `pattern`, and `anyOf`. Other keywords are ignored (they only ever narrow what is valid).
public enum JSONSchemaValidator {
    /// The first problem found: where (a dotted path from `root`) and what.
    public struct Problem: Error, Equatable, Sendable {
        public let path: String
        public let message: String
    }

    public static func check(_ value: JSONValue, against schema: JSONValue, at path: String = "arguments") -> Problem? {
        guard schema.objectValue != nil else { return nil }  // `true`, or no schema: anything goes
        if let problem = checkType(value, schema, path) { return problem }
        if let allowed = schema["enum"]?.arrayValue, !allowed.contains(where: { same($0, value) }) {
            return Problem(path: path, message: "must be one of \(allowed.map(\.description).joined(separator: ", "))")
        }
        if let constant = schema["const"], !same(constant, value) {
            return Problem(path: path, message: "must be \(constant.description)")
        }
        if let options = schema["anyOf"]?.arrayValue, !options.contains(where: { check(value, against: $0, at: path) == nil }) {
            return Problem(path: path, message: "matches none of the allowed forms")
        }
        switch value {
        case .object(let object): return checkObject(object, schema, path)
        case .array(let items): return checkArray(items, schema, path)
        case .string(let text): return checkString(text, schema, path)
        case .int, .double: return checkNumber(value.doubleValue ?? 0, schema, path)
        default: return nil
        }
    }

    private static func typeName(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "boolean"
        case .int: "integer"
        case .double(let number): number.rounded() == number ? "integer" : "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    private static func checkType(_ value: JSONValue, _ schema: JSONValue, _ path: String) -> Problem? {
        let types = schema["type"].map { $0.arrayValue?.compactMap(\.stringValue) ?? [$0.stringValue ?? ""] } ?? []
        guard !types.isEmpty else { return nil }
        let actual = typeName(value)
        let fits = types.contains { $0 == actual || ($0 == "number" && actual == "integer") }
        return fits ? nil : Problem(path: path, message: "must be \(types.joined(separator: " or ")), not \(actual)")
    }

    private static func checkObject(_ object: JSONObject, _ schema: JSONValue, _ path: String) -> Problem? {
        let properties = schema["properties"]?.objectValue ?? [:]
        for name in schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where object[name] == nil {
            return Problem(path: "\(path).\(name)", message: "is required")
        }
        for (name, value) in object {
            if let property = properties[name] {
                if let problem = check(value, against: property, at: "\(path).\(name)") { return problem }
            } else if let extra = schema["additionalProperties"] {
                if extra == .bool(false) { return Problem(path: "\(path).\(name)", message: "is not a known argument") }
                if let problem = check(value, against: extra, at: "\(path).\(name)") { return problem }
            }
        }
        return nil
    }

    private static func checkArray(_ items: [JSONValue], _ schema: JSONValue, _ path: String) -> Problem? {
        if let least = schema["minItems"]?.intValue, items.count < least { return Problem(path: path, message: "needs at least \(least) items") }
        if let most = schema["maxItems"]?.intValue, items.count > most { return Problem(path: path, message: "takes at most \(most) items") }
        guard let item = schema["items"] else { return nil }
        for (index, value) in items.enumerated() {
            if let problem = check(value, against: item, at: "\(path)[\(index)]") { return problem }
        }
        return nil
    }

    private static func checkString(_ text: String, _ schema: JSONValue, _ path: String) -> Problem? {
        let length = text.count
        if let least = schema["minLength"]?.intValue, length < least { return Problem(path: path, message: "must be at least \(least) characters") }
        if let most = schema["maxLength"]?.intValue, length > most { return Problem(path: path, message: "must be at most \(most) characters") }
        if let pattern = schema["pattern"]?.stringValue, let expression = try? NSRegularExpression(pattern: pattern),
           expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) == nil {
            return Problem(path: path, message: "must match \(pattern)")
        }
        return nil
    }

    private static func checkNumber(_ number: Double, _ schema: JSONValue, _ path: String) -> Problem? {
        if let least = schema["minimum"]?.doubleValue, number < least { return Problem(path: path, message: "must be at least \(least)") }
        if let most = schema["maximum"]?.doubleValue, number > most { return Problem(path: path, message: "must be at most \(most)") }
        if let bound = schema["exclusiveMinimum"]?.doubleValue, number <= bound { return Problem(path: path, message: "must be above \(bound)") }
        if let bound = schema["exclusiveMaximum"]?.doubleValue, number >= bound { return Problem(path: path, message: "must be below \(bound)") }
        return nil
    }

    /// JSON equality where 1 and 1.0 are the same number.
    private static func same(_ a: JSONValue, _ b: JSONValue) -> Bool {
        if let x = a.doubleValue, let y = b.doubleValue, a.stringValue == nil, b.stringValue == nil { return x == y }
        return a == b
    }
}
