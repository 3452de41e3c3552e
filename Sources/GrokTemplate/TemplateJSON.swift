/// `tojson` as Hugging Face defines it: Python's `json.dumps(x, ensure_ascii=False, indent=…,
/// separators=…, sort_keys=…)`. Models were trained on prompts made this way, so the spacing
/// (`", "` and `": "` by default, `","` between items once `indent` is given) matters.
struct TemplateJSON {
    var indent: String?
    var itemSeparator: String
    var keySeparator: String
    var sortKeys: Bool
    var ensureASCII: Bool

    init(indent: TemplateValue, separators: TemplateValue, sortKeys: Bool, ensureASCII: Bool = false) {
        self.ensureASCII = ensureASCII
        switch indent {
        case .int(let n): self.indent = String(repeating: " ", count: max(0, n))
        case .string(let s): self.indent = s
        default: self.indent = nil
        }
        if case .list(let parts) = separators, parts.count == 2,
           case .string(let item) = parts[0], case .string(let key) = parts[1] {
            itemSeparator = item
            keySeparator = key
        } else {
            itemSeparator = self.indent == nil ? ", " : ","
            keySeparator = ": "
        }
        self.sortKeys = sortKeys
    }

    func encode(_ value: TemplateValue, at position: SourcePosition?) throws(TemplateError) -> String {
        var out = ""
        try write(value, level: 0, into: &out, at: position)
        return out
    }

    private func newline(_ level: Int, into out: inout String) {
        guard let indent else { return }
        out += "\n"
        for _ in 0..<level { out += indent }
    }

    private func write(_ value: TemplateValue, level: Int, into out: inout String, at position: SourcePosition?) throws(TemplateError) {
        switch value {
        case .undefined:
            throw TemplateError("Object of type Undefined is not JSON serializable", at: position)
        case .none: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d):
            if d.isNaN { out += "NaN" } else if d.isInfinite { out += d < 0 ? "-Infinity" : "Infinity" } else { out += TemplateValue.pythonFloat(d) }
        case .string(let s): TemplateJSON.writeString(s, ascii: ensureASCII, into: &out)
        case .list(let items):
            if items.isEmpty { out += "[]"; return }
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += itemSeparator }
                newline(level + 1, into: &out)
                try write(item, level: level + 1, into: &out, at: position)
            }
            newline(level, into: &out)
            out += "]"
        case .dictionary(let d):
            if d.isEmpty { out += "{}"; return }
            out += "{"
            let keys = sortKeys ? d.keys.sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) } : d.keys
            for (i, key) in keys.enumerated() {
                if i > 0 { out += itemSeparator }
                newline(level + 1, into: &out)
                TemplateJSON.writeString(key, ascii: ensureASCII, into: &out)
                out += keySeparator
                try write(d[key]!, level: level + 1, into: &out, at: position)
            }
            newline(level, into: &out)
            out += "}"
        }
    }

    /// With ensure_ascii=False only quotes, backslashes and control characters are escaped;
    /// with True everything past ASCII becomes `\uXXXX` (UTF-16 units, as Python writes them).
    static func writeString(_ s: String, ascii: Bool = false, into out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 || (ascii && scalar.value > 0x7e) {
                    for unit in String(scalar).utf16 { out += "\\u" + TemplateValue.hex(UInt32(unit), width: 4) }
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}
