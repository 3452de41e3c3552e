/// How many sequences the shared engine runs at once, how many wait, and how prompts are cut.
public struct SchedulerLimits: Sendable, Equatable {
    /// Sequences decoding or prefilling together in one step.
    public var maxParallel: Int
    /// Requests waiting for a slot; one more is refused as overloaded at once.
    public var maxQueue: Int
    /// The segment prompts are prefilled in: whole segments go into steps, as many as keep
    /// decoding streams' steps at most about twice as long (at least one). Fixed per sequence,
    /// so each sequence's numbers never depend on what else runs (determinism); small, so the
    /// pace can be kept finely.
    public var prefillChunk: Int
    /// Prompts that may advance in one step, within the step's token budget (the others wait
    /// their turn, round robin).
    public var prefillsPerStep: Int
    /// Prompt tokens one step may take when nothing is decoding (whole chunks).
    public var prefillBudget: Int
    /// Bytes of KV cache kept for follow-up requests (the prompt cache).
    public var promptCacheBytes: Int = 256 << 20
    /// Bytes all KV caches together may hold: running sequences (each counted at the most its
    /// length can need) and the prompt cache. A request that does not fit waits for others to
    /// finish (kept prompts are dropped first); one that could never fit is refused.
    public var kvCacheBytes: Int = 1 << 30
    /// Tokens a greedy sequence may draft per step by prompt lookup (0: no speculation). The
    /// model verifies them in the same step; greedy output is the same either way.
    public var draftTokens: Int = 8

    public init(maxParallel: Int = 8, maxQueue: Int = 64, prefillChunk: Int = 8, prefillsPerStep: Int = 8, prefillBudget: Int = 512) {
        precondition(prefillChunk >= 8 && prefillChunk % 4 == 0, "prompt chunks are whole 4-row groups of at least 8 rows")
        self.maxParallel = maxParallel
        self.maxQueue = maxQueue
        self.prefillChunk = prefillChunk
        self.prefillsPerStep = prefillsPerStep
        self.prefillBudget = max(prefillBudget, prefillChunk)
    }

    public static let `default` = SchedulerLimits()
}

/// Why the scheduler would not take a request.
public enum SchedulerRefusal: Error, Sendable, Equatable {
    /// The queue is full; try again after about this long.
    case overloaded(queued: Int, retryAfterMs: Int)
    /// The prompt plus the tokens asked for exceed the model's context.
    case contextTooLong(tokens: Int, contextLength: Int)
    /// Nothing to continue from.
    case emptyPrompt
    /// Its KV cache alone would exceed the engine's whole cache budget.
    case cacheBudgetExceeded(neededBytes: Int, budgetBytes: Int)
    /// The engine has been shut down (its model unloaded).
    case stopped
}
