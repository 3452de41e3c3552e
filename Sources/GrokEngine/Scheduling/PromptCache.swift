/// KV caches kept from finished generations, per owner (connection or session), so a
/// follow-up that starts with the same tokens prefills only what is new. Bounded by bytes;
/// the least recently used go first. Engine thread only.
final class PromptCache {
    private struct Entry {
        let owner: Int
        let tokens: [Int32]
        let cache: KVCache
        var lastUse: UInt64
    }

    let budgetBytes: Int
    private var entries: [Entry] = []
    private var clock: UInt64 = 0

    init(budgetBytes: Int) { self.budgetBytes = budgetBytes }

    var bytes: Int { entries.reduce(0) { $0 + $1.cache.bytes } }

    /// The owner's cache sharing the longest prefix with `prompt`, cut to that prefix (never
    /// the whole prompt: its last token is run again for the logits); nil when none shares any.
    func take(owner: Int, prompt: [Int32]) -> (cache: KVCache, reused: Int)? {
        var best: (index: Int, length: Int)?
        for (index, entry) in entries.enumerated() where entry.owner == owner {
            let length = zip(entry.tokens, prompt).prefix { $0 == $1 }.count
            if length > (best?.length ?? 0) { best = (index, length) }
        }
        guard let best else { return nil }
        let entry = entries.remove(at: best.index)
        let reused = min(best.length, prompt.count - 1)
        guard reused > 0, entry.cache.canTruncate(to: reused) else { return nil }
        entry.cache.truncate(to: reused)
        return (entry.cache, reused)
    }

    /// Keeps `cache`, which holds `tokens` (one position each), for later requests of `owner`,
    /// within `limit` bytes (and the cache's own budget).
    func put(owner: Int, tokens: [Int32], cache: KVCache, limit: Int) {
        let limit = min(limit, budgetBytes)
        guard !tokens.isEmpty, cache.bytes <= limit else { return }
        clock += 1
        entries.append(Entry(owner: owner, tokens: tokens, cache: cache, lastUse: clock))
        shrink(to: limit)
    }

    /// Drops the least recently used entries until at most `limit` bytes remain.
    func shrink(to limit: Int) {
        while bytes > limit, let oldest = entries.indices.min(by: { entries[$0].lastUse < entries[$1].lastUse }) {
            entries.remove(at: oldest)
        }
    }
}
