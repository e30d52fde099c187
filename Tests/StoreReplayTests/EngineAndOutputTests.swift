import FixtureSupport
import Foundation
import Testing
import EximTrace
import StoreReplay

/// Issue 8 points 2, 3 and 6: one engine for every view; honest counts; safe output.
@Suite struct EngineAndOutputTests {
    /// The animated and plain views step a `ReplaySession`; `--check` runs `CheckReport.check`.
    @Test(arguments: ["exim-real/traces/trace5-daemon.txt", "exim-real/traces/trace6-deliver-remote.txt",
                      "exim-4.99/traces/bs.memory.txt", "exim-4.98/traces/qff.memory.txt"])
    func checkAndSteppedViewsGiveTheSameResult(name: String) throws {
        let check = CheckReport.check(try TraceReader(path: AllTraces.path(name)))
        let session = ReplaySession(reader: try TraceReader(path: AllTraces.path(name)))
        var snapshots = 0
        while session.stepMemory() != nil {
            snapshots += 1
            if snapshots % 97 == 0 { _ = session.snapshot() }   // drawing must not change anything
        }
        let stepped = session.report
        #expect(stepped.json() == check.json())
        #expect(stepped.summary == check.summary)
        let end = session.snapshot()
        #expect(end.isFinished && end.summary == check.summary)
    }

    @Test func snapshotsArePlainValuesOfTheModel() throws {
        let session = ReplaySession(reader: try TraceReader(path: AllTraces.path("exim-real/traces/trace1-bt.txt")))
        for _ in 0..<200 { session.stepMemory() }
        let s = session.snapshot()
        let p = try #require(s.processes.first)
        #expect(p.pid == 28141 && p.pools.count == 10)
        #expect(p.pools[5].blocks == 1 && p.pools[5].chain.count == 1)
        #expect(p.poolTotal != nil && s.record != nil)
        let again = session.snapshot()
        #expect(again.processes == s.processes)
    }

    @Test func countsStayExactPastTheKeptListCap() throws {
        var lines = TraceText.lines("traces/trace1-bt.txt")
        // Move every 5th get by 8 bytes: many mismatches; keep only 3 of them.
        var moved = 0
        for i in lines.indices where lines[i].hasPrefix("---0 Get") && i % 5 == 0 {
            lines[i] = BadTraceTests.shiftAddress(lines[i], by: 8)
            moved += 1
        }
        let text = lines.joined(separator: "\n") + "\n"
        let path = NSTemporaryDirectory() + "cap-\(UUID().uuidString).txt"
        FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = CheckReport.check(try TraceReader(path: path), keepLimit: 3)
        #expect(r.mismatches.count == 3)
        #expect(r.lineMismatches >= moved / 2 && r.mismatchFigures > 3)
        #expect(r.text(limit: 50).contains("more differing figures not shown"))
        #expect(r.json().contains("\"mismatchesLeftOut\": \(r.mismatchFigures - 3)"))
    }

    @Test func tracesWithoutAddressesAreNamedAsSuch() throws {
        // Exim's test suite munges addresses; such a trace cannot be replayed, and says so.
        let lines = TraceText.lines("traces/trace1-bt.txt").map {
            $0.replacingOccurrences(of: #"0x[0-9a-f]+"#, with: "0xAAAAAAAA", options: .regularExpression)
        }
        let r = TraceText.check(lines)
        #expect(r.addressesMissing && r.checkedNothing && r.failed)
        #expect(r.summary.contains("test suite"))
    }

    @Test func textReportsQuoteTraceBytesAndJSONEscapesC1AndBidi() throws {
        // A hostile trace: its purpose names and function names carry ESC, OSC, C1 and bidi controls.
        let evil = "x\u{1b}]52;c;aGk=\u{07}\u{9b}2J\u{202e}evil\u{2066}"
        var lines = TraceText.lines("traces/trace4-deliver-local.txt")
        for i in lines.indices where lines[i].contains("postfork: ") || lines[i].contains("forking for ") || lines[i].contains("forked for ") {
            lines[i] = lines[i].replacingOccurrences(of: "delivery-local", with: "delivery-\(evil)")
        }
        if let i = lines.firstIndex(where: { $0.contains(" Get 0x") }) {
            lines[i] = lines[i].replacingOccurrences(of: "show_whats_sup", with: "s\u{1b}[2J\u{202e}")
        }
        lines.append("---0 Rst 0xdeadbeef 8 \u{1b}]0;pwned\u{07} 1\tpool 0")
        lines.append("postfork: \(evil)")
        let r = TraceText.check(lines)
        let text = r.text(limit: 1000)
        for u in text.unicodeScalars {
            let v = u.value
            #expect(!(v < 0x20 && v != 0x0A) && v != 0x7F && !(0x80...0x9F).contains(v) && !(0x202A...0x202E).contains(v) && !(0x2066...0x2069).contains(v),
                    "raw U+\(String(v, radix: 16)) in the text report")
        }
        let json = r.json()
        for u in json.unicodeScalars {
            let v = u.value
            #expect(!(v < 0x20 && v != 0x0A) && !(0x80...0x9F).contains(v) && !(0x202A...0x202E).contains(v) && !(0x2066...0x2069).contains(v),
                    "raw U+\(String(v, radix: 16)) in the JSON report")
        }
        #expect(json.contains("\\u202e") || json.contains("\\u202E"))
        #expect(json.contains("\\u009b"))
        let parsed = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        #expect(parsed?["lineMismatches"] != nil)
    }
}
