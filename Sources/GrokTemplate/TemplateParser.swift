/// A recursive-descent parser over the lexer's tokens, with Jinja's operator precedence
/// (lowest first): `a if b else c`, `or`, `and`, `not`, comparisons, `+ -`, `~`, `* / // %`,
/// `**`, unary minus, then postfix access, filters and tests.
struct TemplateParser {
    private let tokens: [Token]
    private var index = 0

    init(tokens: [Token]) { self.tokens = tokens }

    static func parse(_ source: String) throws(TemplateError) -> [Node] {
        var parser = TemplateParser(tokens: try TemplateLexer.tokenize(source))
        let (nodes, end) = try parser.parseNodes(until: [])
        if let end { throw TemplateError("unexpected '\(end.name)'", at: end.position) }
        return nodes
    }

    // MARK: Token helpers

    private var current: Token { tokens[index] }
    private var position: SourcePosition { current.position }

    private mutating func next() -> Token {
        let token = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return token
    }

    private func isOp(_ op: String, offset: Int = 0) -> Bool {
        index + offset < tokens.count && tokens[index + offset].kind == .op(op)
    }

    private func isName(_ name: String, offset: Int = 0) -> Bool {
        index + offset < tokens.count && tokens[index + offset].kind == .name(name)
    }

    private mutating func skipOp(_ op: String) -> Bool {
        if isOp(op) { index += 1; return true }
        return false
    }

    private mutating func skipName(_ name: String) -> Bool {
        if isName(name) { index += 1; return true }
        return false
    }

    private mutating func expectOp(_ op: String) throws(TemplateError) {
        guard skipOp(op) else { throw unexpected("expected '\(op)'") }
    }

    private mutating func expectName() throws(TemplateError) -> String {
        if case .name(let name) = current.kind { index += 1; return name }
        throw unexpected("expected a name")
    }

    private mutating func expectBlockEnd() throws(TemplateError) {
        guard current.kind == .blockEnd else { throw unexpected("expected '%}'") }
        index += 1
    }

    private func describe(_ kind: Token.Kind) -> String {
        switch kind {
        case .text: return "text"
        case .variableBegin: return "'{{'"
        case .variableEnd: return "'}}'"
        case .blockBegin: return "'{%'"
        case .blockEnd: return "'%}'"
        case .name(let n): return "'\(n)'"
        case .string(let s): return "string '\(s)'"
        case .int(let i): return "'\(i)'"
        case .float(let d): return "'\(d)'"
        case .op(let o): return "'\(o)'"
        case .eof: return "end of template"
        }
    }

    private func unexpected(_ message: String) -> TemplateError {
        TemplateError("\(message), found \(describe(current.kind))", at: position)
    }

    // MARK: Statements

    /// Parses nodes until a block tag whose keyword is in `ends` (consumed with its keyword;
    /// the caller reads the rest of that tag), or the end of input when `ends` is empty.
    private mutating func parseNodes(until ends: Set<String>) throws(TemplateError) -> ([Node], (name: String, position: SourcePosition)?) {
        var nodes: [Node] = []
        while true {
            let token = current
            switch token.kind {
            case .eof:
                if !ends.isEmpty {
                    throw TemplateError("unexpected end of template, expected one of: " + ends.sorted().joined(separator: ", "), at: token.position)
                }
                return (nodes, nil)
            case .text(let text):
                index += 1
                nodes.append(.text(text))
            case .variableBegin:
                index += 1
                let expression = try parseTupleOrExpression()
                guard current.kind == .variableEnd else { throw unexpected("expected '}}'") }
                index += 1
                nodes.append(.output(expression))
            case .blockBegin:
                index += 1
                let keywordPosition = position
                let keyword = try expectName()
                if ends.contains(keyword) { return (nodes, (keyword, keywordPosition)) }
                if let node = try parseStatement(keyword, at: keywordPosition) { nodes.append(contentsOf: node) }
            default:
                throw unexpected("unexpected token")
            }
        }
    }

