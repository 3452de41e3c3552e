/// A template that cannot be parsed or rendered. The description names the line and column
/// where that is known; `raise_exception("…")` in a template surfaces its message as is.
public struct TemplateError: Error, CustomStringConvertible, Sendable {
    public var description: String

    public init(_ description: String) { self.description = description }

    init(_ message: String, at position: SourcePosition?) {
        if let position { description = "\(position): \(message)" } else { description = message }
    }
}
