import Testing
@testable import GrokJSON

private struct Sample: Codable, Equatable {
    var name: String
    var count: Int
    var ratio: Double
    var tags: [String]
    var nested: Inner?
    var extra: JSONValue?

    struct Inner: Codable, Equatable {
        var flag: Bool
        var id: UInt32
    }
}

@Suite struct JSONCodecTests {
    @Test func parsesEveryKindOfValue() throws {
        let value = try JSONCodec.parse(string: #"{"a":null,"b":true,"c":-12,"d":1.5,"e":"x\u00e9","f":[1,[2]],"g":{}}"#)
        #expect(value["a"] == .null)
        #expect(value["b"] == .bool(true))
        #expect(value["c"] == .int(-12))
        #expect(value["d"] == .double(1.5))
        #expect(value["e"] == .string("xé"))
        #expect(value["f"] == [1, [2]])
        #expect(value["g"] == .object([:]))
    }

    @Test func printsCompactAndKeepsKeyOrder() throws {
        let text = #"{"zeta":1,"alpha":[true,null],"mid":"é\n"}"#
        let value = try JSONCodec.parse(string: text)
        #expect(try JSONCodec.encodeToString(value) == text)
    }

    @Test func roundTripsCodableTypesAndOmitsNil() throws {
        let sample = Sample(name: "n", count: 3, ratio: 0.25, tags: ["a", "b"], nested: nil, extra: ["k": 1])
        let bytes = try JSONCodec.encode(sample)
        #expect(String(decoding: bytes, as: UTF8.self) == #"{"name":"n","count":3,"ratio":0.25,"tags":["a","b"],"extra":{"k":1}}"#)
        #expect(try JSONCodec.decode(Sample.self, from: bytes) == sample)
        let withNested = Sample(name: "", count: -1, ratio: 1e300, tags: [], nested: .init(flag: true, id: 7), extra: nil)
        #expect(try JSONCodec.decode(Sample.self, from: JSONCodec.encode(withNested)) == withNested)
    }

    @Test func typeMismatchNamesTheField() throws {
        let bad = Array(#"{"name":"n","count":"three","ratio":1,"tags":[]}"#.utf8)
        do {
            _ = try JSONCodec.decode(Sample.self, from: bad)
            Issue.record("decoding should fail")
        } catch DecodingError.typeMismatch(_, let context) {
            #expect(context.codingPath.map(\.stringValue) == ["count"])
            #expect(context.debugDescription.contains("expected an integer, got a string"))
        }
        let nested = Array(#"{"name":"n","count":1,"ratio":1,"tags":[],"nested":{"flag":true,"id":-1}}"#.utf8)
        #expect(throws: DecodingError.self) { try JSONCodec.decode(Sample.self, from: nested) }
    }

    @Test func rejectsInvalidUTF8() {
        let cases: [[UInt8]] = [
            [0x22, 0xFF, 0x22],  // 0xFF never appears in UTF-8
            [0x22, 0xC3, 0x22],  // truncated two-byte sequence
            [0x22, 0xED, 0xA0, 0x80, 0x22],  // an encoded surrogate
            [0x22, 0xC0, 0xAF, 0x22],  // overlong "/"
        ]
        for bytes in cases {
            #expect(throws: JSONCodecError.self) { try JSONCodec.parse(bytes) }
            do { _ = try JSONCodec.parse(bytes) } catch {
                if case .invalidUTF8 = error {} else { Issue.record("\(bytes): expected invalidUTF8, got \(error)") }
            }
        }
    }

    @Test func rejectsLoneSurrogatesButAcceptsPairs() throws {
        for text in [#""\ud800""#, #""\udc00""#, #""\ud800x""#, #""\ud800\u0041""#] {
            #expect(throws: JSONCodecError.self, "\(text)") { try JSONCodec.parse(string: text) }
        }
        #expect(try JSONCodec.parse(string: #""\ud83d\ude00""#) == .string("😀"))
    }

    @Test func keepsNULInsideStrings() throws {
        let value = try JSONCodec.parse(string: #""a\u0000b""#)
        #expect(value == .string("a\u{0}b"))
        #expect(try JSONCodec.encodeToString(value) == #""a\u0000b""#)
    }

    @Test func enforcesTheDepthLimit() throws {
        let ok = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(throws: Never.self) { try JSONCodec.parse(string: ok) }
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(throws: JSONCodecError.tooDeep(limit: 64)) { try JSONCodec.parse(string: deep) }
        let hostile = [UInt8](repeating: UInt8(ascii: "["), count: 1_000_000)
        #expect(throws: JSONCodecError.tooDeep(limit: 64)) { try JSONCodec.parse(hostile) }
        // Brackets inside strings are text, not nesting.
        let quoted = "\"" + String(repeating: "[", count: 500) + "\""
        #expect(throws: Never.self) { try JSONCodec.parse(string: quoted) }
    }

    @Test func rejectsMalformedTextWithAPosition() {
        for text in ["{", #"{"a" 1}"#, "[1,]", "nul", "1 2", "", "{\"a\":1,\"a\":2}", "\"\u{1}\""] {
            #expect(throws: JSONCodecError.self, "\(text)") { try JSONCodec.parse(string: text) }
        }
    }

    @Test func refusesToEncodeNonFiniteNumbers() {
        #expect(throws: JSONCodecError.self) { try JSONCodec.encode(JSONValue.double(.nan)) }
        #expect(throws: JSONCodecError.self) { try JSONCodec.encode(JSONValue.array([.double(.infinity)])) }
    }

    @Test func everyIntegerWidthRoundTrips() throws {
        struct Widths: Codable, Equatable {
            var bytes: [UInt8]
            var small: Int8
            var port: UInt16?
            var word: UInt
            var halves: [Int16]
            var single: Float
        }
        let value = Widths(bytes: [0, 7, 255], small: -128, port: 8080, word: 42, halves: [-1, 300], single: 0.5)
        #expect(try JSONCodec.decode(Widths.self, from: JSONCodec.encode(value)) == value)
        #expect(try JSONCodec.decode([UInt8].self, from: Array("[1,2,3]".utf8)) == [1, 2, 3])
        #expect(throws: DecodingError.self) { try JSONCodec.decode([UInt8].self, from: Array("[256]".utf8)) }
        #expect(throws: DecodingError.self) { try JSONCodec.decode(UInt16.self, from: Array("-1".utf8)) }
    }

    @Test func largeIntegersAndDoublesSurvive() throws {
        let value: JSONValue = [.int(Int64.max), .int(Int64.min), .double(0.1), .double(-1e-300)]
        #expect(try JSONCodec.parse(JSONCodec.encode(value)) == value)
    }
}
