/// How many sequences the shared engine runs at once, how many wait, and how prompts are cut.
public struct SchedulerLimits: Sendable, Equatable {
    /// Sequences decoding or prefilling together in one step.
    public var maxParallel: Int
    /// Requests waiting for a slot; one more is refused as overloaded at once.
    public var maxQueue: Int
    /// Prompt tokens a sequence prefills per step. Fixed per sequence, so each sequence's
    /// numbers never depend on what else runs (determinism); small, so decoding streams keep
    /// their pace while a long prompt arrives.
    public var prefillChunk: Int
    /// Prompts that advance in one step (the others wait their turn, round robin).
    public var prefillsPerStep: Int

    public init(maxParallel: Int = 8, maxQueue: Int = 64, prefillChunk: Int = 64, prefillsPerStep: Int = 1) {
        self.maxParallel = maxParallel
        self.maxQueue = maxQueue
        self.prefillChunk = prefillChunk
        self.prefillsPerStep = prefillsPerStep
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
}
