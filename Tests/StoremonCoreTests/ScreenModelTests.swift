import FixtureSupport
import Foundation
import Store
import Testing
@testable import StoremonCore

/// The monitor screen's plain-value models (issue 12): the queue selection, the message
/// overlay's pages, eximon's stripchart scaling and log-pattern counting, the /proc reader.
@Suite("Screen models")
struct ScreenModelTests {
    static func entry(_ id: String, recipients: Int) -> QueueEntry {
        QueueEntry(id: id, ageSeconds: 60, size: 100, sizeText: "  100", sender: TaintedString(tainting: "a@b"),
                   recipients: (0..<recipients).map { TaintedString(tainting: "r\($0)@x") }, delivered: [], frozen: false)
    }

    static func navigator(_ ids: [(String, Int)]) -> QueueNavigator {
        let q = QueueSnapshot(spoolPath: "/s", queueName: nil, messages: ids.map { entry($0.0, recipients: $0.1) })
        return QueueNavigator(QueuePaneModel(q, recipientLimit: 10))
    }

    @Test("the selection moves by message and by page, keeps its message across refreshes, stays in view")
    func queueNavigator() {
        let ids = ["1xWd9D-0006xR-10", "1xWd9D-0006xd-2A", "1xWd9E-0006y2-1W", "1xWd9E-0006yE-1x"]
        let nav = Self.navigator([(ids[0], 1), (ids[1], 3), (ids[2], 0), (ids[3], 12)])
        // rows: 0 m0, 1 r; 2 m1, 3-5 r; 6 m2; 7 m3, 8-17 r, 18 "... 2 more"
        #expect(nav.messageRows == [0, 2, 6, 7])
        #expect(nav.rowCount == 19)
        #expect(nav.rows(ofMessage: 1) == 2..<6)
        #expect(nav.message(atRow: 5) == 1)
        #expect(nav.moved(0, byMessages: 1) == 1)
        #expect(nav.moved(3, byMessages: 1) == 3)
        #expect(nav.moved(2, byMessages: Int.min / 2) == 0)
        #expect(nav.moved(0, byRows: 5) == 1)           // row 5 belongs to message 1
        #expect(nav.moved(0, byRows: 1) == 1)           // at least one message on
        #expect(nav.moved(3, byRows: -4) == 1)           // row 3 belongs to message 1
        #expect(nav.position(1) == "2/4")
        #expect(nav.position(nil) == "0/4")
        // a refresh: the selected message is found where it went; a vanished one keeps the index
        let after = Self.navigator([(ids[1], 3), (ids[2], 0), (ids[3], 1)])
        #expect(after.reselect(id: ids[2], index: 2) == 1)
        #expect(after.reselect(id: ids[0], index: 0) == 0)
        #expect(after.reselect(id: ids[0], index: 7) == 2)
        #expect(Self.navigator([]).reselect(id: ids[0], index: 0) == nil)
        // scroll: the selected message's line always, its recipients when they fit
        #expect(nav.scroll(showing: 3, scroll: 0, visible: 5) == 7)
        #expect(nav.scroll(showing: 0, scroll: 7, visible: 5) == 0)
        #expect(nav.scroll(showing: 1, scroll: 0, visible: 10) == 0)
    }

    @Test("a sender set by an untrusted user shows its login as exim -bp does: <sender> (login), quoted")
    func untrustedSenderLogin() throws {
        var m = Self.entry("1xWd9D-0006xR-10", recipients: 1)
        m.untrustedSenderLogin = TaintedString(tainting: "gail")
        var bounce = Self.entry("1xWd9D-0006xd-2A", recipients: 1)
        bounce.sender = TaintedString(tainting: "")
        bounce.untrustedSenderLogin = TaintedString(tainting: "ev\u{1b}[2Jil")
        let plain = Self.entry("1xWd9E-0006y2-1W", recipients: 1)
        let q = QueueSnapshot(spoolPath: "/s", queueName: nil, messages: [m, bounce, plain])
        let rows = QueuePaneModel(q, recipientLimit: 10).rows.filter { $0.kind == .message }.map(\.text.string)
        #expect(rows[0].hasSuffix("1xWd9D-0006xR-10 <a@b> (gail)"))
        #expect(rows[1].hasSuffix("1xWd9D-0006xd-2A <> (ev\\x1b[2Jil)"))   // tainted: escaped
        #expect(rows[2].hasSuffix("1xWd9E-0006y2-1W <a@b>"))
        var snap = sampleSnapshot()
        snap.queue = q
        let json = try JSONSerialization.jsonObject(with: Data(SnapshotJSON.line(snap).utf8)) as! [String: Any]
        let queue = json["queue"] as! [[String: Any]]
        #expect(queue[0]["untrustedSenderLogin"] as? String == "gail")
        #expect(queue[1]["untrustedSenderLogin"] as? String == "ev\u{1b}[2Jil")
        #expect(queue[2]["untrustedSenderLogin"] == nil)
    }

