/// The pre-tokenizer expressions, written out as scanners over `text[start..<end]`: each walks
/// the scalars once and appends the end of every word it cuts. Positions outside the range
/// read as "nothing" (no class), which is how an expression sees the end of its input.
///
/// The branches follow the expressions' alternatives in order; comments give the alternative.
struct WordScanner {
    let text: ScalarText
    let start: Int
    let end: Int

    private static let apostrophe: UInt32 = 0x27
    private static let space: UInt32 = 0x20
    private static let carriageReturn: UInt32 = 0x0D
    private static let lineFeed: UInt32 = 0x0A

    @inline(__always) private func scalar(_ index: Int) -> UInt32 {
        index < end ? text.scalars[index] : UInt32.max
    }

    @inline(__always) private func cls(_ index: Int) -> ScalarClass {
        index < end ? text.classes[index] : []
    }

    @inline(__always) private func isNewline(_ value: UInt32) -> Bool {
        value == Self.carriageReturn || value == Self.lineFeed
    }

    /// The length of a contraction (`'s 't 'm 'd 're 've 'll`) at `index`, or 0.
    @inline(__always) private func contraction(at index: Int, caseInsensitive: Bool) -> Int {
        guard scalar(index) == Self.apostrophe, index + 1 < end else { return 0 }
        func letter(_ i: Int) -> UInt32 {
            let value = scalar(i)
            return caseInsensitive && (0x41...0x5A).contains(value) ? value + 0x20 : value
        }
        switch letter(index + 1) {
        case 0x73, 0x74, 0x6D, 0x64: return 2  // s t m d
        default: break
        }
        guard index + 2 < end else { return 0 }
        switch (letter(index + 1), letter(index + 2)) {
        case (0x72, 0x65), (0x76, 0x65), (0x6C, 0x6C): return 3  // re ve ll
        default: return 0
        }
    }

    /// How many whitespace scalars start at `index`.
    @inline(__always) private func whitespaceRun(at index: Int) -> Int {
        var count = 0
        while cls(index + count).contains(.whitespace) { count += 1 }
        return count
    }

    /// GPT-2: `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`
    func gpt2(into ends: inout [Int]) {
        var position = start
        while position < end {
            let current = text.scalars[position]
            let length = contraction(at: position, caseInsensitive: false)
            if length > 0 {
                position += length
                ends.append(position)
                continue
            }
            // An optional leading space joins the run that follows it.
            let next = current == Self.space ? cls(position + 1) : cls(position)
            let skip = current == Self.space ? 1 : 0
            if next.contains(.letter) {  // ` ?\p{L}+`
                position += skip
                while cls(position).contains(.letter) { position += 1 }
                ends.append(position)
                continue
            }
            if next.contains(.number) {  // ` ?\p{N}+`
                position += skip
                while cls(position).contains(.number) { position += 1 }
                ends.append(position)
                continue
            }
            if !next.isEmpty && next.isDisjoint(with: .wordish) {  // ` ?[^\s\p{L}\p{N}]+`
                position += skip
                while position < end && cls(position).isDisjoint(with: .wordish) { position += 1 }
                ends.append(position)
                continue
            }
            let spaces = whitespaceRun(at: position)
            if spaces > 1 && position + spaces < end {  // `\s+(?!\S)`: all but the last before a word
                position += spaces - 1
            } else if spaces > 0 {  // `\s+`
                position += spaces
            } else {
                position += 1
            }
            ends.append(position)
        }
    }

    /// Llama 3 (`maxDigits` 3) and Qwen 2 (`maxDigits` 1):
    /// `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
    /// With `marks`, Qwen 3.5's variant: combining marks count as letters (`[\p{L}\p{M}]+`, and
    /// `[^\s\p{L}\p{M}\p{N}]+` for the other characters).
    func llama3(maxDigits: Int, marks: Bool = false, into ends: inout [Int]) {
        let letters: ScalarClass = marks ? [.letter, .mark] : .letter
        let wordish: ScalarClass = marks ? ScalarClass.wordish.union(.mark) : .wordish
        var position = start
        while position < end {
            let current = text.scalars[position]
            let currentClass = text.classes[position]
            let length = contraction(at: position, caseInsensitive: true)
            if length > 0 {
                position += length
                ends.append(position)
                continue
            }
            // `[^\r\n\p{L}\p{N}]?\p{L}+`: one leading character of another kind may join.
            if !isNewline(current) && !currentClass.contains(.number)
                && !(currentClass.isDisjoint(with: letters) && cls(position + 1).isDisjoint(with: letters)) {
                position += 1
                while !cls(position).isDisjoint(with: letters) { position += 1 }
                ends.append(position)
                continue
            }
            if currentClass.contains(.number) {  // `\p{N}{1,maxDigits}`
                var groupStart = position
                while cls(position).contains(.number) {
                    position += 1
                    if position - groupStart >= maxDigits {
                        ends.append(position)
                        groupStart = position
                    }
                }
                if position > groupStart { ends.append(position) }
                continue
            }
            // ` ?[^\s\p{L}\p{N}]+[\r\n]*` (a space at the very end is a word of its own here,
            // as the whitespace alternatives would make it).
            let next = current == Self.space ? cls(position + 1) : currentClass
            if next.isDisjoint(with: wordish) {
                if current == Self.space { position += 1 }
                while position < end && cls(position).isDisjoint(with: wordish) { position += 1 }
                while isNewline(scalar(position)) { position += 1 }
                ends.append(position)
                continue
            }
            var spaces = 0
            var afterLastNewline = -1
            while cls(position + spaces).contains(.whitespace) {
                if isNewline(text.scalars[position + spaces]) { afterLastNewline = position + spaces + 1 }
                spaces += 1
            }
            if afterLastNewline >= 0 {  // `\s*[\r\n]+`
                position = afterLastNewline
            } else if spaces > 1 && position + spaces < end {  // `\s+(?!\S)`
                position += spaces - 1
            } else if spaces > 0 {  // `\s+`
                position += spaces
            } else {
                position += 1
            }
            ends.append(position)
        }
    }
}
