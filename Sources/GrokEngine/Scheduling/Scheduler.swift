import Foundation

/// The shared engine: every client's generations run here, together.
///
/// A thread of its own runs steps: each step is one batched forward pass holding one decode
/// token for every running sequence plus the next fixed-size segments of waiting prompts, up to
/// a token budget (one chunk while others decode, more when nothing does). Up to `maxParallel` sequences run; more wait in a queue (told their place), and
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
    private var pace = StepPace()
    // Guarded by `condition`: drafted tokens verified so far, and how many were confirmed.
    private var draftTotals = (drafted: 0, confirmed: 0)
    /// Every token's bytes, made the first time a grammar needs them.
    private lazy var tokenBytes: [[UInt8]] = {
        let tokenizer = generator.tokenizer
        return (0..<tokenizer.vocabulary.count).map { tokenizer.bytes(of: Int32($0)) }
    }()

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
        guard !stopping else { throw .stopped }
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

    /// Speculative decoding so far: tokens drafted by prompt lookup and verified, and how many
    /// the model confirmed (each confirmed token is a decode step saved).
    public var speculation: (drafted: Int, confirmed: Int) {
        condition.lock()
        defer { condition.unlock() }
        return draftTotals
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

    /// Prompt tokens a step may prefill beside decoding streams: what the measured costs say
    /// makes a decode step at most 2.5 times as long, in whole segments, at least one. (The
    /// streams then see their token gaps stretch by at most that while a long prompt arrives.)
    private var pacedBudget: Int {
        guard let decodeMs = pace.decodeStepMs, let rowMs = pace.prefillRowMs, rowMs > 0 else { return limits.prefillChunk }
        return min(limits.prefillBudget, max(limits.prefillChunk, Int(1.5 * decodeMs / rowMs)))
    }

    /// One batched forward pass over every running sequence. A greedy sequence may add drafted
    /// tokens after its next one; the step verifies them (each row computed as a decode step
    /// of its own would compute it), so one step can yield several of its tokens.
    private func runStep() {
        var inputs: [StepInput] = []
        var owners: [(sequence: RunningSequence, prefill: Int, draft: [Int32])] = []
        let contextLength = generator.model.config.contextLength
        for sequence in running where !sequence.isPrefilling {
            let draft = sequence.draft(limit: limits.draftTokens, contextLength: contextLength)
            inputs.append(StepInput(cache: sequence.cache, tokens: [sequence.next] + draft, verifies: !draft.isEmpty))
            owners.append((sequence, 0, draft))
        }
        let prefilling = running.filter(\.isPrefilling)
        if !prefilling.isEmpty {
            // Alone, prompts go at full speed; beside decoding streams, as much prompt as keeps
            // their steps at most about twice as long. Several short prompts share the budget
            // (round robin), so a burst of new requests starts together.
            var budget = inputs.isEmpty ? limits.prefillBudget : pacedBudget
            var taken = 0
            for offset in 0..<prefilling.count where taken < limits.prefillsPerStep {
                let sequence = prefilling[(prefillTurn + offset) % prefilling.count]
                guard taken == 0 || sequence.nextSegment(chunk: limits.prefillChunk) <= budget else { continue }
                let (tokens, final) = sequence.nextPrefill(chunk: limits.prefillChunk, budget: max(1, budget))
                inputs.append(StepInput(cache: sequence.cache, tokens: tokens, wantsLogits: final))
                owners.append((sequence, tokens.count, []))
                budget -= tokens.count
                taken += 1
            }
            prefillTurn += 1
        }
        var finished: [(RunningSequence, GenerationResult)] = []
        for (sequence, prefill, _) in owners where prefill > 0 { sequence.prefilledChunk(prefill) }
        let cacheBefore = owners.map(\.sequence.cache.count)
        // Per input: logits rows seen, drafted tokens confirmed, and whether later rows still count.
        var rowsSeen = [Int](repeating: 0, count: owners.count)
        var kept = [Int](repeating: 0, count: owners.count)
        var open = [Bool](repeating: true, count: owners.count)
        let started = ContinuousClock.now
        generator.model.step(inputs) { index, logits in
            let (sequence, _, draft) = owners[index]
            let row = rowsSeen[index]
            rowsSeen[index] += 1
            guard open[index] else { return }
            if let result = sequence.accept(
                logits, tokenizer: generator.tokenizer, contextLength: contextLength, tokenBytes: { self.tokenBytes }) {
                finished.append((sequence, result))
                open[index] = false
            } else if row < draft.count, sequence.next == draft[row] {
                kept[index] += 1  // the model chose the drafted token: the next row is its own step
            } else {
                open[index] = false
            }
        }
        var drafted = 0
        for (index, owner) in owners.enumerated() where !owner.draft.isEmpty {
            owner.sequence.verified(sent: owner.draft.count, kept: kept[index], cacheBefore: cacheBefore[index])
            drafted += owner.draft.count
        }
        // Results made mid-step count the whole step's drafts.
        for index in finished.indices {
            finished[index].1.draftedTokens = finished[index].0.drafted
            finished[index].1.acceptedDraftTokens = finished[index].0.confirmed
        }
        let prefillRows = owners.reduce(0) { $0 + $1.prefill }
        pace.record(ms: (ContinuousClock.now - started) / .milliseconds(1), decodeRows: owners.count { $0.prefill == 0 },
                    prefillRows: prefillRows)
        if drafted > 0 {
            condition.lock()
            draftTotals.drafted += drafted
            draftTotals.confirmed += kept.reduce(0, +)
            condition.unlock()
        }
        for (sequence, result) in finished { finish(sequence, result) }
        let finishedIDs = Set(finished.map { ObjectIdentifier($0.0) })
        running.removeAll { finishedIDs.contains(ObjectIdentifier($0)) }
    }
}
