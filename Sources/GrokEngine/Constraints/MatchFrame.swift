/// Something open in a JSON text being matched: a value not yet started, or a string, number,
/// literal, array or object in progress.
enum MatchFrame: Sendable {
    case value(JSONGrammar)
    case string(StringFrame)
    case number(NumberFrame)
    case literal(LiteralFrame)
    case array(ArrayFrame)
    case object(ObjectFrame)

    /// Whether the text could end with this frame as the whole value (`12`, or `1` of `enum: [1, 10]`).
    var canEndHere: Bool {
        switch self {
        case .number(let number): number.isWhole
        case .literal(let literal): literal.isWhole
        default: false
        }
    }

    /// The frame a value of `grammar` opens with `byte`, nil when no such value starts so.
    /// A literal already finished by this one byte is returned finished (the caller drops it).
    static func opening(_ grammar: JSONGrammar, with byte: UInt8) -> MatchFrame? {
        switch grammar {
        case .any:
            switch byte {
            case UInt8(ascii: "{"): return .object(ObjectFrame(properties: [], additional: .any))
            case UInt8(ascii: "["): return .array(ArrayFrame(items: .any, minItems: 0, maxItems: nil))
            case UInt8(ascii: "\""): return .string(StringFrame(minLength: 0, maxLength: nil))
            case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
                return literal(["true", "false", "null"].map { Array($0.utf8) }, byte)
            default: return number(integer: false, byte)
            }
        case .literals(let candidates): return literal(candidates, byte)
        case .string(let minimum, let maximum):
            return byte == UInt8(ascii: "\"") ? .string(StringFrame(minLength: minimum, maxLength: maximum)) : nil
        case .number(let integer): return number(integer: integer, byte)
        case .boolean: return literal([Array("true".utf8), Array("false".utf8)], byte)
        case .null: return literal([Array("null".utf8)], byte)
        case .array(let items, let minimum, let maximum):
            return byte == UInt8(ascii: "[") ? .array(ArrayFrame(items: items, minItems: minimum, maxItems: maximum)) : nil
        case .object(let properties, let additional):
            return byte == UInt8(ascii: "{") ? .object(ObjectFrame(properties: properties, additional: additional)) : nil
        case .oneOf:
            return nil  // expanded into separate paths before a byte reaches it
        }
    }

    private static func literal(_ candidates: [[UInt8]], _ byte: UInt8) -> MatchFrame? {
        var frame = LiteralFrame(candidates: candidates)
        return frame.consume(byte) ? .literal(frame) : nil
    }

    private static func number(integer: Bool, _ byte: UInt8) -> MatchFrame? {
        var frame = NumberFrame(integer: integer)
        return frame.consume(byte) ? .number(frame) : nil
    }
}

/// Inside a string: escapes, UTF-8 sequences and the length in code points.
struct StringFrame: Sendable {
    enum Outcome { case more, closed, invalid }

    let minLength: Int
    let maxLength: Int?
    private(set) var count = 0
    private var escape = false
    private var hexDigitsLeft = 0
    private var continuationLeft = 0
    /// Bounds of the next continuation byte (tighter after E0, ED, F0, F4).
    private var nextLow: UInt8 = 0x80
    private var nextHigh: UInt8 = 0xBF

    init(minLength: Int, maxLength: Int?) {
        self.minLength = minLength
        self.maxLength = maxLength
    }

    private var hasRoom: Bool { maxLength.map { count < $0 } ?? true }

    mutating func consume(_ byte: UInt8) -> Outcome {
        if continuationLeft > 0 {
            guard byte >= nextLow, byte <= nextHigh else { return .invalid }
            (nextLow, nextHigh) = (0x80, 0xBF)
            continuationLeft -= 1
            return .more
        }
        if hexDigitsLeft > 0 {
            guard byte.isHexDigit else { return .invalid }
            hexDigitsLeft -= 1
            return .more
        }
        if escape {
            escape = false
            switch byte {
            case UInt8(ascii: "u"): hexDigitsLeft = 4
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                 UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"): break
            default: return .invalid
            }
            return .more
        }
        switch byte {
        case UInt8(ascii: "\""): return count >= minLength ? .closed : .invalid
        case 0..<0x20, 0x80..<0xC2, 0xF5...0xFF: return .invalid
        default: break
        }
        guard hasRoom else { return .invalid }
        count += 1
        switch byte {
        case UInt8(ascii: "\\"): escape = true
        case 0xC2...0xDF: continuationLeft = 1
        case 0xE0...0xEF:
            continuationLeft = 2
            if byte == 0xE0 { nextLow = 0xA0 }
            if byte == 0xED { nextHigh = 0x9F }
        case 0xF0...0xF4:
            continuationLeft = 3
            if byte == 0xF0 { nextLow = 0x90 }
            if byte == 0xF4 { nextHigh = 0x8F }
        default: break
        }
        return .more
    }
}

