import Foundation

/// Token texts and their ids, compared byte for byte.
///
/// Swift's `String` equality (and so a `[String: Int32]`) treats canonically equivalent texts
/// as equal — "é" and "e\u{301}" — where llama.cpp compares bytes; and hashing a `String`
/// normalises it, which is slow in the merge loops. This table keeps every text in one byte
/// buffer and finds a byte slice without allocating anything.
///
/// Entry ids are dense: the vocabulary's tokens come first with their own ids, then any
/// strings interned afterwards (merge parts that are not tokens).
struct TokenTable: Sendable {
    private var storage: [UInt8] = []
    /// Where entry `i` starts in `storage`; `starts[i + 1]` is where it ends.
    private var starts: [Int] = [0]
    /// Open addressing: entry id + 1, or 0 for an empty slot. The count is a power of two.
    private var slots: [Int32]
    private var filled = 0

    var count: Int { starts.count - 1 }

    init(capacity: Int) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = [Int32](repeating: 0, count: size)
        storage.reserveCapacity(capacity * 8)
        starts.reserveCapacity(capacity + 1)
    }

    /// Adds an entry with the next id. A text already present keeps its first id for lookups
    /// (the new entry still takes its id, so that token ids and entry ids stay the same).
    @discardableResult
    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) -> Int32 {
        let id = Int32(count)
        if filled * 2 >= slots.count { grow() }
        storage.append(contentsOf: bytes)
        starts.append(storage.count)
        let hash = Self.hash(bytes)
        var slot = Int(truncatingIfNeeded: hash) & (slots.count - 1)
        while slots[slot] != 0 {
            if equals(Int(slots[slot] - 1), bytes) { return id }
            slot = (slot + 1) & (slots.count - 1)
        }
        slots[slot] = id + 1
        filled += 1
        return id
    }

    /// The id of a text, adding it when it is not there yet.
    mutating func intern(_ bytes: UnsafeBufferPointer<UInt8>) -> Int32 {
        if let id = find(bytes) { return id }
        return append(bytes)
    }

    /// The first id whose text is exactly these bytes.
    func find(_ bytes: UnsafeBufferPointer<UInt8>) -> Int32? {
        var slot = Int(truncatingIfNeeded: Self.hash(bytes)) & (slots.count - 1)
        while slots[slot] != 0 {
            let id = Int(slots[slot] - 1)
            if equals(id, bytes) { return Int32(id) }
            slot = (slot + 1) & (slots.count - 1)
        }
        return nil
    }

    func find(_ bytes: [UInt8]) -> Int32? {
        bytes.withUnsafeBufferPointer { find($0) }
    }

    func find(_ text: String) -> Int32? {
        var text = text
        return text.withUTF8 { find($0) }
    }

    /// The bytes of an entry.
    func bytes(of id: Int32) -> ArraySlice<UInt8> {
        storage[starts[Int(id)]..<starts[Int(id) + 1]]
    }

    private func equals(_ id: Int, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let start = starts[id]
        guard starts[id + 1] - start == bytes.count else { return false }
        return storage.withUnsafeBufferPointer { all in
            bytes.isEmpty || memcmp(all.baseAddress! + start, bytes.baseAddress!, bytes.count) == 0
        }
    }

    private mutating func grow() {
        var bigger = [Int32](repeating: 0, count: slots.count * 2)
        for id in 0..<count where find(storage[starts[id]..<starts[id + 1]]) == Int32(id) {
            var slot = Int(truncatingIfNeeded: rehash(id)) & (bigger.count - 1)
            while bigger[slot] != 0 { slot = (slot + 1) & (bigger.count - 1) }
            bigger[slot] = Int32(id) + 1
        }
        slots = bigger
    }

    private func find(_ slice: ArraySlice<UInt8>) -> Int32? {
        slice.withUnsafeBufferPointer { find($0) }
    }

    private func rehash(_ id: Int) -> UInt64 {
        storage[starts[id]..<starts[id + 1]].withUnsafeBufferPointer { Self.hash($0) }
    }

    /// FNV-1a, finished with a multiply-xorshift so that the low bits (the slot) mix well.
    @inline(__always)
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        hash ^= hash >> 32
        hash = hash &* 0xd6e8_feb8_6659_fd93
        return hash ^ (hash >> 32)
    }
}
