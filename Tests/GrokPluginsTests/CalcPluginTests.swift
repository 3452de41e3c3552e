import Foundation
import GrokJSON
import GrokPlugins
import GrokProtocol
import Testing

/// The calc plugin through its host: exact arithmetic with a real parser, unit conversion, and
/// clear errors for what cannot be computed.
@Suite(.serialized) struct CalcPluginTests {
    static let manager: PluginManager = {
        let (manager, _) = PluginManagerTests.manager()
        return manager
    }()

    static func call(_ tool: String, _ arguments: JSONValue) async throws -> ToolsCall.Result {
        if await manager.list().isEmpty { _ = try await manager.load(PluginManagerTests.library("grok-calc")) }
        return try await manager.call("calc.\(tool)", arguments: arguments, timeout: nil)
    }

    /// (expression, result, exact)
    static let exact: [(String, String, Bool)] = [
        ("1+2*3", "7", true), ("(1+2)*3", "9", true), ("-2^2", "-4", true), ("2^-1", "0.5", true),
        ("2**3**2", "512", true), ("0.1+0.2", "0.3", true), ("10/4", "2.5", true), ("7 % 3", "1", true),
        ("2^100", "1267650600228229401496703205376", true),
        ("123456789012345678901234567890 * 987654321098765432109876543210",
         "121932631137021795226185032733622923332237463801111263526900", true),
        ("factorial(25)", "15511210043330985984000000", true), ("max(3, 7.5, -1)", "7.5", true),
        ("1e-5 * 3", "0.00003", true), ("-(3-5)", "2", true), ("abs(-2.50)", "2.5", true),
        ("max(2, 1e3000)", "1e+3000", true), ("min(1e3000, 5)", "5", true), ("floor(7.5)", "7", true),
        ("1/3", "0.3333333333333333333333333333333333", false), ("sqrt(2)", "1.4142135623730951", false),
        ("floor(0.99999999999999999999)", "1", false),  // the argument was rounded to a double on the way in
    ]

    @Test(arguments: exact)
    func evaluatesExactly(_ expression: String, _ expected: String, _ isExact: Bool) async throws {
        let answer = try await Self.call("eval", ["expression": .string(expression)])
        #expect(!answer.isError)
        #expect(answer.structuredContent?["result"]?.stringValue == expected, "\(expression)")
        #expect(answer.structuredContent?["exact"]?.boolValue == isExact, "\(expression)")
    }

    @Test(arguments: [
        ("1/0", "division by zero at 4"), ("sqrt(-1)", "square root of a negative number"), ("2^100000", "number too large"),
        ("1 +", "ends too early"), ("foo(2)", "unknown function foo"), ("3 $ 4", "unexpected '$' at 3"), ("((2)", "expected ')'"),
        ("ln(0)", "ln of a number ≤ 0"), ("1.5 % 2", "% needs whole numbers"),
        ("1e100000^8000*1e100000^8000*1e100000^8000", "number too large"),
    ])
    func explainsWhatCannotBeComputed(_ expression: String, _ message: String) async throws {
        let answer = try await Self.call("eval", ["expression": .string(expression)])
        #expect(answer.isError)
        let text = answer.content.first?["text"]?.stringValue ?? ""
        #expect(text.contains(message), "\(expression): \(text)")
    }

    @Test(arguments: [
        (JSONValue.int(1), "mi", "km", "1.609344"), (.int(100), "C", "F", "212"), (.string("98.6"), "F", "C", "37"),
        (.int(0), "K", "C", "-273.15"), (.int(1), "GiB", "MB", "1073.741824"), (.int(1), "lb", "g", "453.59237"),
        (.int(90), "min", "h", "1.5"), (.double(1.5), "in", "cm", "3.81"), (.int(212), "F", "K", "373.15"),
    ])
    func convertsUnitsExactly(_ value: JSONValue, _ from: String, _ to: String, _ expected: String) async throws {
        let answer = try await Self.call("convert", ["value": value, "from": .string(from), "to": .string(to)])
        #expect(!answer.isError)
        #expect(answer.structuredContent?["result"]?.stringValue == expected, "\(value) \(from) → \(to)")
    }

    @Test func refusesMismatchedAndUnknownUnits() async throws {
        let mixed = try await Self.call("convert", ["value": 1, "from": "kg", "to": "ft"])
        #expect(mixed.isError && mixed.content.first?["text"]?.stringValue == "cannot convert kg (mass) to ft (length)")
        let unknown = try await Self.call("convert", ["value": 1, "from": "parsec", "to": "m"])
        #expect(unknown.isError && unknown.content.first?["text"]?.stringValue == "unknown unit parsec")
    }
}
