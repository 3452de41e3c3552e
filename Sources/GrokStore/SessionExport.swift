import Foundation
import GrokJSON
import GrokProtocol

/// A session written out for people (Markdown) or programs (JSON).
enum SessionExport {
    static func markdown(_ session: SessionSummary, _ messages: [SessionMessage]) -> String {
        var out = "# \(session.title.isEmpty ? "Untitled session" : session.title)\n\n"
        let date = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: session.created))
        out += "_Session \(session.id), started \(date)\(session.model.map { ", model \($0)" } ?? "")._\n"
        for message in messages {
            out += "\n## \(message.role.prefix(1).uppercased() + message.role.dropFirst())\n\n\(message.content)\n"
            for citation in message.citations?.arrayValue ?? [] {
                out += "\n- \(citation["citation"]?.stringValue ?? citation.description)"
            }
            if message.citations?.arrayValue?.isEmpty == false { out += "\n" }
        }
        return out
    }

    static func json(_ session: SessionSummary, _ messages: [SessionMessage]) throws -> String {
        let value = try JSONValueEncoder().encode(SessionGet.Result(session: session, messages: messages))
        return try JSONCodec.encodePretty(value)
    }
}

extension Store {
    /// The owner's session as "markdown" or "json"; nil when not theirs.
    public func export(owner: UInt32, session: String, markdown: Bool) throws -> String? {
        guard let (summary, messages) = try self.session(owner: owner, id: session) else { return nil }
        return markdown ? SessionExport.markdown(summary, messages) : try SessionExport.json(summary, messages)
    }
}
