/// Jinja's built-in filters and tests, and the Python string and dict methods templates call,
/// with Python's semantics (which is what Hugging Face's renderer runs).
enum TemplateFilters {
    /// Positional-or-keyword argument lookup, as Python binds `f(a, b=…)`.
    struct Args {
        var positional: [TemplateValue]
        var keyword: [String: TemplateValue]
        func callAsFunction(_ index: Int, _ name: String) -> TemplateValue? {
            if index < positional.count { return positional[index] }
            return keyword[name]
        }
    }

    // MARK: Filters

    static func filter(_ name: String, _ value: TemplateValue, _ positional: [TemplateValue], _ keyword: [String: TemplateValue],
                       evaluator: TemplateEvaluator, at position: SourcePosition) throws(TemplateError) -> TemplateValue {
        let arg = Args(positional: positional, keyword: keyword)
        let value = evaluator.resolveNamespace(value)
        func list() throws(TemplateError) -> [TemplateValue] {
            // select, reject and map skip a falsy input (`none | selectattr(…)` is empty).
            if !value.isTruthy, name.hasPrefix("select") || name.hasPrefix("reject") || name == "map" { return [] }
            return try evaluator.iterate(value, at: position)
        }
        func string() -> String { value.displayString }
        switch name {
        case "safe": return value
        case "string": return .string(string())
        case "trim": return .string(strip(string(), chars: arg(0, "chars"), leading: true, trailing: true))
        case "upper": return .string(string().uppercased())
        case "lower": return .string(string().lowercased())
        case "capitalize": return .string(capitalize(string()))
        case "title": return .string(jinjaTitle(string()))
        case "length", "count":
            switch value {
            case .string(let s): return .int(s.unicodeScalars.count)  // Python counts code points
            case .list(let l): return .int(l.count)
            case .dictionary(let d): return .int(d.count)
            case .undefined: return .int(0)
            default: throw TemplateError("object of type '\(value.typeName)' has no len()", at: position)
            }
        case "tojson":
            let json = TemplateJSON(indent: arg(1, "indent") ?? .none, separators: arg(2, "separators") ?? .none,
                                    sortKeys: (arg(3, "sort_keys") ?? .bool(false)).isTruthy,
                                    ensureASCII: (arg(0, "ensure_ascii") ?? .bool(false)).isTruthy)
            return .string(try json.encode(value, at: position))
        case "first":
            if case .undefined = value { return .undefined }
            return try list().first ?? .undefined
        case "last":
            if case .undefined = value { return .undefined }
            return try list().last ?? .undefined
        case "join":
            var items = try list()
            if let attribute = arg(1, "attribute") { items = items.map { attributeValue($0, attribute) } }
            return .string(items.map(\.displayString).joined(separator: arg(0, "d")?.displayString ?? ""))
        case "replace":
            guard let old = arg(0, "old"), let new = arg(1, "new") else { throw missing("replace", at: position) }
            return .string(replace(string(), old.displayString, new.displayString, count: arg(2, "count")))
        case "int":
            return toInt(value) ?? arg(0, "default") ?? .int(0)
        case "float":
            return toDouble(value) ?? arg(0, "default") ?? .double(0)
        case "default", "d":
            let useDefault = (arg(1, "boolean") ?? .bool(false)).isTruthy ? !value.isTruthy : value.isUndefined
            return useDefault ? (arg(0, "default_value") ?? .string("")) : value
        case "items":
            switch value {
            case .dictionary(let d): return .list(d.pairs.map { .list([.string($0.key), $0.value]) })
            case .undefined: return .list([])
            default: throw TemplateError("items filter expects a mapping, got '\(value.typeName)'", at: position)
            }
        case "list": return .list(try list())
        case "reverse":
            if case .string(let s) = value { return .string(String(String.UnicodeScalarView(s.unicodeScalars.reversed()))) }
            return .list(try list().reversed())
        case "unique":
            let caseSensitive = (arg(0, "case_sensitive") ?? .bool(false)).isTruthy
            let attribute = arg(1, "attribute")
            var seen: [TemplateValue] = []
            var result: [TemplateValue] = []
            for item in try list() {
                var key = attribute.map { attributeValue(item, $0) } ?? item
                if !caseSensitive, case .string(let s) = key { key = .string(s.lowercased()) }
                if !seen.contains(key) { seen.append(key); result.append(item) }
            }
            return .list(result)
        case "selectattr", "rejectattr", "select", "reject":
            let byAttribute = name.hasSuffix("attr")
            let keep = name.hasPrefix("select")
            var rest = positional
            var attribute: TemplateValue? = nil
            if byAttribute {
                guard !rest.isEmpty else { throw missing(name, at: position) }
                attribute = rest.removeFirst()
            }
            let testName = rest.isEmpty ? nil : rest.removeFirst().displayString
            var result: [TemplateValue] = []
            for item in try list() {
                let subject = attribute.map { attributeValue(item, $0) } ?? item
                let passes = try testName.map { (n: String) throws(TemplateError) in try test(n, subject, rest, at: position) } ?? subject.isTruthy
                if passes == keep { result.append(item) }
            }
            return .list(result)
        case "map":
            var result: [TemplateValue] = []
            if let attribute = keyword["attribute"] {
                for item in try list() {
                    let v = attributeValue(item, attribute)
                    result.append(v.isUndefined ? (keyword["default"] ?? .undefined) : v)
                }
            } else {
                guard let filterName = positional.first?.displayString else { throw missing("map", at: position) }
                for item in try list() {
                    result.append(try filter(filterName, item, Array(positional.dropFirst()), keyword, evaluator: evaluator, at: position))
                }
            }
            return .list(result)
        case "abs":
            switch value {
            case .int(let i): return .int(abs(i))
            case .double(let d): return .double(abs(d))
            default: throw TemplateError("bad operand type for abs(): '\(value.typeName)'", at: position)
            }
        case "round":
            guard let d = TemplateOperators.double(value) else { throw TemplateError("round expects a number", at: position) }
            let precision = (arg(0, "precision").flatMap(toInt)).flatMap { if case .int(let p) = $0 { p } else { nil } } ?? 0
            let method = arg(1, "method")?.displayString ?? "common"
            let scale = TemplateOperators.power(10, Double(precision))
            let rule: FloatingPointRoundingRule = method == "ceil" ? .up : method == "floor" ? .down : .toNearestOrEven
            return .double((d * scale).rounded(rule) / scale)
        case "e", "escape", "forceescape":
            return .string(htmlEscape(string()))
        case "dictsort":
            guard case .dictionary(let d) = value else { throw TemplateError("dictsort expects a mapping", at: position) }
            let caseSensitive = (arg(0, "case_sensitive") ?? .bool(false)).isTruthy
            let byValue = arg(1, "by")?.displayString == "value"
            let reverse = (arg(2, "reverse") ?? .bool(false)).isTruthy
            let sorted = try sortValues(d.pairs.map { .list([.string($0.key), $0.value]) }, caseSensitive: caseSensitive,
                                        key: { pair in if case .list(let p) = pair { p[byValue ? 1 : 0] } else { pair } }, at: position)
            return .list(reverse ? sorted.reversed() : sorted)
        case "sort":
            let reverse = (arg(0, "reverse") ?? .bool(false)).isTruthy
            let caseSensitive = (arg(1, "case_sensitive") ?? .bool(false)).isTruthy
            let attribute = arg(2, "attribute")
            let sorted = try sortValues(try list(), caseSensitive: caseSensitive,
                                        key: { v in attribute.map { a in attributeValue(v, a) } ?? v }, at: position)
            return .list(reverse ? sorted.reversed() : sorted)
        case "min", "max":
            let items = try sortValues(try list(), caseSensitive: (arg(0, "case_sensitive") ?? .bool(false)).isTruthy,
                                       key: { v in arg(1, "attribute").map { a in attributeValue(v, a) } ?? v }, at: position)
            return (name == "min" ? items.first : items.last) ?? .undefined
        case "sum":
            var total = arg(1, "start") ?? .int(0)
            for item in try list() {
                let v = arg(0, "attribute").map { attributeValue(item, $0) } ?? item
                total = try TemplateOperators.binary("+", total, v, at: position)
            }
            return total
        case "wordcount":
            return .int(string().split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "_") }).count)
        case "indent":
            let width: String
            switch arg(0, "width") {
            case .string(let s)?: width = s
            case .int(let n)?: width = String(repeating: " ", count: max(0, n))
            default: width = "    "
            }
            let first = (arg(1, "first") ?? .bool(false)).isTruthy
            let blank = (arg(2, "blank") ?? .bool(false)).isTruthy
            let lines = string().split(separator: "\n", omittingEmptySubsequences: false)
            var out = ""
            for (i, line) in lines.enumerated() {
                if i > 0 { out += "\n" }
                if (i > 0 || first) && (blank || !line.allSatisfy(\.isWhitespace)) { out += width }
                out += line
            }
            return .string(out)
        case "attr":
            return attributeValue(value, arg(0, "name") ?? .undefined)
        case "format":
            return .string(try percentFormat(string(), positional, at: position))
        default:
            throw TemplateError("no filter named '\(name)'", at: position)
        }
    }

    static func missing(_ name: String, at position: SourcePosition) -> TemplateError {
        TemplateError("missing argument for '\(name)'", at: position)
    }

    /// `item.attr` for filters that take `attribute=`; dotted paths and integer indices work too.
    static func attributeValue(_ item: TemplateValue, _ attribute: TemplateValue) -> TemplateValue {
        if case .int(let i) = attribute, case .list(let l) = item { return l.indices.contains(i) ? l[i] : .undefined }
        var current = item
        for part in attribute.displayString.split(separator: ".") {
            if let i = Int(part), case .list(let l) = current { current = l.indices.contains(i) ? l[i] : .undefined } else { current = current[String(part)] }
        }
        return current
    }

    private static func sortValues(_ items: [TemplateValue], caseSensitive: Bool, key: (TemplateValue) -> TemplateValue,
                                   at position: SourcePosition) throws(TemplateError) -> [TemplateValue] {
        func sortKey(_ v: TemplateValue) -> TemplateValue {
            let k = key(v)
            if !caseSensitive, case .string(let s) = k { return .string(s.lowercased()) }
            return k
        }
        var keyed = items.map { (sortKey($0), $0) }
        // A stable insertion sort: lists are short, and Python's sort is stable.
        for i in keyed.indices.dropFirst() {
            var j = i
            while j > 0 {
                guard let order = try TemplateOperators.ordering(keyed[j - 1].0, keyed[j].0, at: position) else {
                    throw TemplateError("'<' not supported between instances of '\(keyed[j].0.typeName)' and '\(keyed[j - 1].0.typeName)'", at: position)
                }
                if order <= 0 { break }
                keyed.swapAt(j - 1, j)
                j -= 1
            }
        }
        return keyed.map(\.1)
    }

    static func toInt(_ value: TemplateValue) -> TemplateValue? {
        switch value {
        case .int: return value
        case .bool(let b): return .int(b ? 1 : 0)
        case .double(let d): return d.isFinite ? .int(Int(d)) : nil
        case .string(let s):
            let t = s.trimmingWhitespace()
            if let i = Int(t.replacingOccurrences("_", with: "")) { return .int(i) }
            if let d = Double(t), d.isFinite { return .int(Int(d)) }
            return nil
        default: return nil
        }
    }

    static func toDouble(_ value: TemplateValue) -> TemplateValue? {
        switch value {
        case .int(let i): return .double(Double(i))
        case .double: return value
        case .bool(let b): return .double(b ? 1 : 0)
        case .string(let s): return Double(s.trimmingWhitespace()).map { .double($0) }
        default: return nil
        }
    }

    static func htmlEscape(_ s: String) -> String {
        var out = ""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&#34;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Python's `%` formatting, enough for `"%s"|format(x)` and `%d`.
    private static func percentFormat(_ format: String, _ values: [TemplateValue], at position: SourcePosition) throws(TemplateError) -> String {
        var out = ""
        var next = 0
        var chars = format.makeIterator()
        while let c = chars.next() {
            guard c == "%" else { out.append(c); continue }
            guard let spec = chars.next() else { throw TemplateError("incomplete format", at: position) }
            if spec == "%" { out += "%"; continue }
            guard next < values.count else { throw TemplateError("not enough arguments for format string", at: position) }
            let v = values[next]
            next += 1
            switch spec {
            case "s": out += v.displayString
            case "r": out += v.repr
            case "d", "i": out += (toInt(v) ?? v).displayString
            default: throw TemplateError("unsupported format character '\(spec)'", at: position)
            }
        }
        return out
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var scalars = Substring(self).unicodeScalars
        while let f = scalars.first, f.properties.isWhitespace { scalars.removeFirst() }
        while let l = scalars.last, l.properties.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
