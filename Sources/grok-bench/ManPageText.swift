import Foundation

/// A man page's troff source as Markdown text: `.SH`/`.SS` become headings, paragraph and list
/// requests become blank lines, font requests and escapes are dropped, the rest of the
/// formatting requests are left out. Enough to index the words a reader sees; not a renderer.
enum ManPageText {
    static func markdown(_ troff: String) -> String {
        var out: [String] = []
        for raw in troff.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = String(raw)
            guard line.hasPrefix(".") || line.hasPrefix("'") else {
                out.append(clean(line))
                continue
            }
            let parts = line.dropFirst().split(separator: " ", maxSplits: 1)
            let request = parts.first.map(String.init) ?? ""
            let argument = parts.count > 1 ? String(parts[1]) : ""
            switch request {
            case "TH": out.append("# " + arguments(argument).prefix(2).joined(separator: "(") + ")")
            case "SH": out += ["", "## " + clean(arguments(argument).joined(separator: " ")), ""]
            case "SS": out += ["", "### " + clean(arguments(argument).joined(separator: " ")), ""]
            case "PP", "P", "LP", "sp", "TP", "HP": out.append("")
            case "IP": out += ["", clean(arguments(argument).first ?? "")]
            case "B", "I", "SM", "SB": out.append(clean(arguments(argument).joined(separator: " ")))
            case "BR", "BI", "IR", "IB", "RB", "RI": out.append(clean(arguments(argument).joined()))
            default: continue  // comments, spacing, macros, tables: nothing a reader sees as words
            }
        }
        return out.joined(separator: "\n").replacingOccurrences(of: "\n\n\n+", with: "\n\n", options: .regularExpression)
    }

    /// A request's arguments: words, or "quoted phrases".
    static func arguments(_ text: String) -> [String] {
        var result: [String] = []
        var current = ""
        var quoted = false
        for character in text {
            if character == "\"" {
                quoted.toggle()
            } else if character == " " && !quoted {
                if !current.isEmpty { result.append(current) }
                current = ""
            } else {
                current.append(character)
            }
        }
        if !current.isEmpty { result.append(current) }
        return result
    }

    /// The text without troff escapes: fonts and sizes dropped, the common glyphs written out.
    static func clean(_ text: String) -> String {
        var text = text
        let glyphs = [("\\(em", "—"), ("\\(en", "–"), ("\\(aq", "'"), ("\\(lq", "\""), ("\\(rq", "\""), ("\\(bu", "•"),
                      ("\\(co", "©"), ("\\-", "-"), ("\\e", "\\"), ("\\&", ""), ("\\|", ""), ("\\^", ""), ("\\~", " "), ("\\ ", " ")]
        for (escape, glyph) in glyphs { text = text.replacingOccurrences(of: escape, with: glyph) }
        for pattern in [#"\\f(\[[^\]]*\]|\(..|.)"#, #"\\s[-+]?\d"#, #"\\\*(\(..|\[[^\]]*\]|.)"#, #"\\\(.."#, #"\\."#] {
            text = text.replacingOccurrences(of: pattern, with: "", options: .regularExpression)
        }
        return text
    }
}
