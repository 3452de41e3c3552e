import GrokJSON
import Testing

@testable import GrokEngine

/// The JSON grammar the sampler follows: what it lets through byte by byte, and what it stops.
@Suite struct JSONGrammarTests {
    static func grammar(_ schema: String) throws -> JSONGrammar {
        try JSONGrammar(schema: try JSONCodec.parse(string: schema))
    }

    /// Whether `text` is a whole value of the grammar.
    static func accepts(_ grammar: JSONGrammar, _ text: String) -> Bool {
        var matcher = JSONMatcher(grammar)
        return matcher.feed(Array(text.utf8)) && matcher.canEnd
    }

    /// The length of the longest prefix of `text` the grammar lets through.
    static func validPrefix(_ grammar: JSONGrammar, _ text: String) -> Int {
        var matcher = JSONMatcher(grammar)
        for (index, byte) in text.utf8.enumerated() where !matcher.feed([byte]) { return index }
        return text.utf8.count
    }

    @Test func objectsKeepToTheirProperties() throws {
        let person = try Self.grammar("""
            {"type":"object","properties":{"name":{"type":"string","maxLength":8},"age":{"type":"integer"},
             "tags":{"type":"array","items":{"enum":["a","b"]},"maxItems":2}},"required":["name","age"],
             "additionalProperties":false}
            """)
        #expect(Self.accepts(person, #"{"name":"Ada","age":36}"#))
        #expect(Self.accepts(person, #"{ "age": 36, "name": "Ada", "tags": ["a", "b"] }"#))
        #expect(Self.validPrefix(person, #"{"name":"Ada"}"#) == 13)  // age is required
        #expect(Self.validPrefix(person, #"{"nick":"x"}"#) == 3)  // no such property
        #expect(Self.validPrefix(person, #"{"name":"Ada","name":"B"}"#) == 15)  // each key once
        #expect(Self.validPrefix(person, #"{"name":"Adalovelace"}"#) == 17)  // maxLength 8
        #expect(Self.validPrefix(person, #"{"name":"A","age":3.5}"#) == 19)  // an integer
        #expect(Self.validPrefix(person, #"{"name":"A","age":1,"tags":["c"]}"#) == 29)  // enum
        #expect(Self.validPrefix(person, #"{"name":"A","age":1,"tags":["a","b","a"]}"#) == 35)  // maxItems
        var matcher = JSONMatcher(person)
        matcher.feed(Array(#"{"name":"A","age":1}"#.utf8))
        #expect(matcher.isFinished && !matcher.feed([UInt8(ascii: " ")]))  // nothing after the value
    }

    @Test func numbersFollowJSONsRules() throws {
        let number = try Self.grammar(#"{"type":"number"}"#)
        for good in ["0", "-0.5", "12e3", "1.25E-7", "-10"] { #expect(Self.accepts(number, good), "\(good)") }
        for bad in ["01", "-", "1.", ".5", "1e", "+1", "1.2.3"] { #expect(!Self.accepts(number, bad), "\(bad)") }
        let integer = try Self.grammar(#"{"type":"integer"}"#)
        #expect(Self.accepts(integer, "-42") && !Self.accepts(integer, "4.2") && !Self.accepts(integer, "4e2"))
        // Bounded, so that what is written parses as an Int64 or a finite Double.
        #expect(Self.accepts(number, String(repeating: "9", count: 15) + "." + String(repeating: "9", count: 15) + "e-99"))
        #expect(!Self.accepts(number, String(repeating: "9", count: 16)) && !Self.accepts(number, "1e100"))
    }

    @Test func stringsAreValidJSONAndValidUTF8() throws {
        let string = try Self.grammar(#"{"type":"string","minLength":2}"#)
        #expect(Self.accepts(string, #""é\n\u00e9 ok""#))
        #expect(!Self.accepts(string, #""a""#))  // minLength
        #expect(Self.validPrefix(string, "\"a\nb\"") == 2)  // a raw control character
        #expect(Self.validPrefix(string, #""\x""#) == 2)  // an unknown escape
        var matcher = JSONMatcher(string)
        #expect(matcher.feed([0x22, 0xC3]) && !matcher.feed([0x41]))  // a lead byte wants a continuation
        var overlong = JSONMatcher(string)
        #expect(overlong.feed([0x22]) && !overlong.feed([0xC0]))
    }

    @Test func literalsEnumsAndAlternatives() throws {
        let choice = try Self.grammar(#"{"anyOf":[{"type":"boolean"},{"enum":[1,10,"x"]},{"type":"null"}]}"#)
        for good in ["true", "false", "1", "10", "\"x\"", "null"] { #expect(Self.accepts(choice, good), "\(good)") }
        for bad in ["tru", "100", "\"y\"", "2"] { #expect(!Self.accepts(choice, bad), "\(bad)") }
        let constant = try Self.grammar(#"{"const":{"k":[1,2]}}"#)
        #expect(Self.accepts(constant, #"{"k":[1,2]}"#) && !Self.accepts(constant, #"{"k": [1,2]}"#))
    }

    @Test func aToolCallsArgumentsFollowTheNamedTool() throws {
        let call = try JSONGrammar.toolCall([
            ("calc.eval", try JSONCodec.parse(string: #"{"type":"object","properties":{"expression":{"type":"string"}},"required":["expression"]}"#)),
            ("sysinfo.now", try JSONCodec.parse(string: #"{"type":"object","properties":{}}"#)),
        ])
        #expect(Self.accepts(call, #"{"name": "calc.eval", "arguments": {"expression": "2+2"}}"#))
        #expect(Self.accepts(call, #"{"name": "sysinfo.now", "arguments": {}}"#))
        #expect(!Self.accepts(call, #"{"name": "sysinfo.now", "arguments": {"expression": "2+2"}}"#))
        #expect(Self.validPrefix(call, #"{"name": "calc.eval", "arguments": {}}"#) == 36)  // expression is required
        #expect(Self.validPrefix(call, #"{"name": "calc.exec""#) == 16)  // no such tool
    }

    @Test func whitespaceIsBoundedAndKeysAreUnique() throws {
        let any = JSONGrammar.any
        #expect(Self.validPrefix(any, #"{"a":1,"a":2}"#) == 9)
        #expect(Self.accepts(any, "{\n  \"a\": [\n    1\n  ]\n}"))
        #expect(Self.accepts(any, "[ 1, 2 ]") && !Self.accepts(any, "[  1]"))  // one space, or a line and its indent
        #expect(!Self.accepts(any, "[\n" + String(repeating: " ", count: 40) + "1]"))
    }

    @Test func schemasItCannotUseAreErrors() throws {
        #expect(throws: JSONGrammar.SchemaError.self) { try Self.grammar(#"{"type":"strung"}"#) }
        #expect(throws: JSONGrammar.SchemaError.self) { try Self.grammar(#"{"$ref":"http://example.com/x"}"#) }
        #expect(throws: JSONGrammar.SchemaError.self) { try Self.grammar(##"{"$ref":"#"}"##) }  // refers to itself for ever
        #expect(throws: JSONGrammar.SchemaError.self) { try Self.grammar(#"{"type":"array","minItems":3,"maxItems":1}"#) }
        let referenced = try Self.grammar(##"{"$defs":{"n":{"type":"integer"}},"type":"array","items":{"$ref":"#/$defs/n"}}"##)
        #expect(Self.accepts(referenced, "[1,2]") && !Self.accepts(referenced, #"["1"]"#))
    }

    /// For any grammar, the matcher and the JSON parser agree on random values and on random
    /// one-byte damage to them.
    @Test func agreesWithTheParserOnRandomValues() throws {
        var random = SplitMix64(seed: 0x15_0A)
        for round in 0..<400 {
            let value = Self.randomValue(&random, depth: 0)
            let text = round % 2 == 0 ? try JSONCodec.encodeToString(value) : try JSONCodec.encodePretty(value)
            #expect(Self.accepts(.any, text), "\(text)")
            var bytes = Array(text.utf8)
            let position = Int(random.next() % UInt64(bytes.count))
            bytes[position] = Array("{}[]\",:0-x.tn \\".utf8)[Int(random.next() % 15)]  // (no e: 1e999 is JSON our parser refuses)
            let damaged = String(decoding: bytes, as: UTF8.self)
            // (The matcher allows blanks before a value, never after it.)
            let parses = (try? JSONCodec.parse(string: damaged)) != nil && damaged.last != " "
            #expect(Self.accepts(.any, damaged) == parses, "\(damaged)")
        }
    }

    static func randomValue(_ random: inout SplitMix64, depth: Int) -> JSONValue {
        switch random.next() % (depth < 3 ? 7 : 5) {
        case 0: return .null
        case 1: return .bool(random.next() % 2 == 0)
        case 2: return .int(Int64(random.next() % 20_000) - 10_000)
        case 3: return .double(Double(random.next() % 1000) / 8)
        case 4: return .string(["", "a", "é ü", "line\nbreak", "quote\"", "tab\t"][Int(random.next() % 6)])
        case 5: return .array((0..<Int(random.next() % 4)).map { _ in randomValue(&random, depth: depth + 1) })
        default:
            var object: JSONObject = [:]
            for index in 0..<Int(random.next() % 4) { object["k\(index)"] = randomValue(&random, depth: depth + 1) }
            return .object(object)
        }
    }
}
