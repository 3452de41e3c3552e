#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Tests (`x is defined`), methods (`s.strip()`, `d.items()`) and global functions
/// (`range`, `namespace`, `raise_exception`, `strftime_now`).
extension TemplateFilters {
    // MARK: Tests

    static func test(_ name: String, _ value: TemplateValue, _ args: [TemplateValue], at position: SourcePosition) throws(TemplateError) -> Bool {
        func other() throws(TemplateError) -> TemplateValue {
            guard let first = args.first else { throw TemplateError("test '\(name)' needs an argument", at: position) }
            return first
        }
        switch name {
        case "defined": return !value.isUndefined
        case "undefined": return value.isUndefined
        case "none": return value.isNone
        case "string": if case .string = value { return true } else { return false }
        case "mapping": if case .dictionary = value { return true } else { return false }
        case "boolean": if case .bool = value { return true } else { return false }
        case "true": return value == .bool(true) && { if case .bool = value { true } else { false } }()
        case "false": return value == .bool(false) && { if case .bool = value { true } else { false } }()
        case "integer": if case .int = value { return true } else { return false }
        case "float": if case .double = value { return true } else { return false }
        case "number":
            switch value { case .int, .double, .bool: return true; default: return false }
        case "iterable", "sequence":
            // Undefined iterates as empty in Jinja, so it counts as iterable.
            switch value { case .string, .list, .dictionary, .undefined: return true; default: return false }
        case "callable": return false
        case "equalto", "eq", "==", "sameas": return value == (try other())
        case "ne", "!=": return value != (try other())
        case "lt", "<", "lessthan": return try TemplateOperators.compare("<", value, try other(), at: position)
        case "le", "<=": return try TemplateOperators.compare("<=", value, try other(), at: position)
        case "gt", ">", "greaterthan": return try TemplateOperators.compare(">", value, try other(), at: position)
        case "ge", ">=": return try TemplateOperators.compare(">=", value, try other(), at: position)
        case "in": return try TemplateOperators.contains(try other(), value, at: position)
        case "odd", "even", "divisibleby":
            guard case .int(let i) = value else { throw TemplateError("test '\(name)' needs an integer", at: position) }
            if name == "odd" { return i % 2 != 0 }
            if name == "even" { return i % 2 == 0 }
            guard case .int(let d) = try other(), d != 0 else { throw TemplateError("divisibleby needs a non-zero integer", at: position) }
            return i % d == 0
        case "lower": return value.displayString == value.displayString.lowercased()
        case "upper": return value.displayString == value.displayString.uppercased()
        case "escaped": return false
        default: throw TemplateError("no test named '\(name)'", at: position)
        }
    }

    // MARK: Methods

