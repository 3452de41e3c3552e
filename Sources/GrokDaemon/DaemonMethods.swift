import Foundation
import GrokJSON
import GrokProtocol
import GrokRPC

/// The daemon's own methods: discovery, handshake, status, shutdown and the sleep probe.
struct DaemonMethods: Sendable {
    let state: DaemonState

    func register(in table: inout MethodTable) {
        table.register(RPCDiscover.self) { _, _ in try ProtocolDocuments.openRPC() }
        table.register(Initialize.self) { _, context in initialize(context) }
        table.register(DaemonPing.self) { _, _ in DaemonPing.Result() }
        table.register(DaemonStatus.self) { _, _ in await state.status() }
        table.register(DaemonShutdown.self) { _, context in try shutdown(context) }
        table.register(DaemonSleep.self) { params, context in try await sleep(params, context) }
    }

    private func initialize(_ context: RequestContext) -> Initialize.Result {
        context.logger.info("client said hello")
        let limits = state.config.limits
        return Initialize.Result(
            protocolVersion: ProtocolVersion.current,
            serverInfo: .init(name: "grokd", version: GrokVersion.current),
            capabilities: .init(
                streaming: true, cancellation: true, batches: true, methods: state.methodNames,
                limits: .init(maxLineBytes: limits.maxLineBytes, maxDepth: limits.maxDepth, maxInFlight: limits.maxInFlight)))
    }

    private func shutdown(_ context: RequestContext) throws -> DaemonShutdown.Result {
        guard context.peer.uid == geteuid() else {
            throw RPCError.permissionDenied("only uid \(geteuid()), which runs the daemon, may shut it down")
        }
        context.logger.notice("shutdown requested", metadata: ["pid": "\(context.peer.pid)"])
        state.requestShutdown()
        return DaemonShutdown.Result()
    }

    private func sleep(_ params: DaemonSleep.Params, _ context: RequestContext) async throws -> DaemonSleep.Result {
        guard (0...3_600_000).contains(params.ms) else {
            throw RPCError.invalidParams("ms must be between 0 and 3600000", field: "ms")
        }
        let interval = params.intervalMs ?? 100
        guard (10...60_000).contains(interval) else {
            throw RPCError.invalidParams("intervalMs must be between 10 and 60000", field: "intervalMs")
        }
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = start + .milliseconds(params.ms)
        while clock.now < deadline {
            let step = min(deadline - clock.now, .milliseconds(interval))
            try await Task.sleep(for: step)
            if params.stream == true {
                let elapsed = (clock.now - start).milliseconds
                try await context.progress(.tick, DaemonSleep.Tick(elapsedMs: min(elapsed, params.ms), totalMs: params.ms))
            }
        }
        return DaemonSleep.Result(sleptMs: (clock.now - start).milliseconds)
    }
}

extension Duration {
    /// Whole milliseconds, rounded down.
    var milliseconds: Int {
        let (seconds, attoseconds) = components
        return Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
    }
}
