import GrokClient

/// Tests send exact bytes through GrokClient's blocking line socket.
typealias RawConnection = LineSocket

extension LineSocket {
    /// Pings on this connection and checks the answer: the connection is still usable.
    func assertStillServes(id: Int = 9999) throws -> Bool {
        let reply = try roundTrip(#"{"jsonrpc":"2.0","id":\#(id),"method":"daemon.ping"}"#)
        return reply["id"] == .int(Int64(id)) && reply["result"]?["pong"] == .bool(true)
    }
}