    private mutating func parseStatement(_ keyword: String, at start: SourcePosition) throws(TemplateError) -> [Node]? {
        switch keyword {
        case "if": return [try parseIf()]
        case "for": return [try parseFor(at: start)]
        case "set": return [try parseSet(at: start)]
        case "macro": return [try parseMacro()]
        case "filter":
            let name = try expectName()
            let arguments = isOp("(") ? try parseArguments() : Arguments()
            try expectBlockEnd()
            let (body, _) = try parseNodes(until: ["endfilter"])
            try expectBlockEnd()
            return [.filterBlock(name, arguments, body, start)]
        case "call":
            var parameters: [(name: String, defaultValue: Expression?)] = []
            if isOp("(") { parameters = try parseParameters() }
            let expression = try parseExpression()
            guard case .call = expression else { throw TemplateError("expected a macro call after 'call'", at: start) }
            try expectBlockEnd()
            let (body, _) = try parseNodes(until: ["endcall"])
            try expectBlockEnd()
            return [.callBlock(caller: Macro(name: "caller", parameters: parameters, body: body), expression, start)]
        case "break": try expectBlockEnd(); return [.breakLoop]
        case "continue": try expectBlockEnd(); return [.continueLoop]
        case "generation":
            // Hugging Face's marker for assistant-token masks; it renders its body unchanged.
            try expectBlockEnd()
            let (body, _) = try parseNodes(until: ["endgeneration"])
            try expectBlockEnd()
            return body
        case _ where keyword.hasPrefix("end") || keyword == "elif" || keyword == "else":
            // A closing tag with nothing open (or the wrong thing open).
            throw TemplateError("unexpected '\(keyword)'", at: start)
        default:
            throw TemplateError("unknown or unsupported tag '\(keyword)'", at: start)
        }
    }

    private mutating func parseIf() throws(TemplateError) -> Node {
        var branches: [(condition: Expression, body: [Node])] = []
        var condition = try parseExpression()
        try expectBlockEnd()
        while true {
            let (body, end) = try parseNodes(until: ["elif", "else", "endif"])
            branches.append((condition, body))
            switch end!.name {
            case "elif":
                condition = try parseExpression()
                try expectBlockEnd()
            case "else":
                try expectBlockEnd()
                let (elseBody, _) = try parseNodes(until: ["endif"])
                try expectBlockEnd()
                return .ifBlock(branches: branches, elseBody: elseBody)
            default:
                try expectBlockEnd()
                return .ifBlock(branches: branches, elseBody: [])
            }
        }
    }

    private mutating func parseFor(at start: SourcePosition) throws(TemplateError) -> Node {
        var targets: [String] = []
        let parenthesized = skipOp("(")
        repeat { targets.append(try expectName()) } while skipOp(",")
        if parenthesized { try expectOp(")") }
        guard skipName("in") else { throw unexpected("expected 'in'") }
        // No conditional expression here: a trailing `if` filters the loop instead.
        let iterable = try parseOr()
        var condition: Expression? = nil
        if skipName("if") { condition = try parseExpression() }
        if skipName("recursive") { throw TemplateError("recursive loops are not supported", at: start) }
        try expectBlockEnd()
        let (body, end) = try parseNodes(until: ["else", "endfor"])
        var elseBody: [Node] = []
        try expectBlockEnd()
        if end!.name == "else" {
            (elseBody, _) = try parseNodes(until: ["endfor"])
            try expectBlockEnd()
        }
        return .forLoop(ForLoop(targets: targets, iterable: iterable, condition: condition, body: body, elseBody: elseBody, position: start))
    }

    private mutating func parseSet(at start: SourcePosition) throws(TemplateError) -> Node {
        let name = try expectName()
        if skipOp(".") {
            let attribute = try expectName()
            try expectOp("=")
            let value = try parseTupleOrExpression()
            try expectBlockEnd()
            return .setAttribute(name: name, attribute: attribute, value, start)
        }
        var targets = [name]
        while skipOp(",") { targets.append(try expectName()) }
        if targets.count == 1, current.kind == .blockEnd {
            index += 1
            let (body, _) = try parseNodes(until: ["endset"])
            try expectBlockEnd()
            return .setBlock(name, body)
        }
        try expectOp("=")
        let value = try parseTupleOrExpression()
        try expectBlockEnd()
        return .set(targets: targets, value, start)
    }

    private mutating func parseMacro() throws(TemplateError) -> Node {
        let name = try expectName()
        let parameters = try parseParameters()
        try expectBlockEnd()
        let (body, _) = try parseNodes(until: ["endmacro"])
        if case .name = current.kind { index += 1 }  // `{% endmacro name %}`
        try expectBlockEnd()
        return .macro(Macro(name: name, parameters: parameters, body: body))
    }

