import GrokJSON
import GrokProtocol
import Logging
import NIOCore

/// One client connection: reads lines, runs requests concurrently, writes answers.
///
/// Requests run in their own tasks so they can be cancelled one by one; the connection ends
/// when the client stops sending and every request it made has been answered.
final class RPCConnection: Sendable {
    let id: UInt64
    let peer: PeerCredentials
    let channel: any Channel
    private let table: MethodTable
    private let limits: RPCLimits
    private let stats: RPCServerStats
    private let registry: InFlightRegistry
    private let writer: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private let logger: Logger

    init(
        id: UInt64, peer: PeerCredentials, channel: any Channel, table: MethodTable, limits: RPCLimits,
        stats: RPCServerStats, writer: NIOAsyncChannelOutboundWriter<ByteBuffer>, logger: Logger
    ) {
        self.id = id
        self.peer = peer
        self.channel = channel
        self.table = table
        self.limits = limits
        self.stats = stats
        self.registry = InFlightRegistry(limit: limits.maxInFlight)
        self.writer = writer
        var logger = logger
        logger[metadataKey: "conn"] = "\(id)"
        self.logger = logger
    }

    /// Serves until the client closes its side and all its requests are answered.
    func serve(_ inbound: NIOAsyncChannelInboundStream<LineFrame>) async {
        channel.closeFuture.whenComplete { [registry] _ in registry.cancelAll() }
        await withDiscardingTaskGroup { group in
            do {
                for try await frame in inbound {
                    await handle(frame, group: &group)
                }
            } catch {
                logger.debug("read failed", metadata: ["error": "\(error)"])
            }
        }
        await registry.drained()
    }

    /// Cancels everything this connection still runs.
    func cancelAll() { registry.cancelAll() }

    // MARK: reading

    private func handle(_ frame: LineFrame, group: inout DiscardingTaskGroup) async {
        let json: JSONValue
        switch frame {
        case .oversized:
            logger.notice("line over the limit skipped", metadata: ["limit": "\(limits.maxLineBytes)"])
            await reply(.invalid(id: nil, error: .lineTooLong(limit: limits.maxLineBytes)))
            return
        case .line(let buffer):
            do {
                json = try buffer.withUnsafeReadableBytes { try JSONCodec.parse($0, maxDepth: limits.maxDepth) }
            } catch JSONCodecError.tooDeep(let limit) {
                await reply(.invalid(id: nil, error: .tooDeep(limit: limit)))
                return
            } catch {
                await reply(.invalid(id: nil, error: .parseError("\(error)")))
                return
            }
        }
        if case .array(let items) = json {
            guard !items.isEmpty else {
                await reply(.invalid(id: nil, error: .invalidRequest("empty batch")))
                return
            }
            // Every element is admitted (or cancelled) now, before any later line is read.
            let steps = items.map { prepare(RPCMessage(json: $0)) }
            group.addTask { await self.runBatch(steps) }
        } else {
            switch prepare(RPCMessage(json: json)) {
            case .answer(let message): await reply(message)
            case .run(let ticket, let id, let method, let params): launch(ticket, id: id, method: method, params: params)
            case .nothing: break
            }
        }
    }

    /// What to do with one message, decided while reading it.
    private enum Step {
        /// Answer known already (an error, or the reply to a cancel sent as a request).
        case answer(RPCMessage)
        /// Admitted: run it.
        case run(InFlightRegistry.Ticket, id: RPCID?, method: String, params: JSONValue?)
        /// Nothing to run or answer (notifications of unknown methods, stray responses).
        case nothing
    }

    /// Classifies a message, acts on cancellations and admits requests, all synchronously.
    private func prepare(_ message: RPCMessage) -> Step {
        switch message {
        case .request(let id, let method, let params):
            if let answer = cancellation(method: method, params: params, id: id) { return .answer(answer) }
            switch registry.admit(id: id) {
            case .success(let ticket):
                return .run(ticket, id: id, method: method, params: params)
            case .failure(.full):
                return .answer(.invalid(id: id, error: .overloaded(
                    "more than \(limits.maxInFlight) requests in flight on this connection", retryAfterMs: 100)))
            case .failure(.duplicate):
                return .answer(.invalid(id: id, error: .invalidRequest("id \(id) is already in use by a running request")))
            }
        case .notification(let method, let params):
            if cancellation(method: method, params: params, id: nil) != nil { return .nothing }
            guard table.handler(for: method) != nil else { return .nothing }
            guard case .success(let ticket) = registry.admit(id: nil) else {
                logger.notice("notification dropped: too many requests in flight", metadata: ["method": "\(method)"])
                return .nothing
            }
            return .run(ticket, id: nil, method: method, params: params)
        case .response(let id, _):
            logger.debug("ignoring a response from a client", metadata: ["id": "\(id)"])
            return .nothing
        case .invalid(let id, let error):
            return .answer(.invalid(id: id, error: error))
        }
    }

    /// Runs a prepared batch; answers with one array holding a response per request, in order.
    private func runBatch(_ steps: [Step]) async {
        var running: [(Int, Task<RPCMessage?, Never>)] = []
        for (index, step) in steps.enumerated() {
            guard case .run(let ticket, let id, let method, let params) = step else { continue }
            let task = Task {
                defer {
                    self.registry.finish(ticket)
                    self.registry.settle()  // the batch task, awaited by the connection, writes it
                }
                return await self.run(id: id, method: method, params: params)
            }
            registry.attach(ticket) { task.cancel() }
            running.append((index, task))
        }
        var responses: [Int: RPCMessage] = [:]
        for (index, step) in steps.enumerated() {
            if case .answer(let message) = step { responses[index] = message }
        }
        for (index, task) in running {
            if let message = await task.value { responses[index] = message }
        }
        guard !responses.isEmpty else { return }
        let answers = responses.sorted { $0.key < $1.key }.map { Self.encodeAnswer($0.value) }
        let joined = [UInt8(ascii: "[")] + Array(answers.joined(separator: [UInt8(ascii: ",")])) + [UInt8(ascii: "]")]
        do { try await write(joined) } catch { logger.debug("write failed", metadata: ["error": "\(error)"]) }
    }

