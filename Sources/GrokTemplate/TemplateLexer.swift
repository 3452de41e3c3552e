/// A place in the template source, 1-based, for error messages.
struct SourcePosition: Sendable, CustomStringConvertible {
    var line: Int
    var column: Int
    var description: String { "line \(line), column \(column)" }
}

/// One lexical token. Text between tags is one `.text` token; inside `{{ }}` and `{% %}` come
/// names, literals and operators, bracketed by the begin/end markers.
struct Token: Sendable {
    enum Kind: Sendable, Equatable {
        case text(String)
        case variableBegin, variableEnd, blockBegin, blockEnd
        case name(String)
        case string(String)
        case int(Int)
        case float(Double)
        case op(String)
        case eof
    }
    var kind: Kind
    var position: SourcePosition
}

/// Splits a template into tokens with Hugging Face's environment settings: `trim_blocks`,
/// `lstrip_blocks`, and no trailing newline kept. The whitespace rules follow Jinja's lexer
/// exactly, since chat templates are written against them and one stray newline changes the
/// prompt the model sees.
struct TemplateLexer {
    private let source: [Unicode.Scalar]
    private var index = 0
    private var line = 1
    private var column = 1
    private var tokens: [Token] = []

    init(_ text: String) {
        // Jinja normalises newlines and drops one trailing newline before lexing.
        var normalized = text.replacingOccurrences("\r\n", with: "\n").replacingOccurrences("\r", with: "\n")
        if normalized.hasSuffix("\n") { normalized.removeLast() }
        source = Array(normalized.unicodeScalars)
    }

    static func tokenize(_ text: String) throws(TemplateError) -> [Token] {
        var lexer = TemplateLexer(text)
        try lexer.run()
        return lexer.tokens
    }

    private var position: SourcePosition { SourcePosition(line: line, column: column) }

    private func peek(_ offset: Int = 0) -> Unicode.Scalar? {
        index + offset < source.count ? source[index + offset] : nil
    }

    private func starts(with text: String, at start: Int) -> Bool {
        var i = start
        for scalar in text.unicodeScalars {
            guard i < source.count, source[i] == scalar else { return false }
            i += 1
        }
        return true
    }

    private mutating func advance(_ count: Int = 1) {
        for _ in 0..<count where index < source.count {
            if source[index] == "\n" { line += 1; column = 1 } else { column += 1 }
            index += 1
        }
    }

    private static func isSpace(_ s: Unicode.Scalar) -> Bool { s == " " || s == "\t" || s == "\n" || s == "\r" || s == "\u{0B}" || s == "\u{0C}" }

    private mutating func run() throws(TemplateError) {
        // Whether the last tag end consumed a newline (or we are at the start): lstrip_blocks
        // then also strips indentation that has no newline of its own in the text before a tag.
        var lineStarting = true
        while index < source.count {
            // Find the next tag opening.
            var j = index
            var tagKind: Unicode.Scalar? = nil
            while j + 1 < source.count {
                if source[j] == "{", source[j + 1] == "{" || source[j + 1] == "%" || source[j + 1] == "#" {
                    tagKind = source[j + 1]
                    break
                }
                j += 1
            }
            let textEnd = tagKind == nil ? source.count : j
            var text = String(String.UnicodeScalarView(source[index..<textEnd]))
            if let tagKind {
                let modifier = textEnd + 2 < source.count ? source[textEnd + 2] : nil
                if modifier == "-" {
                    while let last = text.unicodeScalars.last, TemplateLexer.isSpace(last) { text.unicodeScalars.removeLast() }
                } else if modifier != "+", tagKind != "{" {
                    // lstrip_blocks: drop spaces and tabs between the line start and a block or comment tag.
                    let scalars = Array(text.unicodeScalars)
                    let lineStart = (scalars.lastIndex(of: "\n").map { $0 + 1 }) ?? 0
                    if (lineStart > 0 || lineStarting) && lineStart < scalars.count
                        && scalars[lineStart...].allSatisfy(TemplateLexer.isSpace)
                    {
                        text = String(String.UnicodeScalarView(scalars[..<lineStart]))
                    }
                }
            }
            let textPosition = position
            advance(textEnd - index)
            if !text.isEmpty { tokens.append(Token(kind: .text(text), position: textPosition)) }
            guard let tagKind else { break }

            let tagPosition = position
            let hasModifier = peek(2) == "-" || peek(2) == "+"
            advance(hasModifier ? 3 : 2)
            switch tagKind {
            case "#":
                // A comment runs to the first `#}`.
                var k = index
                while k + 1 < source.count, !(source[k] == "#" && source[k + 1] == "}") { k += 1 }
                guard k + 1 < source.count else { throw TemplateError("unterminated comment", at: tagPosition) }
                let strip = k > index && source[k - 1] == "-"
                let keep = k > index && source[k - 1] == "+"
                advance(k + 2 - index)
                lineStarting = finishTag(strip: strip, trim: !keep)
            case "{":
                tokens.append(Token(kind: .variableBegin, position: tagPosition))
                let (strip, _) = try lexExpression(end: "}}", opened: tagPosition)
                lineStarting = finishTag(strip: strip, trim: false)
            default:
                if try lexRaw() { lineStarting = false; continue }
                tokens.append(Token(kind: .blockBegin, position: tagPosition))
                let (strip, keep) = try lexExpression(end: "%}", opened: tagPosition)
                lineStarting = finishTag(strip: strip, trim: !keep)
            }
        }
        tokens.append(Token(kind: .eof, position: position))
    }

