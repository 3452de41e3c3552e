/// The parsed form of a template: statements (`Node`) holding expressions (`Expression`).
/// Positions are kept where evaluation can fail, so runtime errors can name a line.

/// Arguments of a call, filter or test: positional first, then `name=value` pairs.
struct Arguments: Sendable {
    var positional: [Expression] = []
    var keyword: [(name: String, value: Expression)] = []
}

indirect enum Expression: Sendable {
    case literal(TemplateValue)
    case name(String)
    case list([Expression])
    case tuple([Expression])
    case dictionary([(key: Expression, value: Expression)])
    case attribute(Expression, String)
    case item(Expression, Expression, SourcePosition)
    case slice(Expression, start: Expression?, stop: Expression?, step: Expression?, SourcePosition)
    case call(Expression, Arguments, SourcePosition)
    case filter(Expression, String, Arguments, SourcePosition)
    case test(Expression, String, Arguments, negated: Bool, SourcePosition)
    /// `-x`, `+x`, `not x`.
    case unary(String, Expression, SourcePosition)
    /// Arithmetic, `~`, `and`, `or` (the last two short-circuit).
    case binary(String, Expression, Expression, SourcePosition)
    /// A chain such as `a < b <= c` or `x not in y`.
    case compare(Expression, [(op: String, operand: Expression)], SourcePosition)
    /// `a if condition else b`; without `else` the value is undefined.
    case conditional(condition: Expression, then: Expression, otherwise: Expression?)
}

struct ForLoop: Sendable {
    var targets: [String]
    var iterable: Expression
    var condition: Expression?
    var body: [Node]
    var elseBody: [Node]
    var position: SourcePosition
}

struct Macro: Sendable {
    var name: String
    var parameters: [(name: String, defaultValue: Expression?)]
    var body: [Node]
    /// For a `{% call %}` body (`caller()`): the scopes where it was written, which it renders in.
    var capturedScopes: [[String: TemplateValue]]? = nil
}

indirect enum Node: Sendable {
    case text(String)
    case output(Expression)
    case ifBlock(branches: [(condition: Expression, body: [Node])], elseBody: [Node])
    case forLoop(ForLoop)
    /// `{% set a = … %}` or `{% set a, b = … %}`.
    case set(targets: [String], Expression, SourcePosition)
    /// `{% set ns.attr = … %}` on a namespace.
    case setAttribute(name: String, attribute: String, Expression, SourcePosition)
    /// `{% set name %}…{% endset %}`.
    case setBlock(String, [Node])
    case macro(Macro)
    /// `{% call m(…) %}body{% endcall %}`: calls `m` with `caller()` rendering the body.
    case callBlock(caller: Macro, Expression, SourcePosition)
    /// `{% filter name(args) %}…{% endfilter %}`: the body's output through a filter.
    case filterBlock(String, Arguments, [Node], SourcePosition)
    case breakLoop
    case continueLoop
}
