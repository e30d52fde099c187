import Foundation

/// The one fixture locator of the package, for every test target and benchmark: the real
/// Exim data copied into `Tests/Fixtures` (so a clean clone needs nothing else), found by
/// walking up from this file's path (and, for a binary moved elsewhere, from the current
/// directory), plus scratch directories and the shell helpers the fixture tests share.
public enum Fixtures {
    /// `Tests/Fixtures` (a path that does not exist if the tree is incomplete).
    public static let directory: URL = {
        let fm = FileManager.default
        for start in [URL(fileURLWithPath: #filePath).deletingLastPathComponent(),
                      URL(fileURLWithPath: fm.currentDirectoryPath)] {
            var dir = start
            while true {
                for candidate in [dir.appendingPathComponent("Fixtures"), dir.appendingPathComponent("Tests/Fixtures")]
                    where fm.fileExists(atPath: candidate.appendingPathComponent("exim-real").path) {
                    return candidate
                }
                if dir.path == "/" { break }
                dir = dir.deletingLastPathComponent()
            }
        }
        return URL(fileURLWithPath: "/nonexistent/Tests/Fixtures")
    }()

    /// `Tests/Fixtures/exim-real`: Debian's Exim 4.96, run by `make-fixtures.sh`.
    public static var root: URL { directory.appendingPathComponent("exim-real") }

    /// Whether the fixtures were found.
    public static var isPresent: Bool { FileManager.default.fileExists(atPath: root.path) }

    /// A fixture given relative to `root`, as a URL.
    public static func url(_ name: String) -> URL { root.appendingPathComponent(name) }

    /// A fixture given relative to `root`, as an absolute path.
    public static func path(_ name: String) -> String { url(name).path }

    /// The real main log.
    public static var mainlog: String { path("log/mainlog") }
    /// The real reject log.
    public static var rejectlog: String { path("log/rejectlog") }
    /// The flat spool (holding `input/`).
    public static var spool: String { path("spool") }
    /// The split spool (`split_spool_directory`).
    public static var splitSpool: String { path("spool-split") }
    /// `exim -bp` of the flat spool, as the real Exim printed it.
    public static var bp: String { path("queue/bp.txt") }

    /// The eleven `-d+memory` traces (six in traces/, five in traces-extra/).
    public static let traceNames: [String] = [
        "traces/trace1-bt.txt", "traces/trace2-bp.txt", "traces/trace3-bh.txt",
        "traces/trace4-deliver-local.txt", "traces/trace5-daemon.txt", "traces/trace6-deliver-remote.txt",
        "traces-extra/e1-be-newblock.txt", "traces-extra/e2-be-config-negative.txt",
        "traces-extra/e3-be-config-reuse.txt", "traces-extra/e4-be-keepone-discard.txt",
        "traces-extra/e5-qff-pid-forks.txt",
    ]

    /// The text of a trace named without its directory (looked up in every trace directory).
    public static func trace(_ name: String) throws -> String {
        for dir in ["traces", "traces-extra", "traces-extra2"] {
            let f = url(dir).appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: f.path) { return try String(contentsOf: f, encoding: .utf8) }
        }
        throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: name])
    }

    /// A fresh temporary directory `storemon-<tag>-<uuid>`; the caller removes it with `remove`.
    public static func temporaryDirectory(_ tag: String = "test") throws -> String {
        let path = (NSTemporaryDirectory() as NSString).appendingPathComponent("storemon-\(tag)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// `temporaryDirectory(_:)` as a URL.
    public static func temporaryURL(_ tag: String = "test") throws -> URL {
        URL(fileURLWithPath: try temporaryDirectory(tag))
    }

    /// Removes a scratch directory (or file); missing is fine.
    public static func remove(_ path: String) { try? FileManager.default.removeItem(atPath: path) }

    /// Removes a scratch directory (or file) given as a URL.
    public static func remove(_ url: URL) { remove(url.path) }

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
