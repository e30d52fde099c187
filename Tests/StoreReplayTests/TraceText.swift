import FixtureSupport
import Foundation
import EximTrace
import StoreReplay

/// Helpers: replay a trace given as text (for edited copies of the fixtures).
enum TraceText {
    static func lines(_ name: String) -> [String] {
        let text = (try? String(contentsOfFile: Fixtures.path(name), encoding: .utf8)) ?? ""
        var l = text.components(separatedBy: "\n")
        if l.last == "" { l.removeLast() }
        return l
    }

    /// Replays `lines` (joined with newlines, plus a final newline unless `cut`).
    static func check(_ lines: [String], cut: Bool = false) -> CheckReport {
        let text = lines.joined(separator: "\n") + (cut ? "" : "\n")
        let path = NSTemporaryDirectory() + "replay-test-\(UUID().uuidString).txt"
        FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        defer { try? FileManager.default.removeItem(atPath: path) }
        guard let reader = try? TraceReader(path: path) else { return CheckReport(TraceReplay()) }
        return CheckReport.check(reader)
    }

    /// The index of the first line (0-based) containing `s`, after `from`.
    static func index(_ lines: [String], of s: String, from: Int = 0) -> Int? {
        lines.indices.dropFirst(from).first { lines[$0].contains(s) }
    }
}
