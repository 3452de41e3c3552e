/// A value a chat template sees or produces: the JSON-like data model of Jinja as Hugging Face
/// templates use it (Python's None, bool, int, float, str, list and dict), plus `undefined`.
///
/// Dictionaries keep insertion order, as Python's do: `tojson` and `items()` must print keys in
/// the order the caller gave them, or tool schemas come out shuffled.
public enum TemplateValue: Sendable, Equatable {
    /// A name that has no value. Prints as "", is falsy, and `is defined` is false.
    case undefined
    /// Python's `None`.
    case none
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case list([TemplateValue])
    case dictionary(TemplateDictionary)

    /// Builds a dictionary value from ordered pairs (later duplicates replace earlier values).
    public static func object(_ pairs: [(String, TemplateValue)]) -> TemplateValue {
        var dictionary = TemplateDictionary()
        for (key, value) in pairs { dictionary[key] = value }
        return .dictionary(dictionary)
    }

    /// Python truthiness: empty strings, lists and dictionaries, zero, None and undefined are false.
    public var isTruthy: Bool {
        switch self {
        case .undefined, .none: return false
        case .bool(let b): return b
        case .int(let i): return i != 0
        case .double(let d): return d != 0
        case .string(let s): return !s.isEmpty
        case .list(let l): return !l.isEmpty
        case .dictionary(let d): return !d.isEmpty
        }
    }

    public static func == (lhs: TemplateValue, rhs: TemplateValue) -> Bool {
        switch (lhs, rhs) {
        case (.undefined, .undefined), (.none, .none): return true
        case (.bool(let a), .bool(let b)): return a == b
        // Python compares numbers across int and float (and bool is an int).
        case (.int(let a), .int(let b)): return a == b
        case (.int(let a), .double(let b)), (.double(let b), .int(let a)): return Double(a) == b
        case (.double(let a), .double(let b)): return a == b
        case (.bool(let a), .int(let b)), (.int(let b), .bool(let a)): return (a ? 1 : 0) == b
        case (.string(let a), .string(let b)): return a == b
        case (.list(let a), .list(let b)): return a == b
        case (.dictionary(let a), .dictionary(let b)): return a == b
        default: return false
        }
    }
}

/// An insertion-ordered string-keyed dictionary (Python's dict as templates use it).
public struct TemplateDictionary: Sendable, Equatable {
    /// Keys in insertion order.
    public private(set) var keys: [String] = []
    private var storage: [String: TemplateValue] = [:]

    public init() {}

    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }

    /// Gets or sets a key; setting a new key appends it, setting an existing key keeps its place.
    public subscript(key: String) -> TemplateValue? {
        get { storage[key] }
        set {
            if let newValue {
                if storage.updateValue(newValue, forKey: key) == nil { keys.append(key) }
            } else if storage.removeValue(forKey: key) != nil {
                keys.removeAll { $0 == key }
            }
        }
    }

    /// Key/value pairs in insertion order.
    public var pairs: [(key: String, value: TemplateValue)] { keys.map { ($0, storage[$0]!) } }

    /// Python dict equality ignores order.
    public static func == (lhs: TemplateDictionary, rhs: TemplateDictionary) -> Bool {
        lhs.storage == rhs.storage
    }
}

extension TemplateValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: TemplateValue...) { self = .list(elements) }
    /// Dictionary literals keep the order they are written in.
    public init(dictionaryLiteral elements: (String, TemplateValue)...) { self = .object(elements) }
    public init(nilLiteral: ()) { self = .none }
}

extension TemplateValue {
    /// The dictionary entry for `key`, or `.undefined` (also for non-dictionaries).
    public subscript(key: String) -> TemplateValue {
        if case .dictionary(let d) = self, let v = d[key] { return v }
        return .undefined
    }

    var isUndefined: Bool { if case .undefined = self { return true } else { return false } }
    var isNone: Bool { if case .none = self { return true } else { return false } }

    /// Python's type name, for error messages.
    var typeName: String {
        switch self {
        case .undefined: return "undefined"
        case .none: return "NoneType"
        case .bool: return "bool"
        case .int: return "int"
        case .double: return "float"
        case .string: return "str"
        case .list: return "list"
        case .dictionary: return "dict"
        }
    }

    /// What `{{ value }}` prints: Python's `str()`, with undefined printing nothing.
    var displayString: String {
        switch self {
        case .undefined: return ""
        case .string(let s): return s
        default: return repr
        }
    }

    /// Python's `repr()`, which is what `str()` of a list or dict shows for the items.
    var repr: String {
        switch self {
        case .undefined: return ""
        case .none: return "None"
        case .bool(let b): return b ? "True" : "False"
        case .int(let i): return String(i)
        case .double(let d): return TemplateValue.pythonFloat(d)
        case .string(let s): return TemplateValue.pythonStringRepr(s)
        case .list(let l): return "[" + l.map(\.repr).joined(separator: ", ") + "]"
        case .dictionary(let d):
            return "{" + d.pairs.map { TemplateValue.pythonStringRepr($0.key) + ": " + $0.value.repr }
                .joined(separator: ", ") + "}"
        }
    }

    /// Python's float repr: shortest round-trip digits, always with a decimal point or exponent.
    static func pythonFloat(_ d: Double) -> String {
        if d.isNaN { return "nan" }
        if d.isInfinite { return d < 0 ? "-inf" : "inf" }
        var s = d.description  // Swift also prints the shortest round-trip form
        if let e = s.firstIndex(of: "e") {
            // Python writes at least two exponent digits: 1e-05, 1e+16.
            let mantissa = s[..<e]
            var exponent = String(s[s.index(after: e)...])
            var sign = "+"
            if exponent.hasPrefix("-") { sign = "-"; exponent.removeFirst() } else if exponent.hasPrefix("+") { exponent.removeFirst() }
            if exponent.count < 2 { exponent = "0" + exponent }
            s = mantissa + "e" + sign + exponent
            return s
        }
        return s
    }

    /// Python's str repr: single quotes unless the text has a single quote and no double quote.
    static func pythonStringRepr(_ s: String) -> String {
        let quote: Character = (s.contains("'") && !s.contains("\"")) ? "\"" : "'"
        var out = String(quote)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if Character(scalar) == quote { out += "\\" + String(quote) }
                else if scalar.value < 0x20 || scalar.value == 0x7f { out += "\\x" + hex(scalar.value, width: 2) }
                else { out.unicodeScalars.append(scalar) }
            }
        }
        out.append(quote)
        return out
    }

    static func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