    @Test("a queue model reusing the previous one's rows equals one built afresh")
    func queueRowsReused() {
        let a = Self.entry("1xWd9D-0006xR-10", recipients: 2), b = Self.entry("1xWd9D-0006xd-2A", recipients: 12)
        var c = Self.entry("1xWd9E-0006y2-1W", recipients: 1)
        let before = QueueSnapshot(spoolPath: "/s", queueName: nil, messages: [a, b, c])
        let old = QueuePaneModel(before, recipientLimit: 10)
        c.frozen = true
        var aged = a
        aged.ageSeconds = 7200   // the age column changes: its rows are made again
        let d = Self.entry("1xWd9F-0006yj-0w", recipients: 0)
        let after = QueueSnapshot(spoolPath: "/s", queueName: nil, messages: [b, c, aged, d])
        let reused = QueuePaneModel(after, recipientLimit: 10, reusing: old)
        let fresh = QueuePaneModel(after, recipientLimit: 10)
        #expect(reused.rows.map(\.text.string) == fresh.rows.map(\.text.string))
        #expect(reused.rows.map(\.kind) == fresh.rows.map(\.kind))
        #expect(reused.rows.map(\.frozen) == fresh.rows.map(\.frozen))
        #expect(reused.rows.contains { $0.text.string.contains(" 2h ") || $0.text.string.hasPrefix(" 2h") })
    }

    @Test("the queue model quotes only the rows drawn: any window is the whole listing's slice, the cache stays bounded")
    func queueRowsWindowed() {
        let messages = (0..<5_000).map { i -> QueueEntry in
            var e = Self.entry(String(format: "1xWd9D-%06d-10", i), recipients: i % 14)
            e.frozen = i % 7 == 0
            if i % 5 == 0 { e.delivered = [TaintedString(tainting: "done\u{1b}[31m@x")] }
            return e
        }
        let q = QueueSnapshot(spoolPath: "/s", queueName: nil, messages: messages)
        let model = QueuePaneModel(q, recipientLimit: 10)
        #expect(model.cache.count == 0)     // nothing quoted yet
        let all = model.rows
        #expect(model.cache.count == 0)     // a whole listing is not kept
        #expect(all.count == model.rowCount)
        #expect(all.enumerated().filter { $0.element.kind == .message }.map(\.offset) == model.messageStarts)
        #expect(!all.contains { $0.text.string.contains("\u{1b}") })
        for (lo, n) in [(0, 40), (1, 1), (37, 50), (model.rowCount - 10, 40), (model.rowCount + 5, 10), (-3, 5)] {
            let window = model.rows(lo..<(lo + n))
            let a = min(all.count, max(0, lo)), b = min(all.count, max(a, lo + n))
            let want = all[a..<b]
            #expect(window.map(\.text.string) == want.map(\.text.string), "window \(lo)..<\(lo + n)")
            #expect(window.map(\.kind) == want.map(\.kind) && window.map(\.frozen) == want.map(\.frozen))
        }
        #expect(model.cache.count < 20)     // only the messages of those windows
        // the next snapshot's model reuses them; scrolling through the queue keeps it bounded
        let next = QueuePaneModel(q, recipientLimit: 10, reusing: model)
        for top in stride(from: 0, to: next.rowCount, by: 40) { _ = next.rows(top..<(top + 40)) }
        #expect(next.cache.count <= QueueRowCache.capacity)
        #expect(next.rowCount(messages: 3) == next.messageStarts[3] && next.rowCount(messages: 9_999) == next.rowCount)
    }

