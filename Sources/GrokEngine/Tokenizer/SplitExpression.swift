/// One regular expression of a pre-tokenizer (from the model's `tokenizer.json`, as llama.cpp
/// runs it), parsed into a tree that `SplitMatcher` walks.
///
/// The dialect is the part of ECMAScript the pre-tokenizers use: alternation, groups
/// (`(…)`, `(?:…)`), lookaheads (`(?=…)`, `(?!…)`), greedy quantifiers (`? * + {n} {n,} {n,m}`),
/// classes (`[…]`, `[^…]`, ranges), `\s \S \d \D \w \W`, `\p{L}`-style categories, `\r \n \t
/// \v \f`, `\u{…}` for a scalar, `.` and `$`. Whether the expression names a category decides
/// how it sees text (`SplitUnits`).
struct SplitExpression: Sendable {
    indirect enum Node: Sendable {
        /// One unit from the set.
        case unit(UnitSet)
        case sequence([Node])
        /// The first alternative that lets the rest match wins.
        case choice([Node])
        /// Greedy, backtracking; `max` is `Int.max` when unbounded.
        case repetition(Node, min: Int, max: Int)
        /// A repetition of something that always matches the same number of units, one set
        /// each (`(\d{3})+`): it matches one way only, so it needs no backtracking inside.
        case fixedRepetition([UnitSet], min: Int, max: Int)
        /// Atomic, as in ECMAScript: its own choices are not revisited.
        case lookahead(Node, negated: Bool)
        /// `$`: the end of the piece being split.
        case end
    }

    let pattern: String
    let root: Node
    /// Runs on collapsed text (the pattern names a Unicode category).
    let collapsed: Bool

    /// Parses `pattern`; the patterns are ours and fixed, so a bad one is a programming error
    /// (the tests compile every pre-tokenizer's).
    init(_ pattern: String) {
        self.pattern = pattern
        collapsed = pattern.contains("\\p{")
        var parser = Parser(scalars: Array(pattern.unicodeScalars).map(\.value), collapsed: collapsed)
        let root = parser.choice()
        guard parser.position == parser.scalars.count else {
            preconditionFailure("split expression \(pattern): unexpected character at \(parser.position)")
        }
        self.root = root
    }

    private struct Parser {
        let scalars: [UInt32]
        let collapsed: Bool
        var position = 0

        private var current: UInt32? { position < scalars.count ? scalars[position] : nil }

        private func fail(_ message: String) -> Never {
            let text = String(String.UnicodeScalarView(scalars.compactMap(Unicode.Scalar.init)))
            preconditionFailure("split expression \(text): \(message) at \(position)")
        }

        private mutating func take(_ character: Character) -> Bool {
            guard let current, current == character.unicodeScalars.first!.value else { return false }
            position += 1
            return true
        }

        private mutating func next() -> UInt32 {
            guard let current else { fail("unexpected end") }
            position += 1
            return current
        }

        mutating func choice() -> Node {
            var alternatives = [sequence()]
            while take("|") { alternatives.append(sequence()) }
            if alternatives.count == 1 { return alternatives[0] }
            // `A|B|C` of single units is one unit of their union.
            var union = UnitSet([])
            for alternative in alternatives {
                guard case .unit(let set) = alternative else { return .choice(alternatives) }
                union = union.union(set)
            }
            return .unit(union)
        }

        private mutating func sequence() -> Node {
            var items: [Node] = []
            while let current, current != 0x7C, current != 0x29 {  // | )
                items.append(quantified(atom()))
            }
            return items.count == 1 ? items[0] : .sequence(items)
        }

        private mutating func quantified(_ atom: Node) -> Node {
            var min = 0, max = Int.max
            if take("?") { max = 1 } else if take("*") {
            } else if take("+") { min = 1 } else if current == 0x7B {  // {
                position += 1
                min = number()
                max = take(",") ? (current == 0x7D ? Int.max : number()) : min
                guard take("}") else { fail("bad {n,m}") }
            } else {
                return atom
            }
            if current == 0x3F { fail("lazy quantifiers are not supported") }
            if case .unit = atom { return .repetition(atom, min: min, max: max) }
            if let units = Self.fixedUnits(atom) { return .fixedRepetition(units, min: min, max: max) }
            return .repetition(atom, min: min, max: max)
        }

        /// The unit sets a node matches one after the other, if that is all it does.
        private static func fixedUnits(_ node: Node) -> [UnitSet]? {
            switch node {
            case .unit(let set):
                return [set]
            case .sequence(let items):
                var units: [UnitSet] = []
                for item in items {
                    guard let more = fixedUnits(item) else { return nil }
                    units += more
                }
                return units
            case .repetition(let inner, let min, let max) where min == max && min <= 16:
                guard let once = fixedUnits(inner) else { return nil }
                return Array(repeating: once, count: min).flatMap { $0 }
            case .fixedRepetition(let once, let min, let max) where min == max && min <= 16:
                return Array(repeating: once, count: min).flatMap { $0 }
            default:
                return nil
            }
        }