    static func method(_ name: String, on receiver: TemplateValue, _ positional: [TemplateValue], _ keyword: [String: TemplateValue],
                       at position: SourcePosition) throws(TemplateError) -> TemplateValue {
        let arg = Args(positional: positional, keyword: keyword)
        switch receiver {
        case .string(let s):
            switch name {
            case "strip": return .string(strip(s, chars: arg(0, "chars"), leading: true, trailing: true))
            case "lstrip": return .string(strip(s, chars: arg(0, "chars"), leading: true, trailing: false))
            case "rstrip": return .string(strip(s, chars: arg(0, "chars"), leading: false, trailing: true))
            case "upper": return .string(s.uppercased())
            case "lower": return .string(s.lowercased())
            case "title": return .string(pythonTitle(s))
            case "capitalize": return .string(capitalize(s))
            case "startswith", "endswith":
                guard let affix = arg(0, "prefix") ?? arg(0, "suffix") else { throw missing(name, at: position) }
                let candidates: [TemplateValue]
                if case .list(let l) = affix { candidates = l } else { candidates = [affix] }
                for candidate in candidates {
                    guard case .string(let a) = candidate else { throw TemplateError("\(name) expects strings", at: position) }
                    if name == "startswith" ? s.unicodeScalars.starts(with: a.unicodeScalars)
                        : s.unicodeScalars.reversed().starts(with: a.unicodeScalars.reversed()) { return .bool(true) }
                }
                return .bool(false)
            case "split", "rsplit":
                let separator = arg(0, "sep") ?? .none
                let maxSplit: Int
                if case .int(let m)? = arg(1, "maxsplit") { maxSplit = m } else { maxSplit = -1 }
                if case .string(let sep) = separator {
                    guard !sep.isEmpty else { throw TemplateError("empty separator", at: position) }
                    return .list(split(s, sep, maxSplit: maxSplit, fromEnd: name == "rsplit").map { .string($0) })
                }
                return .list(splitWhitespace(s, maxSplit: maxSplit).map { .string($0) })
            case "splitlines":
                return .list(s.split(separator: "\n", omittingEmptySubsequences: false).map { .string(String($0)) }
                    .dropLast(s.hasSuffix("\n") ? 1 : 0))
            case "replace":
                guard let old = arg(0, "old"), let new = arg(1, "new") else { throw missing(name, at: position) }
                return .string(replace(s, old.displayString, new.displayString, count: arg(2, "count")))
            case "find", "count":
                guard case .string(let needle)? = arg(0, "sub") else { throw missing(name, at: position) }
                let pieces = split(s, needle.isEmpty ? "\u{0}" : needle, maxSplit: name == "find" ? 1 : -1, fromEnd: false)
                if name == "count" { return .int(needle.isEmpty ? s.unicodeScalars.count + 1 : pieces.count - 1) }
                return .int(pieces.count > 1 ? pieces[0].unicodeScalars.count : -1)
            case "join":
                guard let items = arg(0, "iterable") else { throw missing(name, at: position) }
                guard case .list(let l) = items else { throw TemplateError("join expects a list", at: position) }
                return .string(l.map(\.displayString).joined(separator: s))
            case "isdigit": return .bool(!s.isEmpty && s.allSatisfy(\.isNumber))
            case "isalpha": return .bool(!s.isEmpty && s.allSatisfy(\.isLetter))
            case "isspace": return .bool(!s.isEmpty && s.allSatisfy(\.isWhitespace))
            case "islower": return .bool(s.contains(where: \.isLetter) && s == s.lowercased())
            case "isupper": return .bool(s.contains(where: \.isLetter) && s == s.uppercased())
            case "format": return .string(try braceFormat(s, positional, keyword, at: position))
            default: break
            }
        case .dictionary(let d):
            switch name {
            case "items": return .list(d.pairs.map { .list([.string($0.key), $0.value]) })
            case "keys": return .list(d.keys.map { .string($0) })
            case "values": return .list(d.pairs.map(\.value))
            case "get":
                guard case .string(let key)? = arg(0, "key") else { return arg(1, "default") ?? .none }
                return d[key] ?? arg(1, "default") ?? .none
            case "cycle" where d["index0"] != nil:
                // loop.cycle(a, b, …)
                guard case .int(let i)? = d["index0"], !positional.isEmpty else { throw missing(name, at: position) }
                return positional[i % positional.count]
            default: break
            }
        default: break
        }
        throw TemplateError("'\(receiver.typeName)' object has no method '\(name)'", at: position)
    }

    // MARK: Globals

    /// Names of the global functions, which count as defined.
    static let globalNames: Set<String> = ["raise_exception", "range", "namespace", "dict", "strftime_now"]

