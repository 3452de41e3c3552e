import ArgumentParser
import Foundation
import GrokJSON
import GrokProtocol

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show what the daemon is and how busy it is.")

    @OptionGroup var options: ClientOptions

    func run() async throws {
        let client = try await options.connect()
        defer { Task { await client.close() } }
        let status: DaemonStatus.Result
        do {
            status = try await client.call(DaemonStatus.self, NoParams())
        } catch {
            Output.fail(error, json: options.json)
        }
        if options.json || !Output.isTerminal {
            Output.json(try JSONValueEncoder().encode(status), pretty: options.json && Output.isTerminal)
            return
        }
        let rows: [(String, String)] = [
            ("version", "\(status.version) (protocol \(status.protocolVersion))"),
            ("pid", "\(status.pid)"),
            ("uptime", Self.duration(ms: status.uptimeMs)),
            ("socket", status.socket),
            ("connections", "\(status.connections)"),
            ("requests served", "\(status.requestsServed)"),
            ("in flight", "\(status.inFlight)"),
            ("model", status.model.map { "\(($0.path as NSString).lastPathComponent) (\($0.state))" } ?? "none"),
            ("engine", status.model?.engine ?? "-"),
            ("generating", status.model?.running.map { "\($0) running, \(status.model?.queued ?? 0) queued" } ?? "-"),
            ("kv cache", status.model?.kvCache.map(Self.cache) ?? "-"),
        ]
        let width = rows.map(\.0.count).max() ?? 0
        for (name, value) in rows {
            Output.line(name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + value)
        }
    }

    /// "12 MB reserved, 3 MB kept, budget 1024 MB".
    static func cache(_ kv: DaemonStatus.KVCacheStatus) -> String {
        func mb(_ bytes: Int) -> String { "\((bytes + (1 << 19)) >> 20) MB" }
        return "\(mb(kv.reservedBytes)) reserved, \(mb(kv.keptBytes)) kept, budget \(mb(kv.budgetBytes))"
    }

    static func duration(ms: Int64) -> String {
        let seconds = ms / 1000
        if seconds < 60 { return "\(seconds)s" }
        if seconds < 3600 { return "\(seconds / 60)m \(seconds % 60)s" }
        return "\(seconds / 3600)h \(seconds % 3600 / 60)m"
    }
}