    /// After a tag's end delimiter: `-` consumes all following whitespace, trim_blocks one
    /// newline. Returns whether the consumed input ended with a newline.
    private mutating func finishTag(strip: Bool, trim: Bool) -> Bool {
        if strip {
            // Jinja's `-%}\s*` consumes the whitespace itself, so lineStarting depends on it.
            var k = index
            while k < source.count, TemplateLexer.isSpace(source[k]) { k += 1 }
            let endsWithNewline = k > index && source[k - 1] == "\n"
            advance(k - index)
            return endsWithNewline
        }
        if trim, peek() == "\n" {
            advance()
            return true
        }
        return false
    }

    /// `{% raw %}…{% endraw %}`: the content is text, tags and all. Called just after `{%`;
    /// returns false (consuming nothing) when the tag is not `raw`.
    private mutating func lexRaw() throws(TemplateError) -> Bool {
        var k = index
        while k < source.count, TemplateLexer.isSpace(source[k]) { k += 1 }
        guard starts(with: "raw", at: k) else { return false }
        k += 3
        while k < source.count, TemplateLexer.isSpace(source[k]) { k += 1 }
        let strip = k < source.count && source[k] == "-"
        if strip || (k < source.count && source[k] == "+") { k += 1 }
        guard starts(with: "%}", at: k) else { return false }
        let start = position
        advance(k + 2 - index)
        _ = finishTag(strip: strip, trim: true)
        // Find `{%[-+]? endraw [-+]?%}`.
        var j = index
        while j + 1 < source.count {
            if source[j] == "{", source[j + 1] == "%" {
                var m = j + 2
                let stripBefore = m < source.count && source[m] == "-"
                if m < source.count, source[m] == "-" || source[m] == "+" { m += 1 }
                while m < source.count, TemplateLexer.isSpace(source[m]) { m += 1 }
                if starts(with: "endraw", at: m) {
                    m += 6
                    while m < source.count, TemplateLexer.isSpace(source[m]) { m += 1 }
                    let stripAfter = m < source.count && source[m] == "-"
                    if m < source.count, source[m] == "-" || source[m] == "+" { m += 1 }
                    if starts(with: "%}", at: m) {
                        var text = String(String.UnicodeScalarView(source[index..<j]))
                        if stripBefore { while let l = text.unicodeScalars.last, TemplateLexer.isSpace(l) { text.unicodeScalars.removeLast() } }
                        if !text.isEmpty { tokens.append(Token(kind: .text(text), position: position)) }
                        advance(m + 2 - index)
                        _ = finishTag(strip: stripAfter, trim: true)
                        return true
                    }
                }
            }
            j += 1
        }
        throw TemplateError("missing '{% endraw %}'", at: start)
    }