    static func global(_ name: String, _ positional: [TemplateValue], _ keyword: [String: TemplateValue],
                       at position: SourcePosition) throws(TemplateError) -> TemplateValue {
        switch name {
        case "raise_exception":
            // Surface the template's own message unchanged: it is meant for the user.
            throw TemplateError(positional.first?.displayString ?? "raise_exception called")
        case "range":
            var bounds: [Int] = []
            for v in positional {
                guard case .int(let i) = v else { throw TemplateError("range() expects integers", at: position) }
                bounds.append(i)
            }
            let (start, stop, step): (Int, Int, Int)
            switch bounds.count {
            case 1: (start, stop, step) = (0, bounds[0], 1)
            case 2: (start, stop, step) = (bounds[0], bounds[1], 1)
            case 3: (start, stop, step) = (bounds[0], bounds[1], bounds[2])
            default: throw TemplateError("range() expects 1 to 3 arguments", at: position)
            }
            guard step != 0 else { throw TemplateError("range() step must not be zero", at: position) }
            return .list(stride(from: start, to: stop, by: step).map { .int($0) })
        case "namespace", "dict":
            var d = TemplateDictionary()
            if case .dictionary(let initial)? = positional.first { d = initial }
            // (namespace() itself is built by the evaluator, which knows the keyword order;
            // dict() sorts them for a stable result.)
            for key in keyword.keys.sorted() { d[key] = keyword[key] }
            return .dictionary(d)
        case "strftime_now":
            return .string(strftimeNow(positional.first?.displayString ?? ""))
        default:
            throw TemplateError("'\(name)' is undefined", at: position)
        }
    }

    /// The local date and time, formatted as Python's strftime would for the common fields.
    static func strftimeNow(_ format: String) -> String {
        var now = time(nil)
        var parts = tm()
        localtime_r(&now, &parts)
        let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
        let days = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        var out = ""
        var chars = format.makeIterator()
        while let c = chars.next() {
            guard c == "%", let spec = chars.next() else { out.append(c); continue }
            switch spec {
            case "d": out += two(parts.tm_mday)
            case "-": if let s = chars.next(), s == "d" { out += "\(parts.tm_mday)" }  // glibc's %-d
            case "m": out += two(parts.tm_mon + 1)
            case "Y": out += "\(parts.tm_year + 1900)"
            case "y": out += two((parts.tm_year + 1900) % 100)
            case "b": out += String(months[Int(parts.tm_mon)].prefix(3))
            case "B": out += months[Int(parts.tm_mon)]
            case "a": out += String(days[Int(parts.tm_wday)].prefix(3))
            case "A": out += days[Int(parts.tm_wday)]
            case "H": out += two(parts.tm_hour)
            case "M": out += two(parts.tm_min)
            case "S": out += two(parts.tm_sec)
            case "j": let d = parts.tm_yday + 1; out += d < 10 ? "00\(d)" : d < 100 ? "0\(d)" : "\(d)"
            case "%": out += "%"
            default: out += "%" + String(spec)
            }
        }
        return out
    }

    // MARK: String helpers

    /// Python's strip family: whitespace by default, else any of the given characters.
    static func strip(_ s: String, chars: TemplateValue?, leading: Bool, trailing: Bool) -> String {
        let set: Set<Unicode.Scalar>?
        if case .string(let c)? = chars { set = Set(c.unicodeScalars) } else { set = nil }
        func strippable(_ u: Unicode.Scalar) -> Bool { set.map { $0.contains(u) } ?? u.properties.isWhitespace }
        var scalars = Substring(s).unicodeScalars
        if leading { while let f = scalars.first, strippable(f) { scalars.removeFirst() } }
        if trailing { while let l = scalars.last, strippable(l) { scalars.removeLast() } }
        return String(scalars)
    }

    static func capitalize(_ s: String) -> String {
        guard let first = s.first else { return s }
        return first.uppercased() + s.dropFirst().lowercased()
    }

    /// Python's str.title(): a cased letter after a non-letter starts a word.
    static func pythonTitle(_ s: String) -> String {
        var out = ""
        var previousIsLetter = false
        for c in s {
            out += previousIsLetter ? c.lowercased() : c.uppercased()
            previousIsLetter = c.isLetter
        }
        return out
    }

    /// Jinja's title filter: words start after whitespace, `-`, and opening brackets.
    static func jinjaTitle(_ s: String) -> String {
        var out = ""
        var atWordStart = true
        for c in s {
            let boundary = c.isWhitespace || "-({[<".contains(c)
            if boundary { out.append(c) } else { out += atWordStart ? c.uppercased() : c.lowercased() }
            atWordStart = boundary
        }
        return out
    }

