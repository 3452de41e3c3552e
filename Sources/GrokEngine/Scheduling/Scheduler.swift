import Foundation

/// The shared engine: every client's generations run here, together.
///
/// A thread of its own runs steps: each step is one batched forward pass holding one decode
/// token for every running sequence plus the next fixed-size chunk of up to `prefillsPerStep`
/// prompts (several chunks at once when nothing decodes). Up to `maxParallel` sequences run; more wait in a queue (told their place), and
/// beyond `maxQueue` a request is refused at once. Slots go to the owner (connection) with the
/// fewest running sequences, oldest request first. Each sequence's numbers are the same as if
/// it ran alone, so greedy output does not depend on the company it keeps.
public final class Scheduler: @unchecked Sendable {
    public let generator: TextGenerator
    public let limits: SchedulerLimits
    private let condition = NSCondition()
    // Guarded by `condition`:
    private var queue: [(request: GenerationRequest, since: ContinuousClock.Instant, told: Int)] = []
    private var stopping = false
    private var runningCount = 0
    private var reservedBytes = 0
    private var keptBytes = 0
    // Engine thread only:
    private var running: [RunningSequence] = []
    private let promptCache: PromptCache
    private var prefillTurn = 0

    public init(generator: TextGenerator, limits: SchedulerLimits = .default) {
        self.generator = generator
        self.limits = limits
        promptCache = PromptCache(budgetBytes: limits.promptCacheBytes)
        let thread = Thread { [self] in loop() }
        thread.name = "grok.engine"
        thread.stackSize = 4 << 20
        thread.start()
    }

    /// Queues a request (it starts at the next step when a slot is free), or refuses it.
    public func submit(_ request: GenerationRequest) throws(SchedulerRefusal) {
        guard !request.prompt.isEmpty else { throw .emptyPrompt }
        let context = generator.model.config.contextLength
        let tokens = request.prompt.count + request.options.maxTokens
        guard tokens <= context else { throw .contextTooLong(tokens: tokens, contextLength: context) }
        let needed = cacheBound(request)
        guard needed <= limits.kvCacheBytes else {
            throw .cacheBudgetExceeded(neededBytes: needed, budgetBytes: limits.kvCacheBytes)
        }
        condition.lock()
        defer { condition.unlock() }
        guard queue.count < limits.maxQueue else {
            // A slot frees about every maxTokens / maxParallel steps; a rough, honest hint.
            throw .overloaded(queued: queue.count, retryAfterMs: 250 * (1 + queue.count / max(1, limits.maxParallel)))
        }
        queue.append((request, .now, -1))
        condition.signal()
    }

    /// The most KV-cache bytes `request` can need.
    private func cacheBound(_ request: GenerationRequest) -> Int {
        generator.model.cacheBytesBound(
            capacity: request.prompt.count + request.options.maxTokens, step: limits.prefillBudget + limits.prefillChunk)
    }

    /// KV-cache bytes held now: reserved for running sequences, and kept for follow-ups.
    public var cacheBytes: (reserved: Int, kept: Int, budget: Int) {
        condition.lock()
        defer { condition.unlock() }
        return (reservedBytes, keptBytes, limits.kvCacheBytes)
    }

    /// Sequences running and requests waiting now.
    public var load: (running: Int, queued: Int) {
        condition.lock()
        defer { condition.unlock() }
        return (runningCount, queue.count)
    }