    /// `(a, b=default, …)` of a macro or call block.
    private mutating func parseParameters() throws(TemplateError) -> [(name: String, defaultValue: Expression?)] {
        try expectOp("(")
        var parameters: [(name: String, defaultValue: Expression?)] = []
        while !isOp(")") {
            let parameter = try expectName()
            let defaultValue: Expression? = skipOp("=") ? try parseExpression() : nil
            parameters.append((parameter, defaultValue))
            if !skipOp(",") { break }
        }
        try expectOp(")")
        return parameters
    }

    // MARK: Expressions

    /// An expression, or an implicit tuple `a, b` as Jinja allows in `{{ }}` and `set`.
    private mutating func parseTupleOrExpression() throws(TemplateError) -> Expression {
        let first = try parseExpression()
        guard isOp(",") else { return first }
        var items = [first]
        while skipOp(",") {
            if current.kind == .blockEnd || current.kind == .variableEnd { break }
            items.append(try parseExpression())
        }
        return .tuple(items)
    }

    mutating func parseExpression() throws(TemplateError) -> Expression {
        let value = try parseOr()
        guard skipName("if") else { return value }
        let condition = try parseOr()
        let otherwise: Expression? = skipName("else") ? try parseExpression() : nil
        return .conditional(condition: condition, then: value, otherwise: otherwise)
    }

    private mutating func parseOr() throws(TemplateError) -> Expression {
        var left = try parseAnd()
        while isName("or") {
            let at = position
            index += 1
            left = .binary("or", left, try parseAnd(), at)
        }
        return left
    }

    private mutating func parseAnd() throws(TemplateError) -> Expression {
        var left = try parseNot()
        while isName("and") {
            let at = position
            index += 1
            left = .binary("and", left, try parseNot(), at)
        }
        return left
    }

    private mutating func parseNot() throws(TemplateError) -> Expression {
        if isName("not") {
            let at = position
            index += 1
            return .unary("not", try parseNot(), at)
        }
        return try parseCompare()
    }

    private mutating func parseCompare() throws(TemplateError) -> Expression {
        let at = position
        let left = try parseMath1()
        var operations: [(op: String, operand: Expression)] = []
        while true {
            if case .op(let op) = current.kind, ["==", "!=", "<", ">", "<=", ">="].contains(op) {
                index += 1
                operations.append((op, try parseMath1()))
            } else if isName("in") {
                index += 1
                operations.append(("in", try parseMath1()))
            } else if isName("not"), isName("in", offset: 1) {
                index += 2
                operations.append(("not in", try parseMath1()))
            } else {
                break
            }
        }
        return operations.isEmpty ? left : .compare(left, operations, at)
    }

    private mutating func parseMath1() throws(TemplateError) -> Expression {
        var left = try parseConcat()
        while case .op(let op) = current.kind, op == "+" || op == "-" {
            let at = position
            index += 1
            left = .binary(op, left, try parseConcat(), at)
        }
        return left
    }

    private mutating func parseConcat() throws(TemplateError) -> Expression {
        var left = try parseMath2()
        while isOp("~") {
            let at = position
            index += 1
            left = .binary("~", left, try parseMath2(), at)
        }
        return left
    }

    private mutating func parseMath2() throws(TemplateError) -> Expression {
        var left = try parsePow()
        while case .op(let op) = current.kind, ["*", "/", "//", "%"].contains(op) {
            let at = position
            index += 1
            left = .binary(op, left, try parsePow(), at)
        }
        return left
    }

    private mutating func parsePow() throws(TemplateError) -> Expression {
        var left = try parseUnary(withFilters: true)
        while isOp("**") {
            let at = position
            index += 1
            left = .binary("**", left, try parseUnary(withFilters: true), at)
        }
        return left
    }

    private mutating func parseUnary(withFilters: Bool) throws(TemplateError) -> Expression {
        let at = position
        var node: Expression
        if isOp("-") || isOp("+") {
            let op = isOp("-") ? "-" : "+"
            index += 1
            node = .unary(op, try parseUnary(withFilters: false), at)
        } else {
            node = try parsePrimary()
        }
        node = try parsePostfix(node)
        if withFilters { node = try parseFiltersAndTests(node) }
        return node
    }

