/// Renders parsed nodes. One evaluator serves one `render` call: it holds the variable scopes,
/// the macros defined so far and the render's globals.
///
/// Scoping follows Jinja: a `for` body gets its own scope (a `set` inside it does not leak out,
/// which is why templates use `namespace`), `if` bodies do not, and a macro sees the
/// template-level variables plus its arguments.
final class TemplateEvaluator {
    enum Flow { case normal, breakLoop, continueLoop }

    private var scopes: [[String: TemplateValue]]
    private var macros: [String: Macro] = [:]
    private var macroDepth = 0
    /// Namespaces live here and templates hold a handle, because Jinja's namespaces are shared
    /// objects: `set ns.x` inside a loop or a macro must be seen outside it.
    private var namespaces: [TemplateDictionary] = []
    private static let namespaceKey = "\u{0}namespace"

    private func namespaceID(_ value: TemplateValue) -> Int? {
        if case .dictionary(let d) = value, d.count == 1, case .int(let id)? = d[TemplateEvaluator.namespaceKey] { return id }
        return nil
    }

    /// A namespace's attributes as a plain dictionary (for printing or passing to filters).
    func resolveNamespace(_ value: TemplateValue) -> TemplateValue {
        namespaceID(value).map { .dictionary(namespaces[$0]) } ?? value
    }

    init(variables: [String: TemplateValue]) {
        scopes = [variables]
    }

    func render(_ nodes: [Node]) throws(TemplateError) -> String {
        var out = ""
        _ = try execute(nodes, into: &out)
        return out
    }

    // MARK: Statements

    private func execute(_ nodes: [Node], into out: inout String) throws(TemplateError) -> Flow {
        for node in nodes {
            switch node {
            case .text(let text):
                out += text
            case .output(let expression):
                out += resolveNamespace(try evaluate(expression)).displayString
            case .ifBlock(let branches, let elseBody):
                var body = elseBody
                for branch in branches {
                    if try evaluate(branch.condition).isTruthy { body = branch.body; break }
                }
                let flow = try execute(body, into: &out)
                if flow != .normal { return flow }
            case .forLoop(let loop):
                try executeFor(loop, into: &out)
            case .set(let targets, let expression, let position):
                try assign(targets, try evaluate(expression), at: position)
            case .setAttribute(let name, let attribute, let expression, let position):
                let value = try evaluate(expression)
                guard let id = namespaceID(lookup(name)) else {
                    throw TemplateError("cannot set attribute '\(attribute)' on '\(name)': not a namespace", at: position)
                }
                namespaces[id][attribute] = value
            case .setBlock(let name, let body):
                var captured = ""
                _ = try execute(body, into: &captured)
                scopes[scopes.count - 1][name] = .string(captured)
            case .macro(let macro):
                macros[macro.name] = macro
            case .callBlock(var caller, let expression, _):
                caller.capturedScopes = scopes
                let previous = macros["caller"]
                macros["caller"] = caller
                defer { macros["caller"] = previous }
                out += try evaluate(expression).displayString
            case .filterBlock(let name, let arguments, let body, let position):
                var captured = ""
                _ = try execute(body, into: &captured)
                let (positional, keyword) = try evaluateArguments(arguments)
                out += try TemplateFilters.filter(name, .string(captured), positional, keyword, evaluator: self, at: position).displayString
            case .breakLoop:
                return .breakLoop
            case .continueLoop:
                return .continueLoop
            }
        }
        return .normal
    }

    private func assign(_ targets: [String], _ value: TemplateValue, at position: SourcePosition) throws(TemplateError) {
        if targets.count == 1 {
            scopes[scopes.count - 1][targets[0]] = value
            return
        }
        let items = try unpack(value, count: targets.count, at: position)
        for (name, item) in zip(targets, items) { scopes[scopes.count - 1][name] = item }
    }

    private func unpack(_ value: TemplateValue, count: Int, at position: SourcePosition) throws(TemplateError) -> [TemplateValue] {
        let items = try iterate(value, at: position)
        guard items.count == count else {
            throw TemplateError("cannot unpack \(items.count) values into \(count) names", at: position)
        }
        return items
    }

