import NIOCore

/// One frame of newline-delimited JSON: a line's bytes, or the news that a line was too long.
public enum LineFrame: Sendable, Equatable {
    /// A non-blank line, without its LF (and without a CR before it).
    case line(ByteBuffer)
    /// A line longer than the limit was skipped up to its newline; the connection stays usable.
    case oversized
}

/// Splits a byte stream into lines with a hard length cap.
///
/// The cap is enforced while bytes arrive, so a 20 MiB line never sits in memory: once the
/// limit is crossed the decoder reports `.oversized` and discards up to the next newline.
public struct LineFrameDecoder: ByteToMessageDecoder {
    public typealias InboundOut = LineFrame

    private let maxLineBytes: Int
    /// Skipping the rest of an oversized line.
    private var discarding = false
    /// Bytes at the front of the buffer already known to hold no newline.
    private var scanned = 0

    public init(maxLineBytes: Int) {
        self.maxLineBytes = maxLineBytes
    }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        let view = buffer.readableBytesView
        guard let newline = view[(view.startIndex + scanned)...].firstIndex(of: UInt8(ascii: "\n")) else {
            return noNewline(context: context, buffer: &buffer)
        }
        let length = newline - view.startIndex
        scanned = 0
        // The limit counts the line's content: neither the LF nor a CR before it.
        let hasCR = length > 0 && view[newline - 1] == UInt8(ascii: "\r")
        if discarding || length - (hasCR ? 1 : 0) > maxLineBytes {
            buffer.moveReaderIndex(forwardBy: length + 1)
            if !discarding { context.fireChannelRead(wrapInboundOut(.oversized)) }
            discarding = false
            return .continue
        }
        var line = buffer.readSlice(length: length)!
        buffer.moveReaderIndex(forwardBy: 1)
        emit(&line, context: context)
        return .continue
    }

    public mutating func decodeLast(
        context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool
    ) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        // A last line without its newline still counts: `printf '{...}' | socat` is common.
        if !discarding, buffer.readableBytes > 0 {
            var line = buffer.readSlice(length: buffer.readableBytes)!
            emit(&line, context: context)
        }
        buffer.moveReaderIndex(to: buffer.writerIndex)
        scanned = 0
        discarding = false
        return .needMoreData
    }

    private mutating func noNewline(context: ChannelHandlerContext, buffer: inout ByteBuffer) -> DecodingState {
        if discarding {
            buffer.moveReaderIndex(to: buffer.writerIndex)
            scanned = 0
        } else if buffer.readableBytes > maxLineBytes + 1 {  // + 1: room for a CR before the LF
            context.fireChannelRead(wrapInboundOut(.oversized))
            discarding = true
            buffer.moveReaderIndex(to: buffer.writerIndex)
            scanned = 0
        } else {
            scanned = buffer.readableBytes
        }
        return .needMoreData
    }

    private func emit(_ line: inout ByteBuffer, context: ChannelHandlerContext) {
        if line.readableBytesView.last == UInt8(ascii: "\r") {
            line.moveWriterIndex(to: line.writerIndex - 1)
        }
        let blank = line.readableBytesView.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }
        if !blank { context.fireChannelRead(wrapInboundOut(.line(line))) }
    }
}