    @Test("eximon's scales: 10, 20, 50, 100, …; up at once, down after 20 lower updates")
    func stripchartScale() {
        #expect(StripchartScale.step(atLeast: 0) == 10)
        #expect(StripchartScale.step(atLeast: 10) == 10)
        #expect(StripchartScale.step(atLeast: 11) == 20)
        #expect(StripchartScale.step(atLeast: 21) == 50)
        #expect(StripchartScale.step(atLeast: 51) == 100)
        #expect(StripchartScale.step(atLeast: 9_999) == 10_000)
        #expect(StripchartScale.step(atLeast: 3_000, floor: 1024) == 5120)
        var s = StripchartScale()
        #expect(s.update(maximum: 3) == 10)
        #expect(s.update(maximum: 45) == 50)
        for _ in 0..<(StripchartScale.settleUpdates - 1) { #expect(s.update(maximum: 15) == 50) }
        #expect(s.update(maximum: 15) == 20)
        // a higher value in between restarts the wait
        for _ in 0..<5 { s.update(maximum: 2) }
        s.update(maximum: 20)
        for _ in 0..<(StripchartScale.settleUpdates - 1) { #expect(s.update(maximum: 2) == 20) }
        #expect(s.update(maximum: 2) == 10)
        let series = StripchartSeries(title: "in", kind: .logPattern, values: [0, 5, 10, 50], fullScale: 50)
        #expect(series.label == "in x5 50")
        #expect(series.heights(width: 6, levels: 8) == [nil, nil, nil, 0, 1, 7])
        #expect(StripchartSeries(title: "queue", kind: .queue, values: [3], fullScale: 10).label == "queue 3")
        let big = StripchartSeries(title: "queue", kind: .queue, values: [10_000], fullScale: 10_000)
        #expect(big.label == "queue x1000 10000")
        #expect(big.label(maxColumns: 15) == "queue x1000 10k")
        #expect(big.label(maxColumns: 9) == "queue 10k")
        #expect(StripchartSeries.compact(1_234_567) == "1.2M")
    }

    @Test("--stripchart REGEX=TITLE: split at the last '=', clear errors for bad ones")
    func patternParsing() throws {
        let p = try LogPatternChart(argument: " => .+ T=[^ ]*smtp=smtp out")
        #expect(p.source == " => .+ T=[^ ]*smtp" && p.title == "smtp out")
        #expect(p.matches("2026-11-26 17:20:56 1xWd9U-0007NN-33 => bob <b@x> R=r T=remote_smtp S=1"))
        #expect(!p.matches("2026-11-26 17:20:56 1xWd9U-0007NN-33 => bob <b@x> R=r T=local S=1"))
        for bad in ["no-equals", "=title", "( unclosed=t", "x=", "x=\u{1b}[2J"] {
            #expect(throws: LogPatternChart.ParseError.self) { try LogPatternChart(argument: bad) }
        }
        #expect(LogPatternChart.defaults.map(\.title) == ["in", "out", "local", "smtp"])
    }

    @Test("log lines are counted per pattern at read time; samples are the increase per refresh")
    func patternCountsInASession() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { Fixtures.remove(dir) }
        let log = dir + "/mainlog"
        try Data("2026-11-26 17:20:00 1xWd9D-0006xR-10 <= a@b H=x [1.2.3.4] P=esmtp S=1\n".utf8).write(to: URL(fileURLWithPath: log))
        var configuration = MonitorConfiguration(paths: MonitorPaths(logPath: log, spoolDirectory: nil), useInotify: false)
        configuration.stripcharts = LogPatternChart.defaults + [try LogPatternChart(argument: "Completed=done")]
        let session = try MonitorSession(configuration)
        let first = try session.refresh()
        #expect(first.charts.map(\.title) == ["queue", "in", "out", "local", "smtp", "done", "main", "perm", "config", "search", "message"])
        #expect(first.charts.first { $0.title == "in" }?.values == [0])   // lines read at start are not a rate
        let lines = """
            2026-11-26 17:20:01 1xWd9D-0006xR-10 => bob <bob@x> R=local_user T=local_mbox S=1
            2026-11-26 17:20:01 1xWd9D-0006xR-11 => c@y R=dnslookup T=remote_smtp H=h [1.2.3.4] S=1
            2026-11-26 17:20:02 1xWd9D-0006xR-12 <= a@b P=local S=1
            2026-11-26 17:20:02 1xWd9D-0006xR-10 Completed

            """
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        h.seekToEndOfFile()
        h.write(Data(lines.utf8))
        try h.close()
        let second = try session.refresh()
        func latest(_ t: String) -> Int? { second.charts.first { $0.title == t }?.latest }
        #expect(latest("in") == 1 && latest("out") == 2 && latest("local") == 1 && latest("smtp") == 1 && latest("done") == 1)
        let third = try session.refresh()
        #expect(third.charts.first { $0.title == "out" }?.values == [0, 2, 0])
        #expect(third.charts.first { $0.title == "main" }.map { $0.latest > 0 } == true)
    }

    @Test("the message overlay's pages and its problem page")
    func overlayPages() throws {
        let spool = Fixtures.spool
        let view = try MessageView.read(id: "1xWd9E-0006y2-1W", spoolDirectory: spool, bodyLimit: MessageView.bodyLimit, now: 1_795_713_700)
        let message = MessageOverlayModel(id: "1xWd9E-0006y2-1W", view: view, page: .message)
        #expect(message.title == "Message 1xWd9E-0006y2-1W")
        #expect(message.lines.contains { $0.string.contains("Sender:") })
        #expect(!message.lines.contains { $0.string.contains("This is a test mailing") })
        let body = MessageOverlayModel(id: "1xWd9E-0006y2-1W", view: view, page: .body)
        #expect(body.lines.contains { $0.string.contains("This is a test mailing") })
        #expect(MessageOverlayModel.toggled(.body, to: .body) == .message)
        #expect(MessageOverlayModel.toggled(.message, to: .messageLog) == .messageLog)
        let gone = MessageOverlayModel(id: "1xWd9E-0006y2-1W", problem: "not on the queue", page: .message)
        #expect(gone.lines.map(\.string) == ["Message 1xWd9E-0006y2-1W cannot be shown:", "not on the queue"])
        #expect(gone.maxScroll(rows: 1) == 1)
    }

    @Test("the /proc reader finds Exim processes by name, with age, parent and a quoted title")
    func processReader() throws {
        let root = try Fixtures.temporaryDirectory("fake-proc")
        defer { Fixtures.remove(root) }
        func process(_ pid: Int, comm: String, cmdline: [String], start: Int) throws {
            let d = root + "/\(pid)"
            try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
            try Data((comm + "\n").utf8).write(to: URL(fileURLWithPath: d + "/comm"))
            try Data(cmdline.joined(separator: "\0").appending("\0").utf8).write(to: URL(fileURLWithPath: d + "/cmdline"))
            // pid (comm) state ppid ... field 22 = starttime (clock ticks since boot)
            let fields = ["S", "1"] + Array(repeating: "0", count: 17) + [String(start)] + ["0", "0"]
            try Data("\(pid) (\(comm) x) \(fields.joined(separator: " "))\n".utf8).write(to: URL(fileURLWithPath: d + "/stat"))
        }
        let ticks = Int(sysconf(Int32(_SC_CLK_TCK)))
        try Data("1000.50 2000.00\n".utf8).write(to: URL(fileURLWithPath: root + "/uptime"))
        try process(10, comm: "exim4", cmdline: ["/usr/sbin/exim4", "-bd", "-q30m"], start: 100 * ticks)
        try process(11, comm: "exim4", cmdline: ["/usr/sbin/exim4", "-Mc", "1xWd9D-0006xR-10"], start: 990 * ticks)
        try process(12, comm: "bash", cmdline: ["bash"], start: 10 * ticks)
        try process(13, comm: "exim", cmdline: ["exim: evil \u{1b}[2J title"], start: 500 * ticks)
        try FileManager.default.createDirectory(atPath: root + "/self", withIntermediateDirectories: true)
        let found = EximProcessReader(root: root).read()
        #expect(found.map(\.pid) == [10, 13, 11])   // oldest first
        #expect(found[0].ageSeconds == 900 && found[0].parentPID == 1)
        #expect(found[0].activity == "daemon, queue runs -q30m")
        #expect(found[2].activity == "delivering 1xWd9D-0006xR-10")
        #expect(found[1].activity == nil)
        #expect(found.map(\.kind) == [.daemon, .other, .delivery])
        #expect(found[2].classification.messageID == "1xWd9D-0006xR-10")
        #expect(EximProcessReader(root: root + "/missing").readIfListable() == nil)
        #expect(EximProcessReader(root: root).readIfListable()?.count == 3)
        #expect(TerminalQuoter().quote(found[1].title).string == "exim: evil \\x1b[2J title")
        #expect(TerminalQuoter().quote(found[2].title).string == "/usr/sbin/exim4 -Mc 1xWd9D-0006xR-10")
    }
}