    /// The items a `for` loop or a filter walks: list items, dictionary keys, characters.
    func iterate(_ value: TemplateValue, at position: SourcePosition?) throws(TemplateError) -> [TemplateValue] {
        switch value {
        case .list(let items): return items
        case .dictionary(let d): return d.keys.map { .string($0) }
        case .string(let s): return s.unicodeScalars.map { .string(String($0)) }
        case .undefined: return []
        default: throw TemplateError("'\(value.typeName)' object is not iterable", at: position)
        }
    }

    private func executeFor(_ loop: ForLoop, into out: inout String) throws(TemplateError) {
        var items = try iterate(try evaluate(loop.iterable), at: loop.position)
        scopes.append([:])
        defer { scopes.removeLast() }
        func bind(_ item: TemplateValue) throws(TemplateError) {
            if loop.targets.count == 1 {
                scopes[scopes.count - 1][loop.targets[0]] = item
            } else {
                let parts = try unpack(item, count: loop.targets.count, at: loop.position)
                for (name, part) in zip(loop.targets, parts) { scopes[scopes.count - 1][name] = part }
            }
        }
        if let condition = loop.condition {
            // The filter runs first, so loop.length and loop.last count only the kept items.
            var kept: [TemplateValue] = []
            for item in items {
                try bind(item)
                if try evaluate(condition).isTruthy { kept.append(item) }
            }
            items = kept
        }
        if items.isEmpty {
            scopes[scopes.count - 1] = [:]
            _ = try execute(loop.elseBody, into: &out)
            return
        }
        let count = items.count
        for (i, item) in items.enumerated() {
            scopes[scopes.count - 1] = [:]
            try bind(item)
            var info = TemplateDictionary()
            info["index"] = .int(i + 1)
            info["index0"] = .int(i)
            info["revindex"] = .int(count - i)
            info["revindex0"] = .int(count - i - 1)
            info["first"] = .bool(i == 0)
            info["last"] = .bool(i == count - 1)
            info["length"] = .int(count)
            info["depth"] = .int(1)
            info["depth0"] = .int(0)
            if i > 0 { info["previtem"] = items[i - 1] }
            if i < count - 1 { info["nextitem"] = items[i + 1] }
            scopes[scopes.count - 1]["loop"] = .dictionary(info)
            if try execute(loop.body, into: &out) == .breakLoop { break }
        }
    }

    // MARK: Expressions

    func lookup(_ name: String) -> TemplateValue {
        for scope in scopes.reversed() { if let value = scope[name] { return value } }
        return .undefined
    }

    func evaluate(_ expression: Expression) throws(TemplateError) -> TemplateValue {
        switch expression {
        case .literal(let value):
            return value
        case .name(let name):
            return lookup(name)
        case .list(let items), .tuple(let items):
            var values: [TemplateValue] = []
            values.reserveCapacity(items.count)
            for item in items { values.append(try evaluate(item)) }
            return .list(values)
        case .dictionary(let pairs):
            var d = TemplateDictionary()
            for pair in pairs {
                let key = try evaluate(pair.key)
                d[key.displayString] = try evaluate(pair.value)
            }
            return .dictionary(d)
        case .attribute(let base, let name):
            let value = try evaluate(base)
            if let id = namespaceID(value) { return namespaces[id][name] ?? .undefined }
            return value[name]
        case .item(let base, let key, let position):
            return try TemplateOperators.subscriptValue(resolveNamespace(try evaluate(base)), try evaluate(key), at: position)
        case .slice(let base, let start, let stop, let step, let position):
            return try TemplateOperators.slice(
                try evaluate(base), start: try start.map(evaluate), stop: try stop.map(evaluate),
                step: try step.map(evaluate), at: position)
        case .call(let callee, let arguments, let position):
            return try call(callee, arguments, at: position)
        case .filter(let base, let name, let arguments, let position):
            let value = try evaluate(base)
            let (positional, keyword) = try evaluateArguments(arguments)
            return try TemplateFilters.filter(name, value, positional, keyword, evaluator: self, at: position)
        case .test(let base, let name, let arguments, let negated, let position):
            var value = try evaluate(base)
            if case .name(let baseName) = base, value.isUndefined, macros[baseName] != nil || TemplateFilters.globalNames.contains(baseName) {
                // Functions are defined names (`strftime_now is defined`); they have no value of their own.
                if name == "defined" || name == "undefined" || name == "callable" { return .bool((name != "undefined") != negated) }
                value = .none
            }
            let (positional, _) = try evaluateArguments(arguments)
            let result = try TemplateFilters.test(name, value, positional, at: position)
            return .bool(result != negated)
        case .unary(let op, let operand, let position):
            let value = try evaluate(operand)
            return try TemplateOperators.unary(op, value, at: position)
        case .binary("and", let left, let right, _):
            let l = try evaluate(left)
            return l.isTruthy ? try evaluate(right) : l
        case .binary("or", let left, let right, _):
            let l = try evaluate(left)
            return l.isTruthy ? l : try evaluate(right)
        case .binary(let op, let left, let right, let position):
            return try TemplateOperators.binary(op, try evaluate(left), try evaluate(right), at: position)
        case .compare(let first, let operations, let position):
            var left = try evaluate(first)
            for operation in operations {
                let right = try evaluate(operation.operand)
                if !(try TemplateOperators.compare(operation.op, left, right, at: position)) { return .bool(false) }
                left = right
            }
            return .bool(true)
        case .conditional(let condition, let then, let otherwise):
            if try evaluate(condition).isTruthy { return try evaluate(then) }
            return try otherwise.map(evaluate) ?? .undefined
        }
    }

