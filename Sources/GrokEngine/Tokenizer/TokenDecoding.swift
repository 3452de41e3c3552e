/// Token ids → text, as llama.cpp's `llama_detokenize` does it (special tokens neither removed
/// nor rendered): the pieces joined, the first piece without the space the encoder prefixed,
/// and for vocabularies that ask for it the "clean-up" of spaces before punctuation.
enum TokenDecoding {
    static func decode(_ ids: [Int32], vocabulary: Vocabulary, bytes: (Int32) -> [UInt8]) -> String {
        var text: [UInt8] = []
        text.reserveCapacity(ids.count * 4)
        for (index, id) in ids.enumerated() {
            let piece = bytes(id)
            // Only the first token is stripped, even when it renders as nothing (BOS).
            if index == 0 && vocabulary.addSpacePrefix && piece.first == 0x20 {
                text += piece.dropFirst()
            } else {
                text += piece
            }
        }
        if vocabulary.cleanSpaces { text = cleanUpSpaces(text) }
        return String(decoding: text, as: UTF8.self)
    }

    /// llama.cpp's three passes: " ?" " !" " ." " ," lose the space; a lone "'" between spaces
    /// loses both; " 's" " 'm" " 're" " 've" lose the space (" 't" " 'd" " 'll" keep it).
    static func cleanUpSpaces(_ input: [UInt8]) -> [UInt8] {
        let space = UInt8(ascii: " "), quote = UInt8(ascii: "'")
        guard !input.isEmpty else { return input }

        var first: [UInt8] = [input[0]]
        for index in 1..<input.count {
            let byte = input[index]
            if input[index - 1] == space && "?!.,".utf8.contains(byte) { first.removeLast() }
            first.append(byte)
        }

        var marked = first  // a space skipped after a lone quote becomes NUL, as in llama.cpp
        var second: [UInt8] = [marked[0]]
        var index = 1
        while index < marked.count {
            let byte = marked[index]
            if byte == quote && index + 1 < marked.count && marked[index - 1] == space && marked[index + 1] == space {
                second.removeLast()
                marked[index + 1] = 0
                index += 1
            }
            second.append(byte)
            index += 1
        }

        var third: [UInt8] = [second[0]]
        for index in 1..<second.count {
            let byte = second[index]
            if second[index - 1] == space && byte == quote && index + 1 < second.count {
                let next = second[index + 1]
                if next == UInt8(ascii: "s") || next == UInt8(ascii: "m") {
                    third.removeLast()
                } else if next != UInt8(ascii: "t") && next != UInt8(ascii: "d") && index + 2 < second.count {
                    let after = second[index + 2]
                    if (next == UInt8(ascii: "r") || next == UInt8(ascii: "v")) && after == UInt8(ascii: "e") {
                        third.removeLast()
                    }
                }
            }
            third.append(byte)
        }
        return third
    }
}
