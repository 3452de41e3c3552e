/// Why a JSON text could not be read or a value could not be written.
public enum JSONCodecError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not JSON: the message says what jansson found and where (1-based line and column).
    case syntax(message: String, line: Int, column: Int, position: Int)
    /// The bytes are not valid UTF-8.
    case invalidUTF8(position: Int)
    /// Arrays and objects nest deeper than the limit allows.
    case tooDeep(limit: Int)
    /// A value JSON cannot represent (NaN, infinity) or jansson could not allocate.
    case unencodable(String)

    public var description: String {
        switch self {
        case .syntax(let message, let line, let column, _):
            return "\(message) at line \(line), column \(column)"
        case .invalidUTF8(let position):
            return "invalid UTF-8 at byte \(position)"
        case .tooDeep(let limit):
            return "nesting deeper than \(limit) levels"
        case .unencodable(let what):
            return "cannot encode \(what)"
        }
    }
}