    private func evaluateArguments(_ arguments: Arguments) throws(TemplateError) -> ([TemplateValue], [String: TemplateValue]) {
        var positional: [TemplateValue] = []
        for argument in arguments.positional { positional.append(try evaluate(argument)) }
        var keyword: [String: TemplateValue] = [:]
        for argument in arguments.keyword { keyword[argument.name] = try evaluate(argument.value) }
        return (positional, keyword)
    }

    private func call(_ callee: Expression, _ arguments: Arguments, at position: SourcePosition) throws(TemplateError) -> TemplateValue {
        switch callee {
        case .attribute(let base, let method):
            // `x.strip()`, `d.items()`, `loop.cycle(…)`: methods of the receiver's type.
            let receiver = resolveNamespace(try evaluate(base))
            let (positional, keyword) = try evaluateArguments(arguments)
            return try TemplateFilters.method(method, on: receiver, positional, keyword, at: position)
        case .name(let name):
            if let macro = macros[name] {
                return try callMacro(macro, arguments, at: position)
            }
            if !lookup(name).isUndefined {
                throw TemplateError("'\(name)' is not callable", at: position)
            }
            let (positional, keyword) = try evaluateArguments(arguments)
            if name == "namespace" {
                // Attributes in the order written, as Python keeps keyword arguments.
                var initial = TemplateDictionary()
                if case .dictionary(let d)? = positional.first { initial = d }
                for argument in arguments.keyword { initial[argument.name] = keyword[argument.name] }
                namespaces.append(initial)
                return .object([(TemplateEvaluator.namespaceKey, .int(namespaces.count - 1))])
            }
            return try TemplateFilters.global(name, positional, keyword, at: position)
        default:
            throw TemplateError("expression is not callable", at: position)
        }
    }

    private func callMacro(_ macro: Macro, _ arguments: Arguments, at position: SourcePosition) throws(TemplateError) -> TemplateValue {
        let (positional, keyword) = try evaluateArguments(arguments)
        guard positional.count <= macro.parameters.count else {
            throw TemplateError("macro '\(macro.name)' takes \(macro.parameters.count) arguments, got \(positional.count)", at: position)
        }
        guard macroDepth < 200 else { throw TemplateError("macro recursion too deep", at: position) }
        // A macro sees the template-level variables and its own arguments, not the caller's locals.
        let saved = scopes
        scopes = (macro.capturedScopes ?? [scopes[0]]) + [[:]]
        macroDepth += 1
        defer { scopes = saved; macroDepth -= 1 }
        for (i, parameter) in macro.parameters.enumerated() {
            let value: TemplateValue
            if i < positional.count {
                value = positional[i]
            } else if let given = keyword[parameter.name] {
                value = given
            } else if let defaultValue = parameter.defaultValue {
                value = try evaluate(defaultValue)
            } else {
                value = .undefined
            }
            scopes[scopes.count - 1][parameter.name] = value
        }
        var out = ""
        _ = try execute(macro.body, into: &out)
        return .string(out)
    }
}
