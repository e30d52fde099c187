import Foundation
import Testing

/// `--stripchart REGEX=TITLE` on the command line: a bad one is a usage error (exit 2)
/// saying what is wrong; good ones reach the JSON snapshot's `stripcharts`.
struct StripchartOptionTests {
    @Test func badStripchartsAreUsageErrors() throws {
        for (argument, says) in [("( unclosed=t", "not a valid regular expression"), ("no-title", "expected REGEX=TITLE"),
                                 ("x=", "the title after '=' is empty"), ("=t", "is empty")] {
            let r = try TestSupport.run(["--stripchart", argument, "--once", "/nonexistent"])
            #expect(r.status == 2 && !r.signaled, "\(argument): status \(r.status)")
            #expect(r.err.contains(says), "\(argument): \(r.err)")
        }
    }

    @Test func stripchartsInTheJSONSnapshot() throws {
        let spool = try TestSupport.fixtureSpool()
        defer { try? FileManager.default.removeItem(at: spool.deletingLastPathComponent()) }
        let r = try TestSupport.run(["--once", "--json", "--stripchart", " Completed=done",
                                     spool.appendingPathComponent("log").path])
        #expect(r.status == 0, "\(r.err)")
        let object = try JSONSerialization.jsonObject(with: r.stdout) as? [String: Any]
        let charts = object?["stripcharts"] as? [[String: Any]] ?? []
        #expect(charts.compactMap { $0["title"] as? String }
                == ["queue", "in", "out", "local", "smtp", "done", "main", "perm", "config", "search", "message"])
        let queue = charts.first { $0["title"] as? String == "queue" }
        #expect(queue?["latest"] as? Int == 21 && queue?["fullScale"] as? Int == 50 && queue?["kind"] as? String == "queue")
        #expect(charts.first { $0["title"] as? String == "done" }?["kind"] as? String == "logPattern")
    }
}
