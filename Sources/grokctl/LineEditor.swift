import CEditLine
import Foundation

/// Reads lines at a terminal with editing (arrows, Home/End, Ctrl-A/E/K/U/W, Ctrl-R search)
/// and a history kept across runs, through libedit.
final class LineEditor {
    private let historyPath: String
    private var lastRemembered: String?
    /// Lines kept in the history file.
    static let historySize: Int32 = 1000

    init(historyPath: String = LineEditor.defaultHistoryPath()) {
        self.historyPath = historyPath
        try? FileManager.default.createDirectory(
            atPath: (historyPath as NSString).deletingLastPathComponent, withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o700])
        using_history()
        stifle_history(Self.historySize)
        _ = read_history(historyPath)
    }

    /// `$XDG_STATE_HOME/grok/chat_history` (default `~/.local/state/grok/chat_history`).
    static func defaultHistoryPath(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let state = environment["XDG_STATE_HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil }
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.local/state"
        return state + "/grok/chat_history"
    }

    /// One line as typed (without its newline); nil at Ctrl-D on an empty line.
    func read(prompt: String) -> String? {
        guard let raw = readline(prompt) else { return nil }
        defer { free(raw) }
        return String(cString: raw)
    }

    /// Adds a line to the history (not blanks, not the same line twice in a row) and saves it.
    func remember(_ line: String) {
        guard !line.trimmingCharacters(in: .whitespaces).isEmpty else { return }
        guard line != lastRemembered else { return }
        lastRemembered = line
        add_history(line)
        _ = write_history(historyPath)
        chmod(historyPath, 0o600)  // what a user asks can be private
    }
}
