/// One generation for the scheduler: the prompt, how to sample, and where results go.
///
/// Callbacks run on the engine thread: they must be quick and must not block (hand the values
/// to another context, e.g. an AsyncStream or a continuation).
public struct GenerationRequest: Sendable {
    public var prompt: [Int32]
    public var options: SamplingOptions
    /// Requests of the same owner (a connection) take turns with other owners' requests, and
    /// share a prompt cache.
    public var owner: Int
    /// Reuse the longest common prefix of this owner's earlier generations (and keep this one's).
    public var cachePrompt: Bool = true
    /// When set, only tokens that keep the output a valid JSON value of this grammar are
    /// sampled, and the generation ends as soon as the value is complete.
    public var grammar: JSONGrammar?
    /// Earlier text of the same user (tokens, oldest first): greedy decoding drafts from it
    /// when the prompt and output have no match (see `Scheduler`, speculative decoding).
    public var lookupHistory: [Int32] = []
    /// Called while waiting, with the 0-based place in the queue, whenever it changes.
    public var onQueued: @Sendable (Int) -> Void
    /// Called with each piece of text that can be shown, and the token ids it came from.
    public var onText: @Sendable (String, [Int32]) -> Void
    /// Called once at the end (also when cancelled).
    public var onFinish: @Sendable (GenerationResult) -> Void
    /// Polled once per step; true stops the sequence at the step boundary and frees its slot.
    public var isCancelled: @Sendable () -> Bool

    public init(
        prompt: [Int32], options: SamplingOptions, owner: Int = 0,
        onQueued: @escaping @Sendable (Int) -> Void = { _ in },
        onText: @escaping @Sendable (String, [Int32]) -> Void = { _, _ in },
        onFinish: @escaping @Sendable (GenerationResult) -> Void,
        isCancelled: @escaping @Sendable () -> Bool = { false }
    ) {
        self.prompt = prompt
        self.options = options
        self.owner = owner
        self.onQueued = onQueued
        self.onText = onText
        self.onFinish = onFinish
        self.isCancelled = isCancelled
    }
}
