#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Python's arithmetic, comparison, subscript and slice semantics on template values.
enum TemplateOperators {
    static func power(_ a: Double, _ b: Double) -> Double { pow(a, b) }

    static func unary(_ op: String, _ value: TemplateValue, at position: SourcePosition) throws(TemplateError) -> TemplateValue {
        switch (op, value) {
        case ("not", _): return .bool(!value.isTruthy)
        case ("-", .int(let i)): return .int(-i)
        case ("-", .double(let d)): return .double(-d)
        case ("-", .bool(let b)): return .int(b ? -1 : 0)
        case ("+", .int), ("+", .double): return value
        default: throw TemplateError("bad operand type for unary \(op): '\(value.typeName)'", at: position)
        }
    }

    /// A number as Double when either side is a float; nil for non-numbers.
    private static func numbers(_ a: TemplateValue, _ b: TemplateValue) -> (Int, Int)? {
        switch (a, b) {
        case (.int(let x), .int(let y)): return (x, y)
        case (.bool(let x), .int(let y)): return (x ? 1 : 0, y)
        case (.int(let x), .bool(let y)): return (x, y ? 1 : 0)
        default: return nil
        }
    }

    static func double(_ v: TemplateValue) -> Double? {
        switch v {
        case .int(let i): return Double(i)
        case .double(let d): return d
        case .bool(let b): return b ? 1 : 0
        default: return nil
        }
    }

    static func binary(_ op: String, _ l: TemplateValue, _ r: TemplateValue, at position: SourcePosition) throws(TemplateError) -> TemplateValue {
        if op == "~" { return .string(l.displayString + r.displayString) }
        let ints = numbers(l, r)
        let doubles = double(l).flatMap { a in double(r).map { (a, $0) } }
        switch op {
        case "+":
            if let (a, b) = ints { return .int(a &+ b) }
            if let (a, b) = doubles { return .double(a + b) }
            if case .string(let a) = l, case .string(let b) = r { return .string(a + b) }
            if case .list(let a) = l, case .list(let b) = r { return .list(a + b) }
        case "-":
            if let (a, b) = ints { return .int(a &- b) }
            if let (a, b) = doubles { return .double(a - b) }
        case "*":
            if let (a, b) = ints { return .int(a &* b) }
            if let (a, b) = doubles { return .double(a * b) }
            if case .string(let s) = l, case .int(let n) = r { return .string(String(repeating: s, count: max(0, n))) }
            if case .int(let n) = l, case .string(let s) = r { return .string(String(repeating: s, count: max(0, n))) }
            if case .list(let a) = l, case .int(let n) = r { return .list(Array((0..<max(0, n)).map { _ in a }.joined())) }
        case "/":
            if let (a, b) = doubles {
                guard b != 0 else { throw TemplateError("division by zero", at: position) }
                return .double(a / b)
            }
        case "//":
            if let (a, b) = ints {
                guard b != 0 else { throw TemplateError("integer division or modulo by zero", at: position) }
                let q = a / b
                return .int((a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q)
            }
            if let (a, b) = doubles {
                guard b != 0 else { throw TemplateError("float floor division by zero", at: position) }
                return .double((a / b).rounded(.down))
            }
        case "%":
            if let (a, b) = ints {
                guard b != 0 else { throw TemplateError("integer division or modulo by zero", at: position) }
                let m = a % b
                return .int(m != 0 && (m < 0) != (b < 0) ? m + b : m)
            }
            if let (a, b) = doubles {
                guard b != 0 else { throw TemplateError("float modulo", at: position) }
                let m = a.truncatingRemainder(dividingBy: b)
                return .double(m != 0 && (m < 0) != (b < 0) ? m + b : m)
            }
        case "**":
            if let (a, b) = ints, b >= 0 {
                var result = 1
                for _ in 0..<b { result = result &* a }
                return .int(result)
            }
            if let (a, b) = doubles { return .double(TemplateOperators.power(a, b)) }
        default:
            break
        }
        throw TemplateError("unsupported operand type(s) for \(op): '\(l.typeName)' and '\(r.typeName)'", at: position)
    }

    static func compare(_ op: String, _ l: TemplateValue, _ r: TemplateValue, at position: SourcePosition) throws(TemplateError) -> Bool {
        switch op {
        case "==": return l == r
        case "!=": return l != r
        case "in": return try contains(r, l, at: position)
        case "not in": return try !contains(r, l, at: position)
        default: break
        }
        guard let order = try ordering(l, r, at: position) else {
            throw TemplateError("'\(op)' not supported between instances of '\(l.typeName)' and '\(r.typeName)'", at: position)
        }
        switch op {
        case "<": return order < 0
        case ">": return order > 0
        case "<=": return order <= 0
        default: return order >= 0
        }
    }

    /// -1, 0 or 1 as Python orders numbers, strings (by code point) and lists; nil if unordered.
    static func ordering(_ l: TemplateValue, _ r: TemplateValue, at position: SourcePosition?) throws(TemplateError) -> Int? {
        if let (a, b) = numbers(l, r) { return a < b ? -1 : a > b ? 1 : 0 }
        if let a = double(l), let b = double(r) { return a < b ? -1 : a > b ? 1 : 0 }
        if case .string(let a) = l, case .string(let b) = r {
            return a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars) ? -1 : a == b ? 0 : 1
        }
        if case .list(let a) = l, case .list(let b) = r {
            for (x, y) in zip(a, b) where x != y { return try ordering(x, y, at: position) }
            return a.count < b.count ? -1 : a.count > b.count ? 1 : 0
        }
        return nil
    }

