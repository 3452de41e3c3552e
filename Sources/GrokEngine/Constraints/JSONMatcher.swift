/// Follows a JSON text byte by byte and says whether it can still become a value of a grammar.
///
/// The sampler asks it, for each candidate token, whether the token's bytes keep the output
/// valid (on a copy: the matcher is a value), and feeds it the token it chose. Alternatives
/// (`oneOf`) are followed side by side until the text tells them apart.
public struct JSONMatcher: Sendable {
    private var paths: [MatchPath]

    public init(_ grammar: JSONGrammar) {
        paths = [MatchPath(stack: [.value(grammar)])]
    }

    /// Feeds bytes; false (and the matcher unusable) when they cannot be part of a valid value.
    @discardableResult
    public mutating func feed<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> Bool {
        for byte in bytes {
            var next: [MatchPath] = []
            for path in paths { path.fed(byte, into: &next) }
            paths = next
            if paths.isEmpty { return false }
        }
        return true
    }

    /// Whether the value is complete and nothing more can follow.
    public var isFinished: Bool { paths.contains { $0.stack.isEmpty } }

    /// Whether the text so far is a whole value (perhaps one that could go on, like `12`).
    public var canEnd: Bool { paths.contains { $0.canEnd } }
}

/// One way of reading the text so far: a stack of what is open, innermost last.
struct MatchPath: Sendable {
    var stack: [MatchFrame]
    /// Whitespace bytes in a row, and whether they started with a line break. Bounded so that a
    /// model cannot pad for ever: one space, or a line break and an indent of two per level.
    var blanks = 0
    var blankLine = false
    static let maximumIndent = 16

    var canEnd: Bool {
        stack.isEmpty || (stack.count == 1 && stack[0].canEndHere)
    }

    /// The paths that `byte` leads to (none when it is invalid here).
    func fed(_ byte: UInt8, into results: inout [MatchPath]) {
        var path = self
        guard case .value(.oneOf(let alternatives))? = path.stack.last else {
            if path.consume(byte) { results.append(path) }
            return
        }
        path.stack.removeLast()
        for alternative in alternatives {
            var branch = path
            branch.stack.append(.value(alternative))
            branch.fed(byte, into: &results)
        }
    }

    private static func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 }

    /// Whitespace between tokens of JSON, within the bound.
    private mutating func blank(_ byte: UInt8) -> Bool {
        if blanks == 0 {
            blankLine = byte == 0x0A
        } else {
            let indent = min(Self.maximumIndent, 2 * stack.count + 2)
            guard blankLine, byte == 0x20 || byte == 0x09, blanks <= indent else { return false }
        }
        blanks += 1
        return true
    }

    /// Applies `byte` to the innermost open thing; false when invalid.
    private mutating func consume(_ byte: UInt8) -> Bool {
        guard let top = stack.popLast() else { return false }  // the value is finished: nothing may follow
        switch top {
        case .value(let grammar):
            if Self.isBlank(byte) {
                guard blank(byte) else { return false }
                stack.append(top)
                return true
            }
            blanks = 0
            guard let opened = MatchFrame.opening(grammar, with: byte) else { return false }
            if case .literal(let literal) = opened, literal.isOnlyWhole { return true }  // `enum: [1]` after "1"
            stack.append(opened)
            return true
        case .string(var string):
            switch string.consume(byte) {
            case .invalid: return false
            case .more:
                stack.append(.string(string))
                return true
            case .closed:
                return true
            }
        case .number(var number):
            if number.consume(byte) {
                stack.append(.number(number))
                return true
            }
            // Numbers end where something else starts: the byte belongs to what holds them.
            return number.isWhole && !stack.isEmpty && consume(byte)
        case .literal(var literal):
            if literal.consume(byte) {
                if literal.isOnlyWhole { return true }
                stack.append(.literal(literal))
                return true
            }
            return literal.isWhole && !stack.isEmpty && consume(byte)
        case .array(var array):
            return consumeInArray(&array, byte)
        case .object(var object):
            return consumeInObject(&object, byte)
        }
    }

    private mutating func consumeInArray(_ array: inout ArrayFrame, _ byte: UInt8) -> Bool {
        if Self.isBlank(byte) {
            guard blank(byte) else { return false }
            stack.append(.array(array))
            return true
        }
        blanks = 0
        switch array.phase {
        case .afterItem:
            if byte == UInt8(ascii: ","), array.maxItems.map({ array.count < $0 }) ?? true {
                array.phase = .beforeItem
                stack.append(.array(array))
                return true
            }
            return byte == UInt8(ascii: "]") && array.count >= array.minItems
        case .start, .beforeItem:
            if array.phase == .start, byte == UInt8(ascii: "]") { return array.minItems == 0 }
            if array.maxItems == 0 { return false }
            array.phase = .afterItem
            array.count += 1
            stack.append(.array(array))
            stack.append(.value(array.items))
            return consume(byte)
        }
    }

    private mutating func consumeInObject(_ object: inout ObjectFrame, _ byte: UInt8) -> Bool {
        if case .key(var key) = object.phase {
            switch object.extendKey(&key, with: byte) {
            case false: return false
            case true:
                if case .key = object.phase { object.phase = .key(key) }
                stack.append(.object(object))
                return true
            }
        }
        if Self.isBlank(byte) {
            guard blank(byte) else { return false }
            stack.append(.object(object))
            return true
        }
        blanks = 0
        switch object.phase {
        case .start, .beforeKey:
            if case .start = object.phase, byte == UInt8(ascii: "}") { return object.requiredAreDone }
            guard byte == UInt8(ascii: "\""), object.canTakeAnotherKey else { return false }
            object.phase = .key(KeyFrame())
            stack.append(.object(object))
            return true
        case .afterKey(let grammar):
            guard byte == UInt8(ascii: ":") else { return false }
            object.phase = .afterValue
            stack.append(.object(object))
            stack.append(.value(grammar))
            return true
        case .afterValue:
            if byte == UInt8(ascii: "}") { return object.requiredAreDone }
            guard byte == UInt8(ascii: ","), object.canTakeAnotherKey else { return false }
            object.phase = .beforeKey
            stack.append(.object(object))
            return true
        case .key:
            return false
        }
    }
}
