import Foundation
import GrokJSON
import Testing

/// Each bad input gets the right error, and the same connection then answers a ping.
@Suite struct BadInputTests {
    private func errorCode(_ reply: JSONValue) -> Int64? { reply["error"]?["code"]?.intValue }

    @Test func malformedJSONIsAParseError() async throws {
        let daemon = try await TestDaemon.started()
        let connection = try RawConnection(path: daemon.socketPath)
        let reply = try connection.roundTrip(#"{"jsonrpc":"2.0","id":1,"method":"daemon.ping""#)
        #expect(errorCode(reply) == -32700)
        #expect(reply["id"] == .null)
        #expect(try connection.assertStillServes())
    }

    @Test func invalidUTF8IsAParseError() async throws {
        let daemon = try await TestDaemon.started()
        let connection = try RawConnection(path: daemon.socketPath)
        let prefix = Array(#"{"jsonrpc":"2.0","id":1,"method":"daemon.ping","params":{"x":""#.utf8)
        try connection.sendBytes(prefix + [0xC3, 0x28] + Array(#""}}"#.utf8) + [0x0A])
        let reply = try connection.readJSON()
        #expect(errorCode(reply) == -32700)
        #expect(reply["error"]?["message"]?.stringValue?.contains("UTF-8") == true)
        #expect(try connection.assertStillServes())
    }

    @Test func loneSurrogateIsAParseError() async throws {
        let daemon = try await TestDaemon.started()
        let connection = try RawConnection(path: daemon.socketPath)
        let reply = try connection.roundTrip(#"{"jsonrpc":"2.0","id":1,"method":"daemon.ping","params":{"x":"\udc00"}}"#)
        #expect(errorCode(reply) == -32700)
        #expect(try connection.assertStillServes())
    }

    @Test func millionNestedBracketsAreRefused() async throws {
        let daemon = try await TestDaemon.started()
        let connection = try RawConnection(path: daemon.socketPath)
        try connection.sendBytes([UInt8](repeating: UInt8(ascii: "["), count: 1_000_000) + [0x0A])
        let reply = try connection.readJSON()
        #expect(errorCode(reply) == -32600)
        #expect(reply["error"]?["data"]?["limit"] == 64)
        #expect(try connection.assertStillServes())
    }

    @Test func twentyMebibyteLineIsAnsweredAndSkipped() async throws {
        let daemon = try await TestDaemon.started()
        let connection = try RawConnection(path: daemon.socketPath)
        let filler = [UInt8](repeating: UInt8(ascii: "a"), count: 20 << 20)
        let line = Array(#"{"jsonrpc":"2.0","id":1,"method":"daemon.ping","params":{"x":""#.utf8) + filler + Array(#""}}"#.utf8)
        try connection.sendBytes(line + [0x0A])
        let reply = try connection.readJSON()
        #expect(errorCode(reply) == -32600)
        #expect(reply["id"] == .null)
        #expect(reply["error"]?["data"]?["limit"] == .int(8 << 20))
        // The rest of the long line was discarded: the next line is read as a fresh message.
        #expect(try connection.assertStillServes())
        #expect(try connection.assertStillServes(id: 10000))
    }

    @Test func wrongParamTypesNameTheField() async throws {
        let daemon = try await TestDaemon.started()
        let connection = try RawConnection(path: daemon.socketPath)
        let reply = try connection.roundTrip(#"{"jsonrpc":"2.0","id":"w","method":"daemon.sleep","params":{"ms":[1]}}"#)
        #expect(errorCode(reply) == -32602)
        #expect(reply["id"] == "w")
        #expect(reply["error"]?["data"]?["field"] == "ms")
        let range = try connection.roundTrip(#"{"jsonrpc":"2.0","id":"r","method":"daemon.sleep","params":{"ms":-5}}"#)
        #expect(errorCode(range) == -32602)
        #expect(try connection.assertStillServes())
    }

    @Test func unknownMethodIsReported() async throws {
        let daemon = try await TestDaemon.started()
        let connection = try RawConnection(path: daemon.socketPath)
        let reply = try connection.roundTrip(#"{"jsonrpc":"2.0","id":5,"method":"no.such.method"}"#)
        #expect(errorCode(reply) == -32601)
        #expect(reply["error"]?["data"]?["method"] == "no.such.method")
        #expect(try connection.assertStillServes())
    }

    @Test func batchOfNotificationsGetsNoAnswer() async throws {
        let daemon = try await TestDaemon.started()
        let connection = try RawConnection(path: daemon.socketPath)
        try connection.send(#"[{"jsonrpc":"2.0","method":"daemon.ping"},{"jsonrpc":"2.0","method":"daemon.status"}]"#)
        #expect(connection.isSilent(for: .milliseconds(300)))
        #expect(try connection.assertStillServes())
    }

    @Test func emptyBatchIsOneInvalidRequest() async throws {
        let daemon = try await TestDaemon.started()
        let connection = try RawConnection(path: daemon.socketPath)
        let reply = try connection.roundTrip("[]")
        #expect(errorCode(reply) == -32600)
        #expect(reply.arrayValue == nil)
        #expect(try connection.assertStillServes())
    }

    @Test func everyBadInputInARowOnOneConnection() async throws {
        let daemon = try await TestDaemon.started()
        let connection = try RawConnection(path: daemon.socketPath)
        let cases: [(String, Int64)] = [
            ("{", -32700), ("null", -32600), (#"{"jsonrpc":"2.0","id":{},"method":"daemon.ping"}"#, -32600),
            (#"{"jsonrpc":"2.0","id":1,"method":"daemon.ping","params":"x"}"#, -32600),
            (#"{"jsonrpc":"2.0","id":1,"method":"daemon.ping","params":[1]}"#, -32602),
            (#"{"jsonrpc":"2.0","id":1,"method":"daemon.ping","id":2}"#, -32700),
        ]
        for (line, code) in cases {
            let reply = try connection.roundTrip(line)
            #expect(errorCode(reply) == code, "\(line)")
        }
        #expect(try connection.assertStillServes())
    }
}
