import Foundation
import GrokProtocol
import GrokRPC
import Testing

@Suite struct ConcurrencyTests {
    @Test func twoHundredFiftySixClientsEachPingAHundredTimes() async throws {
        let daemon = try await TestDaemon.started()
        let clients = 256
        let pings = 100
        // Start from exactly one open connection (the readiness probe's close may still be
        // in flight), and let it be the first of the 256.
        let first = try await daemon.client()
        #expect(try await eventually { try await first.call(DaemonStatus.self, NoParams()).connections == 1 })
        let successes = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<clients {
                group.addTask {
                    let client = index == 0 ? first : try await daemon.client()
                    var ok = 0
                    for _ in 0..<pings {
                        if try await client.call(DaemonPing.self, NoParams()).pong { ok += 1 }
                    }
                    if index != 0 { await client.close() }
                    return ok
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(successes == clients * pings)
        // Ask on the first connection: a new one could still find 256 counted while the
        // daemon finishes closing the others.
        let status = try await first.call(DaemonStatus.self, NoParams())
        #expect(status.requestsServed >= Int64(clients * pings))
        await first.close()
    }

    @Test func anIdCanBeReusedAsSoonAsItsAnswerArrives() async throws {
        let daemon = try await TestDaemon.started()
        let connection = try RawConnection(path: daemon.socketPath)
        var results = 0
        for _ in 0..<20_000 {
            let reply = try connection.roundTrip(#"{"jsonrpc":"2.0","id":1,"method":"daemon.ping"}"#)
            if reply["result"]?["pong"] == true { results += 1 }
        }
        #expect(results == 20_000)
    }

    @Test func pipelinedRequestsOnOneConnectionAreAllAnswered() async throws {
        let daemon = try await TestDaemon.started()
        let connection = try RawConnection(path: daemon.socketPath)
        // 50 requests in one write: under the in-flight limit, all must be answered.
        let lines = (1...50).map { #"{"jsonrpc":"2.0","id":\#($0),"method":"daemon.ping"}"# }.joined(separator: "\n")
        try connection.send(lines)
        var ids = Set<Int64>()
        for _ in 1...50 { ids.insert(try connection.readJSON()["id"]?.intValue ?? -1) }
        #expect(ids == Set(1...50))
    }
}
