import Foundation
import Testing
@testable import GrokEngine

/// Sliding-window layers keep only their window, and nothing they drop is ever missed.
@Suite(.serialized) struct KVCacheTests {
    /// A 1100-token prompt in 100-token steps (past the 512 window, far enough that window
    /// layers move their positions to the front twice): the logits of every step, and of decode
    /// steps after, are bit-identical to a cache that keeps everything in every layer, while
    /// the window layers hold at most two windows and a step.
    @Test func windowLayersKeepTheirWindowAndChangeNothing() async throws {
        try await offPool {
            let model = try ReferenceData.model.get()
            let c = model.config
            let width = c.kvHeads * c.headSize
            let windowed = model.makeCache(capacity: 1200)
            let full = KVCache(width: width, capacity: 1200, windows: Array(repeating: nil, count: c.layers))
            #expect(windowed.windows.contains { $0 != nil } && windowed.windows.contains { $0 == nil })
            // A prompt of ordinary tokens (a reference prompt repeated, without its BOS).
            let text = ReferenceData.localGreedyCases.flatMap { $0.promptIDs.dropFirst() }
            let prompt = [Int32(2)] + (0..<1099).map { text[$0 % text.count] }
            for start in stride(from: 0, to: prompt.count, by: 100) {
                let chunk = Array(prompt[start..<min(prompt.count, start + 100)])
                let a = model.forward(chunk, cache: windowed)
                let b = model.forward(chunk, cache: full)
                #expect(a.map(\.bitPattern) == b.map(\.bitPattern), "step at \(start)")
            }
            var next = Int32(818)
            for _ in 0..<3 {
                let a = model.forward([next], cache: windowed)
                let b = model.forward([next], cache: full)
                #expect(a.map(\.bitPattern) == b.map(\.bitPattern))
                next = Int32(a.indices.max { a[$0] < a[$1] }!)
            }
            #expect(windowed.count == 1103 && full.count == 1103)
            let globalLayers = windowed.windows.filter { $0 == nil }.count
            let perPosition = 2 * width * MemoryLayout<UInt16>.size
            // Global layers hold every position (1200 of capacity); window layers at most 2 · (512 + 100).
            let bound = globalLayers * 1200 * perPosition + (c.layers - globalLayers) * 2 * (c.slidingWindow! + 100) * perPosition
            #expect(windowed.bytes <= bound)
            #expect(windowed.bytes < full.bytes)
            // At the full context the window layers' share shrinks to about two windows each.
            let fullContext = c.layers * c.contextLength * perPosition
            #expect(model.cacheBytesBound(capacity: c.contextLength, step: 528) < fullContext / 4)
            #expect(windowed.bytes <= model.cacheBytesBound(capacity: 1200, step: 100))
            // The window moved past the start: an early prefix can no longer be continued.
            #expect(!windowed.canTruncate(to: 100) && full.canTruncate(to: 100))
            #expect(windowed.canTruncate(to: 1000))
        }
    }

    /// The KV budget: a request whose cache could never fit is refused with the numbers; two
    /// that fit only one at a time run one after the other, each to its reference tokens, and
    /// the reservation is returned when they finish.
    @Test func budgetQueuesWhatDoesNotFitAndRefusesWhatNeverWill() async throws {
        try await offPool {
            let generator = try SchedulerTests.generator.get()
            let reference = ReferenceData.localGreedyCases[0]
            var limits = SchedulerLimits(maxParallel: 8, maxQueue: 8)
            let need = generator.model.cacheBytesBound(
                capacity: reference.promptIDs.count + 8, step: limits.prefillBudget + limits.prefillChunk)
            limits.kvCacheBytes = need * 3 / 2
            let scheduler = Scheduler(generator: generator, limits: limits)
            defer { scheduler.shutdown() }
            #expect {
                try scheduler.submit(SchedulerTests.Collector().request(reference.promptIDs, maxTokens: 4000, owner: 9))
            } throws: { error in
                guard case .cacheBudgetExceeded(let needed, let budget) = error as? SchedulerRefusal else { return false }
                return needed > budget && budget == limits.kvCacheBytes
            }
            let first = SchedulerTests.Collector(), second = SchedulerTests.Collector()
            try scheduler.submit(first.request(reference.promptIDs, maxTokens: 8, owner: 1))
            try scheduler.submit(second.request(reference.promptIDs, maxTokens: 8, owner: 2))
            while scheduler.load.running == 0 { usleep(1000) }
            #expect(scheduler.load.running <= 1)  // the second waits for the budget
            #expect(scheduler.cacheBytes.reserved >= need && scheduler.cacheBytes.reserved <= limits.kvCacheBytes)
            let results = [first.wait(), second.wait()]
            for result in results { #expect(result.ids == Array(reference.ids.prefix(8))) }
            #expect(second.positions.first == 0)
            while scheduler.load.running > 0 { usleep(1000) }
            let bytes = scheduler.cacheBytes
            #expect(bytes.reserved == 0 && bytes.kept <= bytes.budget && bytes.kept > 0)
        }
    }
}
