import ArgumentParser
import Foundation
import GrokJSON
import GrokProtocol
import GrokRPC

/// grokctl's exit codes (documented in `grokctl --help` and the README).
enum ExitStatus: Int32 {
    case success = 0
    case rpcError = 1
    case usage = 64
    case unavailable = 69
    case internalError = 70
    case interrupted = 130
}

/// Printing for people (on a terminal) and for scripts (--json or a pipe).
enum Output {
    static var isTerminal: Bool { isatty(STDOUT_FILENO) == 1 }

    static func line(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    /// JSON: indented on a terminal, one compact line otherwise.
    static func json(_ value: JSONValue, pretty: Bool = isTerminal) {
        let text = (try? pretty ? JSONCodec.encodePretty(value) : JSONCodec.encodeToString(value)) ?? "null"
        line(text)
    }

    /// Columns padded to their widest cell, a header first.
    static func table(_ header: [String], _ rows: [[String]]) {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        for row in all {
            line(zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces))
        }
    }

    static func fail(_ message: String, code: ExitStatus) -> Never {
        FileHandle.standardError.write(Data("grokctl: \(message)\n".utf8))
        exit(code.rawValue)
    }

    /// Reports an error from a call and exits with the matching code.
    static func fail(_ error: any Error, json asJSON: Bool) -> Never {
        switch error {
        case let rpc as RPCError where rpc.code == RPCErrorCode.cancelled:
            fail(rpc.message, code: .interrupted)
        case let rpc as RPCError:
            if asJSON, let value = try? JSONValueEncoder().encode(rpc) { json(["error": value], pretty: false) }
            var message = "\(rpc.message) (code \(rpc.code))"
            if let data = rpc.data { message += " \(data)" }
            fail(message, code: .rpcError)
        case is CancellationError:
            fail("interrupted", code: .interrupted)
        case is RPCClient.ConnectionClosed:
            fail("\(error)", code: .unavailable)
        default:
            fail("\(error)", code: .internalError)
        }
    }
}