    // MARK: running

    /// Handles `$/cancelRequest` and `notifications/cancelled`; nil for any other method.
    private func cancellation(method: String, params: JSONValue?, id: RPCID?) -> RPCMessage? {
        let target: RPCID
        do {
            switch method {
            case CancelRequest.name: target = try ParamsDecoding.decode(CancelRequest.Params.self, from: params).id
            case CancelledNotification.name:
                target = try ParamsDecoding.decode(CancelledNotification.Params.self, from: params).requestId
            default: return nil
            }
        } catch {
            return .invalid(id: id, error: error)
        }
        let cancelled = registry.cancel(target)
        logger.debug("cancel", metadata: ["target": "\(target)", "found": "\(cancelled)"])
        guard let id else { return .notification(method: method, params: nil) }
        return .response(id: id, result: .success(["cancelled": .bool(cancelled)]))
    }

    /// Starts an admitted request in its own task (one task per request, so it can be
    /// cancelled alone). Its id is free again once the answer is ready; the connection waits
    /// for the answer to be written before it closes.
    private func launch(_ ticket: InFlightRegistry.Ticket, id: RPCID?, method: String, params: JSONValue?) {
        let task = Task {
            let response = await self.run(id: id, method: method, params: params)
            self.registry.finish(ticket)
            await self.reply(response)
            self.registry.settle()
        }
        registry.attach(ticket) { task.cancel() }
    }

    /// Runs one request in the current task; returns its response (nil for notifications).
    private func run(id: RPCID?, method: String, params: JSONValue?) async -> RPCMessage? {
        var requestLogger = logger
        requestLogger[metadataKey: "req"] = "\(id ?? .null)"
        requestLogger[metadataKey: "method"] = "\(method)"
        guard let handler = table.handler(for: method) else {
            return id.map { .invalid(id: $0, error: .methodNotFound(method)) }
        }
        let context = RequestContext(
            id: id, method: method, peer: peer, connectionID: self.id, logger: requestLogger,
            sendNotification: { [weak self] json in
                guard let self else { throw CancellationError() }
                try await self.write(json)
            })
        stats.requestStarted()
        defer { stats.requestFinished() }
        let started = ContinuousClock.now
        var outcome: Result<JSONValue, RPCError>
        do {
            outcome = .success(try await handler(params, context))
        } catch {
            outcome = .failure(Self.rpcError(from: error))
        }
        if Task.isCancelled { outcome = .failure(.cancelled) }
        requestLogger.debug("request done", metadata: Self.summary(of: outcome, since: started))
        return id.map { .response(id: $0, result: outcome) }
    }

    private static func summary(of outcome: Result<JSONValue, RPCError>, since start: ContinuousClock.Instant) -> Logger.Metadata {
        var metadata: Logger.Metadata = ["ms": "\((ContinuousClock.now - start) / .milliseconds(1))"]
        if case .failure(let error) = outcome {
            metadata["code"] = "\(error.code)"
            metadata["error"] = "\(error.message)"
        }
        return metadata
    }

    private static func rpcError(from error: any Error) -> RPCError {
        switch error {
        case let error as RPCError: return error
        case is CancellationError: return .cancelled
        case let error as DecodingError: return ParamsDecoding.invalidParams(from: error)
        default: return .internalError("\(error)")
        }
    }

    // MARK: writing

    private func reply(_ message: RPCMessage?) async {
        guard let message else { return }
        if case .notification = message { return }
        await send(message)
    }

    /// Writes a message; failures mean the client is gone, which the close handler deals with.
    private func send(_ message: RPCMessage) async {
        do { try await write(Self.encodeAnswer(message)) } catch { logger.debug("write failed", metadata: ["error": "\(error)"]) }
    }

    private func write(_ json: JSONValue) async throws {
        try await write(try JSONCodec.encode(json))
    }

    /// Encodes an answer; one whose result cannot be encoded (a NaN, say) still answers its
    /// id, with an internal error, so the client is never left waiting.
    static func encodeAnswer(_ message: RPCMessage) -> [UInt8] {
        if let bytes = try? JSONCodec.encode(message.json) { return bytes }
        var fallback = RPCMessage.invalid(id: nil, error: .internalError("the answer could not be encoded as JSON"))
        if case .response(let id, _) = message {
            fallback = .response(id: id, result: .failure(.internalError("the result could not be encoded as JSON")))
        }
        return (try? JSONCodec.encode(fallback.json)) ?? Array(#"{"jsonrpc":"2.0","id":null,"error":{"code":-32603,"message":"Internal error"}}"#.utf8)
    }

    private func write(_ line: [UInt8]) async throws {
        var bytes = line
        bytes.append(UInt8(ascii: "\n"))
        let buffer = ByteBuffer(bytes: bytes)
        // The writer refuses to write from a cancelled task, but a cancelled request still owes
        // its client the -32800 answer: write that one from a fresh task.
        if Task.isCancelled {
            try await Task { [writer] in try await writer.write(buffer) }.value
        } else {
            try await writer.write(buffer)
        }
    }
}
