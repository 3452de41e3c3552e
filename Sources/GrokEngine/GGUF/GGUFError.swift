/// Why a GGUF file cannot be used; the message names the offending part.
public struct GGUFError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
