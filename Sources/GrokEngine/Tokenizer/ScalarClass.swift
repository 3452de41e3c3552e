/// The character classes that pre-tokenizer regexes ask about (`\p{L}`, `\p{N}`, `\s` …), for
/// one Unicode scalar, as llama.cpp's tables define them: one general-category group per scalar
/// (unassigned scalars count as `\p{C}`, like Python's `regex` that generated those tables),
/// plus the Unicode `White_Space` property for `\s`.
struct ScalarClass: OptionSet, Sendable {
    let rawValue: UInt16

    static let number = ScalarClass(rawValue: 1 << 0)
    static let letter = ScalarClass(rawValue: 1 << 1)
    static let separator = ScalarClass(rawValue: 1 << 2)
    static let mark = ScalarClass(rawValue: 1 << 3)
    static let punctuation = ScalarClass(rawValue: 1 << 4)
    static let symbol = ScalarClass(rawValue: 1 << 5)
    static let control = ScalarClass(rawValue: 1 << 6)
    static let whitespace = ScalarClass(rawValue: 1 << 7)

    /// `[\s\p{L}\p{N}]`: what the "other characters" runs of the regexes stop at.
    static let wordish: ScalarClass = [.whitespace, .letter, .number]

    /// The class of a scalar value (ASCII from a table: it is most of most texts).
    @inline(__always)
    static func of(_ value: UInt32) -> ScalarClass {
        value < 128 ? ascii[Int(value)] : computed(value)
    }

    private static let ascii: [ScalarClass] = (0..<128).map { computed(UInt32($0)) }

    private static func computed(_ value: UInt32) -> ScalarClass {
        guard let scalar = Unicode.Scalar(value) else { return .control }
        let properties = scalar.properties
        var result: ScalarClass
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            result = .letter
        case .decimalNumber, .letterNumber, .otherNumber:
            result = .number
        case .nonspacingMark, .spacingMark, .enclosingMark:
            result = .mark
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation:
            result = .punctuation
        case .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol:
            result = .symbol
        case .spaceSeparator, .lineSeparator, .paragraphSeparator:
            result = .separator
        default:
            result = .control
        }
        if properties.isWhitespace { result.insert(.whitespace) }
        return result
    }
}