    /// Stops the engine thread; running and waiting requests finish as cancelled.
    public func shutdown() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
    }

    // MARK: the engine thread

    private func loop() {
        while true {
            guard let admitted = waitAndAdmit() else { return }
            running += admitted
            running.removeAll { sequence in
                guard sequence.request.isCancelled() else { return false }
                finish(sequence, sequence.finish(.cancelled))
                return true
            }
            if !running.isEmpty { runStep() }
            condition.lock()
            runningCount = running.count
            condition.unlock()
        }
    }

    /// Waits for work, then moves requests from the queue into free slots; nil when stopping.
    private func waitAndAdmit() -> [RunningSequence]? {
        condition.lock()
        while !stopping && queue.isEmpty && running.isEmpty { condition.wait() }
        if stopping {
            let waiting = queue
            queue.removeAll()
            condition.unlock()
            for sequence in running { sequence.request.onFinish(sequence.finish(.cancelled)) }
            running.removeAll()
            for (request, _, _) in waiting {
                request.onFinish(GenerationResult(
                    text: "", ids: [], finishReason: .cancelled, promptTokens: request.prompt.count, prefillMs: 0, decodeMs: 0,
                    logprobs: []))
            }
            return nil
        }
        var admitted: [RunningSequence] = []
        var owners = Dictionary(running.map { ($0.request.owner, 1) }, uniquingKeysWith: +)
        while running.count + admitted.count < limits.maxParallel, !queue.isEmpty {
            // The owner with the fewest running sequences goes first; ties by age.
            let index = queue.indices.min { (owners[queue[$0].request.owner] ?? 0) < (owners[queue[$1].request.owner] ?? 0) }!
            let request = queue[index].request
            // Within the KV budget, dropping kept prompts (other than this request's) if need be;
            // otherwise it waits until running sequences finish.
            let needed = cacheBound(request)
            if reservedBytes + needed + promptCache.bytes > limits.kvCacheBytes {
                promptCache.shrink(to: max(0, limits.kvCacheBytes - reservedBytes - needed))
                if reservedBytes + needed + promptCache.bytes > limits.kvCacheBytes { break }
            }
            let since = queue.remove(at: index).since
            owners[request.owner, default: 0] += 1
            let queuedMs = (ContinuousClock.now - since) / .milliseconds(1)
            let sequence: RunningSequence
            if request.cachePrompt, let (cache, reused) = promptCache.take(owner: request.owner, prompt: request.prompt) {
                sequence = RunningSequence(request, cache: cache, reused: reused, queuedMs: queuedMs)
            } else {
                let cache = generator.model.makeCache(capacity: request.prompt.count + request.options.maxTokens)
                sequence = RunningSequence(request, cache: cache, queuedMs: queuedMs)
            }
            // A reused cache may have been allocated for a longer sequence than this one needs.
            sequence.reservedBytes = max(needed, sequence.cache.bytes)
            reservedBytes += sequence.reservedBytes
            admitted.append(sequence)
        }
        keptBytes = promptCache.bytes
        var moved: [(GenerationRequest, Int)] = []
        for index in queue.indices where queue[index].told != index {
            queue[index].told = index
            moved.append((queue[index].request, index))
        }
        runningCount = running.count + admitted.count
        condition.unlock()
        for (request, position) in moved { request.onQueued(position) }
        return admitted
    }

    /// Hands the result over, and keeps the sequence's cache for its owner's next request.
    private func finish(_ sequence: RunningSequence, _ result: GenerationResult) {
        condition.lock()
        reservedBytes -= sequence.reservedBytes
        let room = limits.kvCacheBytes - reservedBytes
        condition.unlock()
        if sequence.request.cachePrompt, !sequence.isPrefilling {
            promptCache.put(owner: sequence.request.owner, tokens: sequence.cachedTokens, cache: sequence.cache, limit: room)
        }
        condition.lock()
        keptBytes = promptCache.bytes
        condition.unlock()
        sequence.request.onFinish(result)
    }

    /// One batched forward pass over every running sequence.
    private func runStep() {
        var inputs: [StepInput] = []
        var owners: [(sequence: RunningSequence, prefill: Int)] = []
        for sequence in running where !sequence.isPrefilling {
            inputs.append(StepInput(cache: sequence.cache, tokens: [sequence.next]))
            owners.append((sequence, 0))
        }
        let prefilling = running.filter(\.isPrefilling)
        if !prefilling.isEmpty {
            // With streams decoding, one chunk per step keeps their pace; alone, prompts go faster.
            let budget = inputs.isEmpty ? limits.prefillBudget : limits.prefillChunk
            for offset in 0..<min(limits.prefillsPerStep, prefilling.count) {
                let sequence = prefilling[(prefillTurn + offset) % prefilling.count]
                let (tokens, final) = sequence.nextPrefill(chunk: limits.prefillChunk, budget: budget)
                inputs.append(StepInput(cache: sequence.cache, tokens: tokens, wantsLogits: final))
                owners.append((sequence, tokens.count))
            }
            prefillTurn += 1
        }
        let logits = generator.model.step(inputs)
        var finished: Set<ObjectIdentifier> = []
        for (index, (sequence, prefill)) in owners.enumerated() {
            if prefill > 0 { sequence.prefilledChunk(prefill) }
            guard let values = logits[index] else { continue }
            if let result = sequence.accept(values, tokenizer: generator.tokenizer, contextLength: generator.model.config.contextLength) {
                finished.insert(ObjectIdentifier(sequence))
                finish(sequence, result)
            }
        }
        running.removeAll { finished.contains(ObjectIdentifier($0)) }
    }
}
