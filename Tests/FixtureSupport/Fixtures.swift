import Foundation

/// The real Exim 4.96 data in `Tests/Fixtures/exim-real`, shared by the trace and
/// replay tests: found by walking up from this file, so a clean clone needs nothing else.
public enum Fixtures {
    /// `Tests/Fixtures/exim-real` (a path that does not exist if the tree is incomplete).
    public static let root: URL = {
        var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while dir.path != "/" {
            let candidate = dir.appendingPathComponent("Fixtures/exim-real")
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: "/nonexistent")
    }()

    /// The eleven `-d+memory` traces (six in traces/, five in traces-extra/).
    public static let traceNames: [String] = [
        "traces/trace1-bt.txt", "traces/trace2-bp.txt", "traces/trace3-bh.txt",
        "traces/trace4-deliver-local.txt", "traces/trace5-daemon.txt", "traces/trace6-deliver-remote.txt",
        "traces-extra/e1-be-newblock.txt", "traces-extra/e2-be-config-negative.txt",
        "traces-extra/e3-be-config-reuse.txt", "traces-extra/e4-be-keepone-discard.txt",
        "traces-extra/e5-qff-pid-forks.txt",
    ]

    /// The absolute path of a fixture given relative to `root`.
    public static func path(_ name: String) -> String { root.appendingPathComponent(name).path }

    /// Runs a shell pipeline (grep/awk) and returns its stdout.
    public static func shell(_ command: String) -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", command]
        let pipe = Pipe()
        p.standardOutput = pipe
        do { try p.run() } catch { return "" }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// `grep -cE pattern file` as an Int.
    public static func grepCount(_ pattern: String, _ name: String) -> Int {
        Int(shell("grep -cE -- '\(pattern)' '\(path(name))'").trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }
}
