import GrokJSON
import GrokProtocol
import Testing
@testable import GrokRPC

@Suite struct RPCMessageTests {
    private func classify(_ text: String) throws -> RPCMessage { RPCMessage(json: try JSONCodec.parse(string: text)) }

    @Test func requestsNotificationsAndResponses() throws {
        #expect(try classify(#"{"jsonrpc":"2.0","id":1,"method":"m"}"#) == .request(id: .number(1), method: "m", params: nil))
        #expect(try classify(#"{"jsonrpc":"2.0","id":"a","method":"m","params":[]}"#) == .request(id: .string("a"), method: "m", params: []))
        #expect(try classify(#"{"jsonrpc":"2.0","method":"m"}"#) == .notification(method: "m", params: nil))
        #expect(try classify(#"{"jsonrpc":"2.0","id":null,"method":"m"}"#) == .request(id: .null, method: "m", params: nil))
        #expect(try classify(#"{"jsonrpc":"2.0","id":3,"result":{}}"#) == .response(id: .number(3), result: .success([:])))
    }

    @Test func invalidShapesAreInvalidRequests() throws {
        for text in [
            #"{"id":1,"method":"m"}"#, #"{"jsonrpc":"1.0","id":1,"method":"m"}"#, #"{"jsonrpc":"2.0","id":1,"method":3}"#,
            #"{"jsonrpc":"2.0","id":true,"method":"m"}"#, #"{"jsonrpc":"2.0","id":1.5,"method":"m"}"#,
            #"{"jsonrpc":"2.0","id":1,"method":"m","params":1}"#, "[1]", "\"x\"", #"{"jsonrpc":"2.0"}"#,
        ] {
            guard case .invalid(_, let error) = try classify(text) else {
                Issue.record("\(text) should be invalid")
                continue
            }
            #expect(error.code == RPCErrorCode.invalidRequest, "\(text)")
        }
    }

    @Test func errorResponsesRoundTrip() throws {
        let message = RPCMessage.response(id: .number(9), result: .failure(.invalidParams("bad", field: "a.b")))
        let back = RPCMessage(json: try JSONCodec.parse(JSONCodec.encode(message.json)))
        #expect(back == message)
        #expect(message.json["error"]?["data"]?["field"] == "a.b")
    }

    @Test func anUnencodableResultStillAnswersItsId() throws {
        let bytes = RPCConnection.encodeAnswer(.response(id: .number(5), result: .success(["x": .double(.nan)])))
        let answer = try JSONCodec.parse(bytes)
        #expect(answer["id"] == 5)
        #expect(answer["error"]?["code"] == .int(Int64(RPCErrorCode.internalError)))
    }

    @Test func paramsDecodingNamesNestedFields() throws {
        struct Options: Codable { var topK: Int }
        struct Params: Codable { var options: Options }
        do {
            _ = try ParamsDecoding.decode(Params.self, from: ["options": ["topK": "x"]])
            Issue.record("should fail")
        } catch {
            #expect(error.code == RPCErrorCode.invalidParams)
            #expect(error.data?["field"] == "options.topK")
        }
        do {
            _ = try ParamsDecoding.decode(Params.self, from: ["options": [:]])
            Issue.record("should fail")
        } catch {
            #expect(error.data?["field"] == "options.topK")
        }
        #expect(throws: RPCError.self) { try ParamsDecoding.decode(NoParams.self, from: [1]) }
        #expect(throws: Never.self) { try ParamsDecoding.decode(NoParams.self, from: []) }
    }
}