    static func contains(_ container: TemplateValue, _ item: TemplateValue, at position: SourcePosition) throws(TemplateError) -> Bool {
        switch container {
        case .list(let items): return items.contains(item)
        case .dictionary(let d):
            if case .string(let key) = item { return d[key] != nil }
            return false
        case .string(let s):
            guard case .string(let needle) = item else {
                throw TemplateError("'in <string>' requires string as left operand, not \(item.typeName)", at: position)
            }
            return needle.isEmpty || s.contains(needle)
        case .undefined: return false
        default: throw TemplateError("argument of type '\(container.typeName)' is not iterable", at: position)
        }
    }

    static func subscriptValue(_ base: TemplateValue, _ key: TemplateValue, at position: SourcePosition) throws(TemplateError) -> TemplateValue {
        switch (base, key) {
        case (.dictionary(let d), .string(let k)): return d[k] ?? .undefined
        case (.list(let items), .int(let i)):
            let j = i < 0 ? items.count + i : i
            return items.indices.contains(j) ? items[j] : .undefined
        case (.string(let s), .int(let i)):
            // Python indexes code points, not grapheme clusters ("\r\n" is two).
            let chars = Array(s.unicodeScalars)
            let j = i < 0 ? chars.count + i : i
            return chars.indices.contains(j) ? .string(String(chars[j])) : .undefined
        default:
            // Jinja turns failed lookups into undefined rather than errors.
            return .undefined
        }
    }

    static func slice(_ base: TemplateValue, start: TemplateValue?, stop: TemplateValue?, step: TemplateValue?, at position: SourcePosition) throws(TemplateError) -> TemplateValue {
        func int(_ v: TemplateValue?) throws(TemplateError) -> Int? {
            switch v {
            case nil, .none?: return nil
            case .int(let i)?: return i
            default: throw TemplateError("slice indices must be integers or None", at: position)
            }
        }
        let stepValue = try int(step) ?? 1
        guard stepValue != 0 else { throw TemplateError("slice step cannot be zero", at: position) }
        func indices(_ count: Int) throws(TemplateError) -> [Int] {
            // Python's slice.indices(): clamp, then walk by step.
            func clamp(_ v: Int?, _ defaultValue: Int) -> Int {
                guard var i = v else { return defaultValue }
                if i < 0 { i += count }
                if stepValue > 0 { return min(max(i, 0), count) }
                return min(max(i, -1), count - 1)
            }
            let lo = clamp(try int(start), stepValue > 0 ? 0 : count - 1)
            let hi = clamp(try int(stop), stepValue > 0 ? count : -1)
            return Array(stride(from: lo, to: hi, by: stepValue))
        }
        switch base {
        case .list(let items): return .list(try indices(items.count).map { items[$0] })
        case .string(let s):
            let chars = Array(s.unicodeScalars)
            return .string(String(String.UnicodeScalarView(try indices(chars.count).map { chars[$0] })))
        case .undefined: return .undefined
        default: throw TemplateError("'\(base.typeName)' object is not subscriptable", at: position)
        }
    }
}
