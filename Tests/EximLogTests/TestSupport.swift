import FixtureSupport
import Foundation
import Store
import Testing
@testable import EximLog

/// The real Exim 4.96 main log and reject log.
let realMainlog = Fixtures.mainlog
let realRejectlog = Fixtures.rejectlog

/// A small store per test (small address-space slots).
func makeStore() throws -> Store { try Store(options: .init(slotSizeLog2: 26)) }

/// Parses `text` (one line, no newline) from a tainted copy in `store`.
func parse(_ text: String, in store: Store) throws -> LogLine {
    try parse(Array(text.utf8), in: store)
}

/// Parses raw bytes (one line, no newline) from a tainted copy in `store`.
func parse(_ bytes: [UInt8], in store: Store) throws -> LogLine {
    let t = try bytes.withUnsafeBytes { raw throws(StoreError) in try store.copyTainted(raw) }
    return LogLine(t)
}

/// Test-only way out of taint: the bytes as a String (nil if absent or not UTF-8).
func str(_ b: TaintedBytes?) -> String? {
    b.flatMap { $0.copiedOut().untainted(afterChecking: { _ in true }) }
}

/// A temporary directory removed when the value is deinitialised.
final class TempDir {
    let path: String
    init() {
        path = NSTemporaryDirectory() + "eximlog-test-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit {
        _ = chmodRecursive(path)
        try? FileManager.default.removeItem(atPath: path)
    }
    /// Full path of `name` inside the directory.
    func file(_ name: String) -> String { path + "/" + name }
    private func chmodRecursive(_ p: String) -> Bool {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: p)) ?? [] { chmod(p + "/" + name, 0o644) }
        return true
    }
}

/// Appends raw bytes to a file (creating it), with one write() like Exim does.
func append(_ bytes: [UInt8], to path: String) {
    let fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0o644)
    precondition(fd >= 0, "cannot open \(path)")
    _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    close(fd)
}

/// Appends text to a file (creating it).
func append(_ text: String, to path: String) { append(Array(text.utf8), to: path) }

/// A numbered main-log line in the real format, with a newline.
func logLine(_ n: Int) -> String {
    "2026-11-26 17:20:36 [2662\(n % 10)] 1xWd9A-0006vT-0Q => user\(n) <user\(n)@storemon.test> R=local_user T=local_mbox S=\(1000 + n) QT=0s DT=0s\n"
}

/// Reads everything the tailer has now (looping while `hasMore`), resetting the pool
/// after each batch as the monitor does, and returns the lines copied out as Strings
/// (invalid UTF-8 replaced), plus the counters and the batches' events and problems.
struct Drained {
    var lines: [String] = []
    var counters = LogCounters()
    var events: [LogTailer.Event] = []
    var problems: [LogTailerError] = []
    var truncatedLengths: [Int] = []
}

func drain(_ tailer: LogTailer, _ store: Store) throws -> Drained {
    var out = Drained()
    while true {
        let mark = try store.mark()
        let batch = try tailer.readNewLines(into: store)
        for line in batch {
            out.counters.count(line)
            out.lines.append(line.bytes.withUnsafeBytes { String(decoding: $0, as: UTF8.self) })
            if line.isTruncated { out.truncatedLengths.append(line.fullLength) }
        }
        out.events += batch.events
        if let p = batch.problem { out.problems.append(p) }
        try store.reset(to: mark)
        if !batch.hasMore { break }
    }
    return out
}

/// The start of the truncation tests: `mainlog` in `dir` gets lines 1...5, a tailer reads
/// them all, then the file is truncated in place. Returns the path and that tailer.
func tailerBeforeTruncation(in dir: TempDir, _ store: Store) throws -> (path: String, tailer: LogTailer) {
    let path = dir.file("mainlog")
    for n in 1...5 { append(logLine(n), to: path) }
    let tailer = LogTailer(path: path, start: .beginning)
    #expect(try drain(tailer, store).lines.count == 5)
    #expect(truncate(path, 0) == 0)
    return (path, tailer)
}

/// Runs a command and returns its standard output.
func run(_ tool: String, _ args: [String]) throws -> String {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: tool)
    p.arguments = args
    let pipe = Pipe()
    p.standardOutput = pipe
    try p.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
}

/// An independent model of the lines Exim writes as rejections, as one `grep -E` pattern
/// (written from Exim's formats, not from the parser): after the timestamp, zone, `[pid]`
/// and an optional message id, any `KEY=value` words (a quoted, `<…>` or plain value; `H=`
/// with its `(helo)` and `[ip]` words) or `DS`, then `rejected ` / `temporarily rejected `;
/// or an SMTP synchronization error, a refused connection, an ACL `drop`, or an unqualified
/// address.
let rejectionPattern: String = {
    let prefix = #"^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:.]+( [+-][0-9]{4})?( \[[0-9]+\])? "#
    let id = #"([0-9A-Za-z]{6}-([0-9A-Za-z]{6}-[0-9A-Za-z]{2}|[0-9A-Za-z]{11}-[0-9A-Za-z]{4}) )?"#
    let field = #"([A-Za-z0-9*]+=("[^"]*"|<[^>]*>|[^ ]*)( \([^)]*\))*( \[[^] ]*\][^ ]*)?|DS)"#
    let forms = [
        "(\(field) )*(temporarily )?rejected ",
        "SMTP protocol synchronization error",
        "(temporarily )?refused connection from ",
        "[Cc]onnection from .* refused",
        "SMTP connection .* closed by DROP in ACL",
        "unqualified [a-z]+ rejected: <",
    ]
    return prefix + id + "(" + forms.joined(separator: "|") + ")"
}()

/// `grep -cE pattern path` as an Int (-1 if grep fails to run).
func grepCount(_ pattern: String, _ path: String) -> Int {
    let out = (try? run("/bin/grep", ["-cE", "--", pattern, path])) ?? ""
    return Int(out.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
}

/// A file under `Tests/Fixtures/exim-<version>/` (`"4.98"`, `"4.99"`).
func eximFixture(_ version: String, _ name: String) -> String {
    Fixtures.directory.appendingPathComponent("exim-\(version)/\(name)").path
}
