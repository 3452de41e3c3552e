import CJansson
import Synchronization
import Testing
@testable import GrokJSON

/// Blocks allocated through the hooks of this test and not yet freed. Keyed by address, so
/// that frees of blocks allocated before the hooks went in (or by other suites running at
/// the same time) are not miscounted.
private let liveBlocks = Mutex(Set<UInt>())
private let allocatedBlocks = Atomic<Int>(0)

@Suite(.serialized) struct JanssonLeakTests {
    /// Parses and prints thousands of messages (including failing ones) and checks that every
    /// block jansson allocated was freed again.
    @Test func everyJsonTIsReleased() throws {
        json_set_alloc_funcs(
            { size in
                let block = malloc(size)
                if let block { _ = liveBlocks.withLock { $0.insert(UInt(bitPattern: block)) } }
                allocatedBlocks.add(1, ordering: .relaxed)
                return block
            },
            { pointer in
                if let pointer { _ = liveBlocks.withLock { $0.remove(UInt(bitPattern: pointer)) } }
                free(pointer)
            })
        defer { json_set_alloc_funcs(malloc, free) }
        let message = Array(#"{"jsonrpc":"2.0","id":7,"method":"m","params":{"a":[1,2.5,"x",null,{"b":false}]}}"#.utf8)
        let broken = Array(#"{"jsonrpc":"2.0","id":7,"params":{"a":[1,2.5,"x",nul"#.utf8)
        let before = liveBlocks.withLock { $0.count }
        var touched = 0
        for _ in 0..<20_000 {
            let value = try JSONCodec.parse(message)
            touched += try JSONCodec.encode(value).count
            _ = try? JSONCodec.parse(broken)
            _ = try? JSONCodec.encode(JSONValue.array([1, .double(.nan)]))
        }
        let after = liveBlocks.withLock { $0.count }
        #expect(touched > 0)
        #expect(allocatedBlocks.load(ordering: .relaxed) > 100_000, "the hooks must see jansson's allocations")
        // Other suites run in parallel and may hold a handful of blocks at this instant; a
        // leak here would leave tens of thousands.
        #expect(after - before < 200, "jansson blocks still live: \(after - before)")
    }
}