        private mutating func number() -> Int {
            var value = 0, digits = 0
            while let current, (0x30...0x39).contains(current) {
                value = value * 10 + Int(current - 0x30)
                digits += 1
                position += 1
            }
            if digits == 0 { fail("number expected") }
            return value
        }

        private mutating func atom() -> Node {
            let character = next()
            switch character {
            case 0x28:  // (
                var lookahead: Bool?
                if take("?") {
                    if take("=") { lookahead = false } else if take("!") { lookahead = true } else if !take(":") {
                        fail("unknown group")
                    }
                }
                let inner = choice()
                guard take(")") else { fail("unclosed group") }
                if let negated = lookahead { return .lookahead(inner, negated: negated) }
                return Self.simplified(inner)
            case 0x5B:  // [
                return .unit(bracket())
            case 0x5C:  // \
                return .unit(units(escape()))
            case 0x2E:  // .  anything but a line terminator
                return .unit(UnitSet([0x0A...0x0A, 0x0D...0x0D, 0x2028...0x2029]).complement())
            case 0x24:  // $
                return .end
            default:
                return .unit(literal(character))
            }
        }

        /// `(?=A)B` for single units A and B is one unit of A ∩ B (`(?!A)B`: B − A); as a unit
        /// it repeats without recursion (llama.cpp's GPT-4o expression spells "an uppercase
        /// letter" so).
        private static func simplified(_ node: Node) -> Node {
            guard case .sequence(let items) = node, items.count == 2,
                  case .lookahead(.unit(let condition), let negated) = items[0],
                  case .unit(let set) = items[1] else { return node }
            return .unit(negated ? set.subtracting(condition) : set.intersection(condition))
        }

        private func literal(_ scalar: UInt32) -> UnitSet {
            // Collapsed text has no non-ASCII scalars left to match (llama.cpp refuses these too).
            if collapsed && scalar >= 128 { fail("non-ASCII literal beside a Unicode category") }
            return .single(scalar)
        }

        private mutating func bracket() -> UnitSet {
            let negated = take("^")
            var set = UnitSet([])
            var first = true
            while !(current == 0x5D && !first) {  // ]
                first = false
                switch classAtom() {
                case .set(let members):
                    set = set.union(members)
                case .scalar(let lower):
                    // `a-z`, unless the `-` ends the class.
                    guard current == 0x2D, position + 1 < scalars.count, scalars[position + 1] != 0x5D else {
                        set = set.union(literal(lower))
                        continue
                    }
                    position += 1
                    guard case .scalar(let upper) = classAtom(), lower <= upper else { fail("bad range") }
                    _ = literal(lower)
                    _ = literal(upper)
                    set = set.union(UnitSet([lower...upper]))
                }
            }
            position += 1
            return negated ? set.complement() : set
        }

        private enum ClassAtom { case scalar(UInt32), set(UnitSet) }

        /// One member of a class: a character (which may bound a range) or an escaped class.
        private mutating func classAtom() -> ClassAtom {
            let character = next()
            return character == 0x5C ? escape() : .scalar(character)
        }

        private func units(_ atom: ClassAtom) -> UnitSet {
            switch atom {
            case .scalar(let scalar): literal(scalar)
            case .set(let set): set
            }
        }

        /// After a backslash: a class (`\s`, `\p{L}` …) or one escaped character.
        private mutating func escape() -> ClassAtom {
            let character = next()
            let space = UnitSet([0x09...0x0D, 0x20...0x20])
            let digit = UnitSet([0x30...0x39])
            let word = UnitSet([0x30...0x39, 0x41...0x5A, 0x5F...0x5F, 0x61...0x7A])
            switch character {
            case 0x73: return .set(space)  // s
            case 0x53: return .set(space.complement())  // S
            case 0x64: return .set(digit)  // d
            case 0x44: return .set(digit.complement())  // D
            case 0x77: return .set(word)  // w
            case 0x57: return .set(word.complement())  // W
            case 0x72: return .scalar(0x0D)  // r
            case 0x6E: return .scalar(0x0A)  // n
            case 0x74: return .scalar(0x09)  // t
            case 0x76: return .scalar(0x0B)  // v
            case 0x66: return .scalar(0x0C)  // f
            case 0x70:  // p{Name}
                guard take("{") else { fail("\\p without {") }
                var name = ""
                while let current, current != 0x7D { name.unicodeScalars.append(Unicode.Scalar(current)!); position += 1 }
                guard take("}"), let set = SplitUnits.category(name) else { fail("unknown category \\p{\(name)}") }
                return .set(set)
            case 0x75:  // u{hex}
                guard take("{") else { fail("\\u without {") }
                var value: UInt32 = 0
                while let current, current != 0x7D {
                    guard let digit = Character(Unicode.Scalar(current)!).hexDigitValue else { fail("bad \\u{}") }
                    value = value * 16 + UInt32(digit)
                    position += 1
                }
                guard take("}") else { fail("unclosed \\u{") }
                return .scalar(value)
            default:
                return .scalar(character)
            }
        }
    }
}
