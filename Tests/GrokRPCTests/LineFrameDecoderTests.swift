import NIOCore
import NIOEmbedded
import Testing
@testable import GrokRPC

/// The framing decoder, fed byte by byte and in chunks on an EmbeddedChannel.
@Suite struct LineFrameDecoderTests {
    private func frames(_ input: [[UInt8]], limit: Int = 16) throws -> [String] {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(LineFrameDecoder(maxLineBytes: limit)))
        for chunk in input {
            try channel.writeInbound(ByteBuffer(bytes: chunk))
        }
        _ = try channel.finish()
        var out: [String] = []
        while let frame = try channel.readInbound(as: LineFrame.self) {
            switch frame {
            case .line(let buffer): out.append(String(buffer: buffer))
            case .oversized: out.append("<oversized>")
            }
        }
        return out
    }

    private func bytewise(_ text: String) -> [[UInt8]] { text.utf8.map { [$0] } }

    @Test func splitsLinesFedOneByteAtATime() throws {
        #expect(try frames(bytewise("ab\ncd\n")) == ["ab", "cd"])
    }

    @Test func stripsCRAndSkipsBlankLines() throws {
        #expect(try frames([Array("a\r\n\n  \r\nb\n".utf8)]) == ["a", "b"])
    }

    @Test func readsAFinalLineWithoutNewline() throws {
        #expect(try frames([Array("a\nlast".utf8)]) == ["a", "last"])
    }

    @Test func oversizedLineIsReportedOnceAndSkipped() throws {
        let long = String(repeating: "x", count: 40)
        #expect(try frames(bytewise("ok\n" + long + "\nafter\n")) == ["ok", "<oversized>", "after"])
        #expect(try frames([Array(("ok\n" + long + "\nafter\n").utf8)]) == ["ok", "<oversized>", "after"])
    }

    @Test func oversizedLineAcrossChunksNeverBuffersMoreThanTheLimit() throws {
        let chunks = [Array(String(repeating: "y", count: 10).utf8), Array(String(repeating: "y", count: 10).utf8),
                      Array(String(repeating: "y", count: 100).utf8), Array("y\nz\n".utf8)]
        #expect(try frames(chunks) == ["<oversized>", "z"])
    }

    @Test func lineExactlyAtTheLimitPasses() throws {
        let exact = String(repeating: "q", count: 16)
        #expect(try frames(bytewise(exact + "\n")) == [exact])
        #expect(try frames(bytewise(exact + "q\n")) == ["<oversized>"])
    }

    @Test func aCRBeforeTheLFDoesNotCountTowardTheLimit() throws {
        let exact = String(repeating: "q", count: 16)
        #expect(try frames(bytewise(exact + "\r\n")) == [exact])
        #expect(try frames([Array((exact + "\r\n").utf8)]) == [exact])
        #expect(try frames(bytewise(exact + "q\r\n")) == ["<oversized>"])
    }

    @Test func unterminatedOversizedTailIsDropped() throws {
        #expect(try frames([Array(String(repeating: "w", count: 50).utf8)]) == ["<oversized>"])
    }
}
