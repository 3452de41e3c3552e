import Foundation
import GrokJSON
import GrokProtocol
import GrokRPC
import Synchronization
import Testing

@Suite struct StreamingAndCancellationTests {
    @Test func streamingSendsProgressThenOneResult() async throws {
        let daemon = try await TestDaemon.started()
        let connection = try RawConnection(path: daemon.socketPath)
        try connection.send(#"{"jsonrpc":"2.0","id":"s","method":"daemon.sleep","params":{"ms":200,"stream":true,"intervalMs":50}}"#)
        var ticks: [Int64] = []
        while true {
            let message = try connection.readJSON()
            if message["method"] == "$/progress" {
                #expect(message["params"]?["id"] == "s")
                #expect(message["params"]?["kind"] == "tick")
                ticks.append(message["params"]?["elapsedMs"]?.intValue ?? -1)
                continue
            }
            #expect(message["id"] == "s")
            #expect((message["result"]?["sleptMs"]?.intValue ?? 0) >= 200)
            break
        }
        #expect(ticks.count >= 3)
        #expect(ticks == ticks.sorted())
    }

    @Test func withoutStreamOnlyTheResultArrives() async throws {
        let daemon = try await TestDaemon.started()
        let connection = try RawConnection(path: daemon.socketPath)
        let reply = try connection.roundTrip(#"{"jsonrpc":"2.0","id":1,"method":"daemon.sleep","params":{"ms":150,"intervalMs":20}}"#)
        #expect(reply["result"]?["sleptMs"] != nil)
    }

    @Test(arguments: [
        #"{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":7}}"#,
        #"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":7,"reason":"user"}}"#,
    ])
    func cancellationEndsTheRequestWithMinus32800(_ cancel: String) async throws {
        let daemon = try await TestDaemon.started()
        let connection = try RawConnection(path: daemon.socketPath)
        try connection.send(#"{"jsonrpc":"2.0","id":7,"method":"daemon.sleep","params":{"ms":60000,"stream":true,"intervalMs":20}}"#)
        let first = try connection.readJSON()
        #expect(first["method"] == "$/progress")
        try connection.send(cancel)
        var reply = try connection.readJSON()
        while reply["method"] == "$/progress" { reply = try connection.readJSON() }
        #expect(reply["id"] == 7)
        #expect(reply["error"]?["code"] == -32800)
        #expect(try connection.assertStillServes())
    }

    @Test func oneClientsCancelNeverTouchesAnothersRequest() async throws {
        let daemon = try await TestDaemon.started()
        let owner = try RawConnection(path: daemon.socketPath)
        let stranger = try RawConnection(path: daemon.socketPath)
        try owner.send(#"{"jsonrpc":"2.0","id":1,"method":"daemon.sleep","params":{"ms":400}}"#)
        let answer = try stranger.roundTrip(#"{"jsonrpc":"2.0","id":99,"method":"$/cancelRequest","params":{"id":1}}"#)
        #expect(answer["result"]?["cancelled"] == false)
        let reply = try owner.readJSON()
        #expect(reply["result"]?["sleptMs"] != nil)
    }

    @Test func cancellingAnUnknownIdAsARequestSaysSo() async throws {
        let daemon = try await TestDaemon.started()
        let connection = try RawConnection(path: daemon.socketPath)
        let reply = try connection.roundTrip(#"{"jsonrpc":"2.0","id":2,"method":"$/cancelRequest","params":{"id":12345}}"#)
        #expect(reply["result"]?["cancelled"] == false)
    }

    @Test func disconnectingMidStreamFreesTheRequest() async throws {
        let daemon = try await TestDaemon.started()
        let observer = try await daemon.client()
        do {
            let connection = try RawConnection(path: daemon.socketPath)
            try connection.send(#"{"jsonrpc":"2.0","id":1,"method":"daemon.sleep","params":{"ms":60000,"stream":true,"intervalMs":20}}"#)
            _ = try connection.readJSON()
            let busy = try await observer.call(DaemonStatus.self, NoParams())
            #expect(busy.inFlight == 1)
        }  // the connection closes here, mid-stream
        let freed = try await eventually { try await observer.call(DaemonStatus.self, NoParams()).inFlight == 0 }
        #expect(freed)
        await observer.close()
    }

    @Test func disconnectingFreesANonStreamingRequestToo() async throws {
        let daemon = try await TestDaemon.started()
        let observer = try await daemon.client()
        do {
            let connection = try RawConnection(path: daemon.socketPath)
            try connection.send(#"{"jsonrpc":"2.0","id":1,"method":"daemon.sleep","params":{"ms":60000}}"#)
            let busy = try await eventually { try await observer.call(DaemonStatus.self, NoParams()).inFlight == 1 }
            #expect(busy)
        }
        let freed = try await eventually { try await observer.call(DaemonStatus.self, NoParams()).inFlight == 0 }
        #expect(freed)
        await observer.close()
    }

    @Test func halfClosedClientStillGetsItsAnswers() async throws {
        let daemon = try await TestDaemon.started()
        let connection = try RawConnection(path: daemon.socketPath)
        try connection.send(#"{"jsonrpc":"2.0","id":1,"method":"daemon.sleep","params":{"ms":150}}"#)
        try connection.send(#"{"jsonrpc":"2.0","id":2,"method":"daemon.ping"}"#)
        connection.shutdownWrite()
        let answers = [try connection.readJSON(), try connection.readJSON()]
        #expect(Set(answers.compactMap { $0["id"] }) == [1, 2])
        #expect(throws: RawConnection.ClosedByPeer.self) { try connection.readLine() }
    }

    @Test func requestsBeyondTheInFlightLimitAreOverloaded() async throws {
        let daemon = try await TestDaemon.started(config: #"{"limits":{"maxInFlight":3}}"#)
        let connection = try RawConnection(path: daemon.socketPath)
        for id in 1...3 {
            try connection.send(#"{"jsonrpc":"2.0","id":\#(id),"method":"daemon.sleep","params":{"ms":60000}}"#)
        }
        let reply = try connection.roundTrip(#"{"jsonrpc":"2.0","id":4,"method":"daemon.ping"}"#)
        #expect(reply["id"] == 4)
        #expect(reply["error"]?["code"] == -32001)
        #expect(reply["error"]?["data"]?["retryAfterMs"]?.intValue != nil)
        try connection.send(#"{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":1}}"#)
        #expect(try connection.readJSON()["error"]?["code"] == -32800)
        #expect(try connection.assertStillServes())
    }

    @Test func reusingTheIdOfARunningRequestIsRefused() async throws {
        let daemon = try await TestDaemon.started()
        let connection = try RawConnection(path: daemon.socketPath)
        try connection.send(#"{"jsonrpc":"2.0","id":"x","method":"daemon.sleep","params":{"ms":300}}"#)
        let reply = try connection.roundTrip(#"{"jsonrpc":"2.0","id":"x","method":"daemon.ping"}"#)
        #expect(reply["error"]?["code"] == -32600)
        #expect(try connection.readJSON()["result"]?["sleptMs"] != nil)
    }

    @Test func aCancelRightAfterABatchReachesItsElements() async throws {
        let daemon = try await TestDaemon.started()
        let connection = try RawConnection(path: daemon.socketPath)
        let batch = #"[{"jsonrpc":"2.0","id":"b1","method":"daemon.sleep","params":{"ms":60000}},{"jsonrpc":"2.0","id":"b2","method":"daemon.ping"}]"#
        let cancel = #"{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":"b1"}}"#
        try connection.send(batch + "\n" + cancel)  // one write: the cancel is read right after
        let answer = try connection.readJSON()
        #expect(answer.arrayValue?.count == 2)
        #expect(answer.arrayValue?.first?["error"]?["code"] == -32800)
        #expect(answer.arrayValue?.last?["result"]?["pong"] == true)
    }

    @Test func batchElementsCountAgainstTheInFlightLimit() async throws {
        let daemon = try await TestDaemon.started(config: #"{"limits":{"maxInFlight":2}}"#)
        let connection = try RawConnection(path: daemon.socketPath)
        let elements = (1...4).map { #"{"jsonrpc":"2.0","id":\#($0),"method":"daemon.sleep","params":{"ms":100}}"# }
        let answer = try connection.roundTrip("[" + elements.joined(separator: ",") + "]")
        let codes = answer.arrayValue?.map { $0["error"]?["code"]?.intValue } ?? []
        #expect(codes == [nil, nil, -32001, -32001])
    }

    @Test func aClientCallFailsWithALineLevelErrorInsteadOfHanging() async throws {
        let daemon = try await TestDaemon.started(config: #"{"limits":{"maxDepth":8}}"#)
        let client = try await daemon.client()
        var deep: JSONValue = 1
        for _ in 0..<10 { deep = [deep] }
        await #expect(throws: RPCError.self) { try await client.call(method: "daemon.ping", params: ["x": deep]) }
        #expect(try await client.call(DaemonPing.self, NoParams()).pong)
        await client.close()
    }

    @Test func cancellingTheSwiftTaskOfAClientCallCancelsOnTheDaemon() async throws {
        let daemon = try await TestDaemon.started()
        let client = try await daemon.client()
        let sawProgress = Atomic<Bool>(false)
        let call = Task {
            try await client.call(DaemonSleep.self, .init(ms: 60000, stream: true, intervalMs: 20)) { _ in
                sawProgress.store(true, ordering: .relaxed)
            }
        }
        _ = try await eventually { sawProgress.load(ordering: .relaxed) }
        call.cancel()
        await #expect(throws: RPCError.cancelled) { try await call.value }
        await client.close()
    }
}

/// Polls `condition` until it holds or a generous deadline passes (no timing asserted).
func eventually(_ condition: () async throws -> Bool) async throws -> Bool {
    for _ in 0..<400 {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(25))
    }
    return false
}