/// A JSON number in progress: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, with
/// at most 15 digits before the point, 15 after it and 2 in the exponent: a model must not
/// write digits for ever, and what it writes must parse as a 64-bit integer or a finite double.
struct NumberFrame: Sendable {
    private enum Phase { case start, sign, zero, integer, point, fraction, exponentMark, exponentSign, exponent }
    let integer: Bool
    private var phase = Phase.start
    /// Digits in the current part (integer, fraction or exponent).
    private var digits = 0
    static let maximumDigits = 15
    static let maximumExponentDigits = 2

    init(integer: Bool) { self.integer = integer }

    var isWhole: Bool { [.zero, .integer, .fraction, .exponent].contains(phase) }

    mutating func consume(_ byte: UInt8) -> Bool {
        guard let next = next(byte) else { return false }
        let isDigit = byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
        digits = isDigit ? digits + 1 : 0
        let limit = next == .exponent ? Self.maximumExponentDigits : Self.maximumDigits
        guard digits <= limit else { return false }
        phase = next
        return true
    }

    private func next(_ byte: UInt8) -> Phase? {
        let digit = byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
        switch phase {
        case .start:
            if byte == UInt8(ascii: "-") { return .sign }
            return digit ? (byte == UInt8(ascii: "0") ? .zero : .integer) : nil
        case .sign:
            return digit ? (byte == UInt8(ascii: "0") ? .zero : .integer) : nil
        case .zero, .integer:
            if digit { return phase == .integer ? .integer : nil }
            if integer { return nil }
            if byte == UInt8(ascii: ".") { return .point }
            return byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") ? .exponentMark : nil
        case .point:
            return digit ? .fraction : nil
        case .fraction:
            if digit { return .fraction }
            return byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") ? .exponentMark : nil
        case .exponentMark:
            if byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") { return .exponentSign }
            return digit ? .exponent : nil
        case .exponentSign, .exponent:
            return digit ? .exponent : nil
        }
    }
}

/// One of several exact texts (`true`, an `enum` value …), matched so far.
struct LiteralFrame: Sendable {
    private(set) var candidates: [[UInt8]]
    private var matched = 0

    init(candidates: [[UInt8]]) { self.candidates = candidates }

    /// Some candidate is complete.
    var isWhole: Bool { candidates.contains { $0.count == matched } }
    /// Every remaining candidate is complete: nothing can follow.
    var isOnlyWhole: Bool { candidates.allSatisfy { $0.count == matched } }

    /// Takes the byte when some candidate continues with it; unchanged otherwise.
    mutating func consume(_ byte: UInt8) -> Bool {
        let continuing = candidates.filter { $0.count > matched && $0[matched] == byte }
        guard !continuing.isEmpty else { return false }
        candidates = continuing
        matched += 1
        return true
    }
}

struct ArrayFrame: Sendable {
    enum Phase { case start, beforeItem, afterItem }
    let items: JSONGrammar
    let minItems: Int
    let maxItems: Int?
    var count = 0
    var phase = Phase.start

    init(items: JSONGrammar, minItems: Int, maxItems: Int?) {
        self.items = items
        self.minItems = minItems
        self.maxItems = maxItems
    }
}

/// A key being read: its bytes so far, checked as string content.
struct KeyFrame: Sendable {
    var bytes: [UInt8] = []
    var string = StringFrame(minLength: 0, maxLength: nil)
}

struct ObjectFrame: Sendable {
    enum Phase: Sendable {
        case start, beforeKey
        case key(KeyFrame)
        case afterKey(JSONGrammar)
        case afterValue
    }

    let properties: [JSONGrammar.Property]
    let additional: JSONGrammar?
    var seen: [Bool]
    /// Keys given beyond the declared properties (each allowed once, as our parser insists).
    var extraKeys: [[UInt8]] = []
    var phase = Phase.start

    init(properties: [JSONGrammar.Property], additional: JSONGrammar?) {
        self.properties = properties
        self.additional = additional
        seen = Array(repeating: false, count: properties.count)
    }

    var requiredAreDone: Bool { properties.indices.allSatisfy { seen[$0] || !properties[$0].required } }
    var canTakeAnotherKey: Bool { additional != nil || seen.contains(false) }

    /// Adds a byte to the key being read. A closing quote ends it: the key must be a declared
    /// property not yet given, or any key where other keys are allowed.
    mutating func extendKey(_ key: inout KeyFrame, with byte: UInt8) -> Bool {
        switch key.string.consume(byte) {
        case .invalid:
            return false
        case .closed:
            if let index = properties.indices.first(where: { !seen[$0] && properties[$0].escaped == key.bytes }) {
                seen[index] = true
                phase = .afterKey(properties[index].grammar)
                return true
            }
            guard let additional, !properties.contains(where: { $0.escaped == key.bytes }), !extraKeys.contains(key.bytes) else {
                return false
            }
            extraKeys.append(key.bytes)
            phase = .afterKey(additional)
            return true
        case .more:
            key.bytes.append(byte)
            if additional != nil { return true }
            return properties.indices.contains { !seen[$0] && properties[$0].escaped.starts(with: key.bytes) }
        }
    }
}

extension UInt8 {
    var isHexDigit: Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(self)
            || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(self)
    }
}