    /// Lexes names, literals and operators up to the end delimiter at bracket depth zero.
    /// Returns whether the end had a `-` (strip) or `+` (keep) modifier.
    private mutating func lexExpression(end: String, opened: SourcePosition) throws(TemplateError) -> (Bool, Bool) {
        var depth = 0
        while true {
            while let c = peek(), TemplateLexer.isSpace(c) { advance() }
            guard let c = peek() else {
                throw TemplateError("unexpected end of template, expected '\(end)'", at: opened)
            }
            let start = position
            if depth == 0 {
                if starts(with: end, at: index) {
                    advance(2)
                    tokens.append(Token(kind: end == "}}" ? .variableEnd : .blockEnd, position: start))
                    return (false, false)
                }
                if (c == "-" || c == "+"), starts(with: end, at: index + 1) {
                    advance(3)
                    tokens.append(Token(kind: end == "}}" ? .variableEnd : .blockEnd, position: start))
                    return (c == "-", c == "+")
                }
            }
            if c == "_" || c.properties.isAlphabetic {
                var name = String.UnicodeScalarView()
                while let d = peek(), d == "_" || d.properties.isAlphabetic || ("0"..."9").contains(d) {
                    name.append(d)
                    advance()
                }
                tokens.append(Token(kind: .name(String(name)), position: start))
            } else if ("0"..."9").contains(c) {
                tokens.append(Token(kind: lexNumber(), position: start))
            } else if c == "'" || c == "\"" {
                tokens.append(Token(kind: .string(try lexString(quote: c, start: start)), position: start))
            } else {
                let two = peek(1).map { String(c) + String($0) } ?? ""
                let op: String
                if ["**", "//", "==", "!=", "<=", ">="].contains(two) {
                    op = two
                } else if "+-*/%~<>=.,:|()[]{}".unicodeScalars.contains(c) {
                    op = String(c)
                } else {
                    throw TemplateError("unexpected character '\(c)'", at: start)
                }
                if op == "(" || op == "[" || op == "{" { depth += 1 }
                if op == ")" || op == "]" || op == "}" { depth = max(0, depth - 1) }
                advance(op.unicodeScalars.count)
                tokens.append(Token(kind: .op(op), position: start))
            }
        }
    }

    private mutating func lexNumber() -> Token.Kind {
        var digits = ""
        func isDigit(_ s: Unicode.Scalar?) -> Bool { s.map { ("0"..."9").contains($0) } ?? false }
        while let d = peek(), isDigit(d) || d == "_" { if d != "_" { digits.unicodeScalars.append(d) }; advance() }
        var isFloat = false
        // A dot starts a fraction only when a digit follows (`foo.0.bar` is attribute access).
        if peek() == ".", isDigit(peek(1)), tokens.last?.kind != .op(".") {
            isFloat = true
            digits += "."
            advance()
            while let d = peek(), isDigit(d) || d == "_" { if d != "_" { digits.unicodeScalars.append(d) }; advance() }
        }
        if peek() == "e" || peek() == "E", isDigit(peek(1)) || ((peek(1) == "+" || peek(1) == "-") && isDigit(peek(2))) {
            isFloat = true
            digits += "e"
            advance()
            if let s = peek(), s == "+" || s == "-" { digits.unicodeScalars.append(s); advance() }
            while let d = peek(), isDigit(d) { digits.unicodeScalars.append(d); advance() }
        }
        if isFloat { return .float(Double(digits) ?? 0) }
        return Int(digits).map { .int($0) } ?? .float(Double(digits) ?? 0)
    }

    /// A quoted string with Python's backslash escapes; unknown escapes stay as written.
    private mutating func lexString(quote: Unicode.Scalar, start: SourcePosition) throws(TemplateError) -> String {
        advance()
        var out = String.UnicodeScalarView()
        while true {
            guard let c = peek() else { throw TemplateError("unterminated string", at: start) }
            advance()
            if c == quote { break }
            guard c == "\\" else { out.append(c); continue }
            guard let e = peek() else { throw TemplateError("unterminated string", at: start) }
            advance()
            switch e {
            case "n": out.append("\n")
            case "t": out.append("\t")
            case "r": out.append("\r")
            case "\\": out.append("\\")
            case "'": out.append("'")
            case "\"": out.append("\"")
            case "0": out.append("\0")
            case "a": out.append("\u{07}")
            case "b": out.append("\u{08}")
            case "f": out.append("\u{0C}")
            case "v": out.append("\u{0B}")
            case "\n": break  // a backslash-newline continues the line
            case "x", "u", "U":
                let width = e == "x" ? 2 : e == "u" ? 4 : 8
                var hex = ""
                for _ in 0..<width { if let h = peek(), h.properties.isASCIIHexDigit { hex.unicodeScalars.append(h); advance() } }
                if hex.count == width, let v = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(v) {
                    out.append(scalar)
                } else {
                    throw TemplateError("invalid \\\(e) escape in string", at: start)
                }
            default:
                out.append("\\")
                out.append(e)
            }
        }
        return String(out)
    }
}

extension String {
    /// Replaces every occurrence of `target` (no Foundation needed).
    func replacingOccurrences(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty, contains(target) else { return self }
        return split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
