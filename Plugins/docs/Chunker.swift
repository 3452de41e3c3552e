import Foundation

/// Splits a text file into passages for retrieval: at Markdown headings, and at blank lines once
/// a passage is long enough; a passage that must be cut elsewhere (or at a blank line) keeps its
/// last lines at the start of the next one, so no sentence is only ever seen cut in half.
struct Chunker {
    struct Chunk: Equatable {
        let text: String
        /// 1-based line of the passage's first line.
        let line: Int
    }

    /// Characters a passage aims for, and never exceeds (except a single longer line).
    var target = 900
    var limit = 1800
    /// Lines carried over into the next passage when one is cut mid-section.
    var overlapLines = 2

    func chunks(of text: String, markdown: Bool) -> [Chunk] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { String($0) }
        var chunks: [Chunk] = []
        var current: [String] = []
        var start = 1, size = 0
        func flush(next: Int, keep: Int) {
            let body = current.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
            if !body.isEmpty { chunks.append(Chunk(text: body, line: start)) }
            let kept = keep > 0 ? Array(current.suffix(keep)) : []
            current = kept
            size = kept.reduce(0) { $0 + $1.count + 1 }
            start = next - kept.count
        }
        for (index, line) in lines.enumerated() {
            let number = index + 1
            let heading = markdown && line.hasPrefix("#")
            if heading && !current.isEmpty {
                flush(next: number, keep: 0)
            } else if size >= target && line.trimmingCharacters(in: .whitespaces).isEmpty {
                flush(next: number, keep: overlapLines)
            } else if size + line.count > limit && !current.isEmpty {
                flush(next: number, keep: overlapLines)
            }
            if current.isEmpty { start = number }
            current.append(line)
            size += line.count + 1
        }
        flush(next: lines.count + 1, keep: 0)
        return chunks
    }
}