    static func replace(_ s: String, _ old: String, _ new: String, count: TemplateValue?) -> String {
        var limit = -1
        if case .int(let n)? = count { limit = n }
        if old.isEmpty {
            // Python inserts `new` between every character (and at both ends).
            var out = new
            var inserted = 1
            for c in s {
                out.append(c)
                if limit < 0 || inserted < limit { out += new; inserted += 1 }
            }
            return limit == 0 ? s : out
        }
        let parts = split(s, old, maxSplit: limit, fromEnd: false)
        return parts.joined(separator: new)
    }

    /// Python's `s.split(sep, maxsplit)` (and rsplit), working on Unicode scalars so that
    /// separators such as "\n" never merge with neighbouring characters into one grapheme.
    static func split(_ s: String, _ separator: String, maxSplit: Int, fromEnd: Bool) -> [String] {
        let text = Array(s.unicodeScalars)
        let sep = Array(separator.unicodeScalars)
        var cuts: [Int] = []
        if !fromEnd {
            var i = 0
            while i + sep.count <= text.count, maxSplit < 0 || cuts.count < maxSplit {
                if text[i..<(i + sep.count)].elementsEqual(sep) { cuts.append(i); i += sep.count } else { i += 1 }
            }
        } else {
            var i = text.count - sep.count
            while i >= 0, maxSplit < 0 || cuts.count < maxSplit {
                if text[i..<(i + sep.count)].elementsEqual(sep) { cuts.insert(i, at: 0); i -= sep.count } else { i -= 1 }
            }
        }
        var parts: [String] = []
        var start = 0
        for cut in cuts {
            parts.append(String(String.UnicodeScalarView(text[start..<cut])))
            start = cut + sep.count
        }
        parts.append(String(String.UnicodeScalarView(text[start...])))
        return parts
    }

    /// Python's `s.split()` without a separator: runs of whitespace, no empty strings.
    static func splitWhitespace(_ s: String, maxSplit: Int) -> [String] {
        var parts: [String] = []
        var scalars = Substring(s).unicodeScalars
        while true {
            while let f = scalars.first, f.properties.isWhitespace { scalars.removeFirst() }
            if scalars.isEmpty { break }
            if maxSplit >= 0, parts.count == maxSplit {
                var rest = scalars
                while let l = rest.last, l.properties.isWhitespace { rest.removeLast() }
                parts.append(String(rest))
                break
            }
            let end = scalars.firstIndex(where: { $0.properties.isWhitespace }) ?? scalars.endIndex
            parts.append(String(scalars[..<end]))
            scalars = scalars[end...]
        }
        return parts
    }

    /// Python's str.format for `{}`, `{0}` and `{name}` fields (no format specs).
    private static func braceFormat(_ format: String, _ positional: [TemplateValue], _ keyword: [String: TemplateValue],
                                    at position: SourcePosition) throws(TemplateError) -> String {
        var out = ""
        var auto = 0
        var chars = Array(format)
        chars.append("\0")
        var i = 0
        while i < chars.count - 1 {
            let c = chars[i]
            if c == "{" && chars[i + 1] == "{" { out += "{"; i += 2; continue }
            if c == "}" && chars[i + 1] == "}" { out += "}"; i += 2; continue }
            guard c == "{" else { out.append(c); i += 1; continue }
            guard let close = chars[i...].firstIndex(of: "}") else { throw TemplateError("unmatched '{' in format", at: position) }
            let field = String(chars[(i + 1)..<close])
            let value: TemplateValue?
            if field.isEmpty { value = auto < positional.count ? positional[auto] : nil; auto += 1 }
            else if let n = Int(field) { value = n < positional.count ? positional[n] : nil }
            else { value = keyword[field] }
            guard let value else { throw TemplateError("missing format argument '\(field)'", at: position) }
            out += value.displayString
            i = close + 1
        }
        return out
    }
}
