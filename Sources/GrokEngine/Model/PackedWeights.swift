import CGrokKernels
import Foundation

/// A weight matrix copied into the kernels' packed layout (sixteen rows per block; see
/// `grok_pack`), which the AVX-512 kernels multiply about twice as fast as the file's layout.
/// Owns its memory; the file's pages of the matrix are given back to the page cache.
final class PackedWeights: @unchecked Sendable {
    let base: UnsafeMutableRawPointer
    let bytes: Int

    /// Packs `matrix` on the pool's threads, or returns nil where packing does not pay (no
    /// AVX-512 level, or no packed form for the type or shape).
    init?(_ matrix: WeightMatrix, pool: WorkerPool) {
        let type = Int32(matrix.type.rawValue)
        let bytes = grok_packed_bytes(type, Int64(matrix.rows), Int64(matrix.columns))
        guard grok_packed_preferred() != 0, bytes > 0 else { return nil }
        self.bytes = bytes
        base = .allocate(byteCount: bytes, alignment: 64)
        let groups = matrix.rows / 16
        // Slices of about 8 MB of the file, each released once packed, so loading never holds
        // both whole copies.
        let sliceGroups = max(pool.threads, (8 << 20) / max(1, 16 * matrix.rowBytes))
        var first = 0
        while first < groups {
            let end = min(groups, first + sliceGroups)
            let perThread = (end - first + pool.threads - 1) / pool.threads
            pool.run(chunks: pool.threads) { [base] chunk in
                let g0 = first + chunk * perThread, g1 = min(end, g0 + perThread)
                guard g0 < g1 else { return }
                grok_pack(type, matrix.base, matrix.rowBytes, Int64(matrix.columns), Int64(g0), Int64(g1), base)
            }
            Self.release(matrix.base + first * 16 * matrix.rowBytes, count: (end - first) * 16 * matrix.rowBytes)
            first = end
        }
    }

    deinit { base.deallocate() }

    /// Drops the whole pages of a mapped range from the process (they stay in the page cache
    /// and come back on access, e.g. for embedding lookups).
    private static func release(_ start: UnsafeRawPointer, count: Int) {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let from = (Int(bitPattern: start) + page - 1) / page * page
        let to = (Int(bitPattern: start) + count) / page * page
        guard to > from, let pointer = UnsafeMutableRawPointer(bitPattern: from) else { return }
        madvise(pointer, to - from, MADV_DONTNEED)
    }
}