    private mutating func parsePrimary() throws(TemplateError) -> Expression {
        let token = current
        switch token.kind {
        case .name(let name):
            index += 1
            switch name {
            case "true", "True": return .literal(.bool(true))
            case "false", "False": return .literal(.bool(false))
            case "none", "None": return .literal(.none)
            default: return .name(name)
            }
        case .string(var text):
            index += 1
            // Adjacent string literals concatenate, as in Python.
            while case .string(let more) = current.kind { text += more; index += 1 }
            return .literal(.string(text))
        case .int(let value):
            index += 1
            return .literal(.int(value))
        case .float(let value):
            index += 1
            return .literal(.double(value))
        case .op("("):
            index += 1
            if skipOp(")") { return .tuple([]) }
            let first = try parseExpression()
            if skipOp(")") { return first }
            var items = [first]
            while skipOp(",") {
                if isOp(")") { break }
                items.append(try parseExpression())
            }
            try expectOp(")")
            return .tuple(items)
        case .op("["):
            index += 1
            var items: [Expression] = []
            while !isOp("]") {
                items.append(try parseExpression())
                if !skipOp(",") { break }
            }
            try expectOp("]")
            return .list(items)
        case .op("{"):
            index += 1
            var pairs: [(key: Expression, value: Expression)] = []
            while !isOp("}") {
                let key = try parseExpression()
                try expectOp(":")
                pairs.append((key, try parseExpression()))
                if !skipOp(",") { break }
            }
            try expectOp("}")
            return .dictionary(pairs)
        default:
            throw unexpected("expected an expression")
        }
    }

    private mutating func parsePostfix(_ base: Expression) throws(TemplateError) -> Expression {
        var node = base
        while true {
            let at = position
            if skipOp(".") {
                switch current.kind {
                case .name(let name): index += 1; node = .attribute(node, name)
                case .int(let i): index += 1; node = .item(node, .literal(.int(i)), at)
                default: throw unexpected("expected an attribute name")
                }
            } else if skipOp("[") {
                node = try parseSubscript(node, at: at)
            } else if isOp("(") {
                node = .call(node, try parseArguments(), at)
            } else {
                return node
            }
        }
    }

    private mutating func parseSubscript(_ base: Expression, at: SourcePosition) throws(TemplateError) -> Expression {
        var parts: [Expression?] = [nil]
        var isSlice = false
        while !isOp("]") {
            if skipOp(":") {
                isSlice = true
                parts.append(nil)
                guard parts.count <= 3 else { throw unexpected("too many ':' in slice") }
            } else {
                guard parts[parts.count - 1] == nil else { throw unexpected("expected ']'") }
                parts[parts.count - 1] = try parseExpression()
            }
        }
        try expectOp("]")
        if !isSlice {
            guard let key = parts[0] else { throw TemplateError("empty subscript", at: at) }
            return .item(base, key, at)
        }
        while parts.count < 3 { parts.append(nil) }
        return .slice(base, start: parts[0], stop: parts[1], step: parts[2], at)
    }

    private mutating func parseArguments() throws(TemplateError) -> Arguments {
        try expectOp("(")
        var arguments = Arguments()
        while !isOp(")") {
            if case .name(let name) = current.kind, isOp("=", offset: 1) {
                index += 2
                arguments.keyword.append((name, try parseExpression()))
            } else {
                guard arguments.keyword.isEmpty else { throw unexpected("positional argument after keyword argument") }
                arguments.positional.append(try parseExpression())
            }
            if !skipOp(",") { break }
        }
        try expectOp(")")
        return arguments
    }

    private mutating func parseFiltersAndTests(_ base: Expression) throws(TemplateError) -> Expression {
        var node = base
        while true {
            let at = position
            if skipOp("|") {
                var name = try expectName()
                while skipOp(".") { name += "." + (try expectName()) }
                let arguments = isOp("(") ? try parseArguments() : Arguments()
                node = try parsePostfix(.filter(node, name, arguments, at))
            } else if skipName("is") {
                let negated = skipName("not")
                var name = try expectName()
                while skipOp(".") { name += "." + (try expectName()) }
                var arguments = Arguments()
                if isOp("(") {
                    arguments = try parseArguments()
                } else if startsBareTestArgument {
                    // `x is divisibleby 3`: one argument without parentheses.
                    arguments.positional = [try parsePostfix(try parsePrimary())]
                }
                node = .test(node, name, arguments, negated: negated, at)
            } else if isOp("(") {
                node = .call(node, try parseArguments(), at)
            } else {
                return node
            }
        }
    }

    private var startsBareTestArgument: Bool {
        switch current.kind {
        case .name(let n): return !["else", "or", "and", "is", "if", "in", "not"].contains(n)
        case .string, .int, .float: return true
        case .op(let o): return o == "[" || o == "{"
        default: return false
        }
    }
}
