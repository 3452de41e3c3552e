import Foundation
import GrokTemplate
import Testing

/// Errors, the lenient undefined, globals and the public API's conveniences.
@Suite struct BehaviourTests {
    private func error(_ source: String, _ variables: [String: TemplateValue] = [:]) -> String? {
        do {
            _ = try ChatTemplate(source).render(variables)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func raiseExceptionSurfacesTheMessage() {
        #expect(error("a{% if true %}{{ raise_exception('Roles must alternate') }}{% endif %}") == "Roles must alternate")
    }

    @Test func syntaxErrorsNameLineAndColumn() {
        #expect(error("line one\n  {{ 1 + }}") == "line 2, column 10: expected an expression, found '}}'")
        #expect(error("{% if x %}\nunclosed") == "line 2, column 9: unexpected end of template, expected one of: elif, else, endif")
        #expect(error("{% endfor %}") == "line 1, column 4: unexpected 'endfor'")
        #expect(error("{{ 'abc }}") == "line 1, column 4: unterminated string")
        #expect(error("ok\n{% frobnicate %}") == "line 2, column 4: unknown or unsupported tag 'frobnicate'")
    }

    @Test func runtimeErrorsNameLineAndColumn() {
        #expect(error("\n{{ x|nosuchfilter }}") == "line 2, column 5: no filter named 'nosuchfilter'")
        #expect(error("{{ 1 is nosuchtest }}") == "line 1, column 6: no test named 'nosuchtest'")
        #expect(error("{{ 'a' + 1 }}") == "line 1, column 8: unsupported operand type(s) for +: 'str' and 'int'")
        #expect(error("{{ 1 // 0 }}") == "line 1, column 6: integer division or modulo by zero")
        #expect(error("{{ nosuchfunction() }}") == "line 1, column 18: 'nosuchfunction' is undefined")
        #expect(error("{% for x in 3 %}{% endfor %}") == "line 1, column 4: 'int' object is not iterable")
        #expect(error("{% set x = 1 %}{% set x.y = 2 %}") == "line 1, column 19: cannot set attribute 'y' on 'x': not a namespace")
    }

    /// Unlike jinja2's default Undefined (which raises), attributes of undefined values are
    /// undefined too, so `message.a.b is defined` never throws.
    @Test func undefinedIsChainable() throws {
        let template = try ChatTemplate("[{{ missing.attr.deeper }}]{{ missing.attr is defined }}{{ missing['k'] is undefined }}")
        #expect(try template.render([:]) == "[]FalseTrue")
    }

    @Test func globalsAreDefinedNames() throws {
        let template = try ChatTemplate("{{ strftime_now is defined }}{{ raise_exception is defined }}{{ nothing is defined }}")
        #expect(try template.render([:]) == "TrueTrueFalse")
    }

    @Test func strftimeNowFormatsTheLocalDate() throws {
        let template = try ChatTemplate("{{ strftime_now('%d %b %Y|%B|%m|%Y-%m-%d') }}")
        let rendered = try template.render([:])
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone.current
        formatter.dateFormat = "dd MMM yyyy|MMMM|MM|yyyy-MM-dd"
        #expect(rendered == formatter.string(from: Date()))
    }

    @Test func chatConvenienceSetsTheUsualVariables() throws {
        let template = try ChatTemplate(
            "{{ bos_token }}{% for m in messages %}{{ m.role }}:{{ m.content }};{% endfor %}{{ tools is none }}{{ add_generation_prompt }}{{ eos_token }}{{ extra_flag }}")
        let rendered = try template.render(
            messages: [["role": "user", "content": "hi"]], addGenerationPrompt: true, bosToken: "<s>", eosToken: "</s>",
            extra: ["extra_flag": 7])
        #expect(rendered == "<s>user:hi;TrueTrue</s>7")
        let withTools = try ChatTemplate("{{ tools|length }}").render(
            messages: [], addGenerationPrompt: false, bosToken: "", eosToken: "", tools: [["type": "function"]])
        #expect(withTools == "1")
    }

    @Test func dictionariesKeepInsertionOrder() throws {
        var value: TemplateValue = ["z": 1, "a": 2, "m": 3]
        #expect(try ChatTemplate("{{ v|tojson }}").render(["v": value]) == #"{"z": 1, "a": 2, "m": 3}"#)
        if case .dictionary(var d) = value {
            d["a"] = 20
            d["b"] = 4
            value = .dictionary(d)
        }
        #expect(try ChatTemplate("{{ v|tojson }}").render(["v": value]) == #"{"z": 1, "a": 20, "m": 3, "b": 4}"#)
        // Equality is Python's: order does not matter, and 1 == 1.0.
        #expect(TemplateValue.object([("a", 1), ("b", 2)]) == ["b": 2, "a": 1.0])
    }

    @Test func tojsonEscapesControlCharacters() throws {
        let rendered = try ChatTemplate("{{ s|tojson }}").render(["s": "tab\tbell\u{07}nul\u{0}quote\"back\\slash/é🎉"])
        #expect(rendered == #""tab\tbell\u0007nul\u0000quote\"back\\slash/é🎉""#)
    }

    @Test func parsesOnceRendersMany() throws {
        let template = try ChatTemplate("{% for m in messages %}{{ m.content }}{% endfor %}")
        for i in 0..<3 {
            #expect(try template.render(["messages": [["content": .string("\(i)")]]]) == "\(i)")
        }
    }
}
