import FixtureSupport
import Foundation
import StoremonCore
import Testing

/// Issue 12's monitor screen in a real terminal: the queue selection, the message overlay,
/// the action keys (against a stand-in `exim` script that records its arguments), pool
/// collapse, zoom, charts, processes, sideways scrolling, dates and pids, and a scrolled
/// log and a queue selection that stay put while new lines and messages arrive.
@Suite(.serialized, .enabled(if: TestSupport.hasTmux || TestSupport.inCI,
                             "tmux is not installed (`apt-get install tmux`; in CI a missing tmux fails instead)"))
struct OperationsInTmuxTests {
    /// The fixture spool's first messages, in `exim -bp` order.
    static let first = "1xWd9D-0006xR-10", second = "1xWd9D-0006xd-2A", third = "1xWd9E-0006y2-1W"

    /// A running storemon on a copy of the fixture spool.
    struct Running {
        let tmux: TmuxHarness
        let spool: URL
        /// The stand-in Exim's directory (its `args` file records each call), or nil.
        let fakeExim: String?

        func close() {
            tmux.close()
            try? FileManager.default.removeItem(at: spool.deletingLastPathComponent())
            if let fakeExim { Fixtures.remove(fakeExim) }
        }

        /// Waits for the screen to satisfy `predicate`; records the screen when it never does.
        @discardableResult
        func expectScreen(_ what: String, seconds: Double = 5, _ predicate: (String) -> Bool) -> String? {
            let s = tmux.waitFor(seconds: seconds, predicate)
            #expect(s != nil, "\(what):\n\(tmux.capture())")
            return s
        }

        /// The calls the stand-in Exim received (one line of arguments each).
        var calls: [String] {
            guard let fakeExim, let text = try? String(contentsOfFile: fakeExim + "/args", encoding: .utf8) else { return [] }
            return text.split(separator: "\n").map(String.init)
        }
    }

    /// A stand-in `exim`: `-bP spool_directory` answers `spool`; `-M…` calls append their
    /// arguments to `DIR/args` and answer as Exim does (`-v -M` prints a few lines slowly).
    static func fakeExim(spool: String) throws -> (dir: String, path: String) {
        let dir = try Fixtures.temporaryDirectory("screen-fake-exim")
        let path = dir + "/exim"
        let script = """
            #!/bin/sh
            if [ "$1" = "-bP" ]; then echo "spool_directory = \(spool)"; exit 0; fi
            echo "$*" >> \(dir)/args
            case "$1" in
              -Mf) echo "Message $2 is now frozen" ;;
              -Mt) echo "Message $2 is no longer frozen" ;;
              -Mg) echo "Message $2 has been given up" ;;
              -Mrm) echo "Message $2 has been removed" ;;
              -Mar) echo "Recipient $3 added to $2" ;;
              -Mmd) echo "Recipient $3 marked delivered in $2" ;;
              -v) echo "delivering $3"; sleep 0.3; echo "LOG: MAIN"; echo "  => somebody R=local T=mailbox"
                  i=0; while [ $i -lt 40 ]; do echo "transcript line $i"; i=$((i+1)); done
                  sleep 0.3; echo "evil \\033[2J done" ;;
            esac
            exit 0
            """
        try Data(script.utf8).write(to: URL(fileURLWithPath: path))
        chmod(path, 0o755)
        return (dir, path)
    }

    /// Starts storemon on a fixture spool copy (`--exim` a stand-in answering for that spool
    /// when `fake`), waits for the first frame.
    func start(width: Int = 120, height: Int = 40, fake: Bool = false, fakeSpool: String? = nil,
               extra: String = "") throws -> Running {
        let spool = try TestSupport.fixtureSpool()
        var exim: (dir: String, path: String)?
        if fake { exim = try Self.fakeExim(spool: fakeSpool ?? spool.path) }
        let tmux = try TmuxHarness(width: width, height: height)
        let eximOption = exim.map { "--exim \(shellQuoted($0.path))" } ?? ""
        try tmux.runInShell("\(shellQuoted(TestSupport.storemon.path)) --interval 0.5 \(eximOption) \(extra) \(shellQuoted(spool.appendingPathComponent("log").path))")
        let r = Running(tmux: tmux, spool: spool, fakeExim: exim?.dir)
        r.expectScreen("no first frame", seconds: 10) { $0.contains("Queue") && $0.contains("1xWd9") }
        return r
    }

    /// The queue header's `n/N`.
    static func position(_ screen: String) -> String? {
        guard let line = screen.split(separator: "\n").first(where: { $0.contains("Queue ") }),
              let r = line.range(of: #"\d+/\d+"#, options: .regularExpression) else { return nil }
        return String(line[r])
    }

    @Test func tabSelectionAndMessageOverlay() throws {
        let r = try start()
        defer { r.close() }
        // Tab: log → queue (focus marker); the queue shows its position
        try r.tmux.send("Tab")
        r.expectScreen("Tab did not focus the queue") { $0.contains("▸Queue") && Self.position($0) == "1/21" }
        try r.tmux.send("Down")
        r.expectScreen("Down did not move the selection") { Self.position($0) == "2/21" }
        // the selected message's line is drawn in the focused colours, the others are not
        let coloured = r.tmux.captureWithEscapes().split(separator: "\n")
        let selected = coloured.first { $0.contains(Self.second) }.map(String.init) ?? ""
        let other = coloured.first { $0.contains(Self.first) }.map(String.init) ?? ""
        #expect(selected.contains("\u{1b}[43m") && !other.contains("\u{1b}[43m"), "selection not highlighted:\n\(selected)\n\(other)")
        try r.tmux.send("End")
        r.expectScreen("End did not select the last message") { Self.position($0) == "21/21" }
        try r.tmux.send("Home")
        r.expectScreen("Home did not select the first message") { Self.position($0) == "1/21" }
        try r.tmux.send("NPage")
        let paged = r.expectScreen("PgDn did not move by a page") { Self.position($0).map { $0 != "1/21" } ?? false }
        let pagedTo = Int(Self.position(paged ?? "")?.split(separator: "/").first ?? "0") ?? 0
        #expect(pagedTo > 2, "PgDn moved only to \(pagedTo)")
        try r.tmux.send("PPage")
        r.expectScreen("PgUp did not come back") { Self.position($0) == "1/21" }
        try r.tmux.send("Down", "Down")
        r.expectScreen("no 3/21") { Self.position($0) == "3/21" }
        // Enter: the same view as `storemon show`, scrollable, b body, l message log, Esc
        try r.tmux.send("Enter")
        r.expectScreen("Enter did not open the message") {
            $0.contains("Message \(Self.third)") && $0.contains("Sender:") && $0.contains("<notify@example.com>") && $0.contains("Headers:")
        }
        try r.tmux.send("End")
        r.expectScreen("End did not scroll the overlay") { $0.contains("/40 ") && !$0.contains("Sender:") }
        try r.tmux.send("b")
        r.expectScreen("b did not show the body") { $0.contains("Body of \(Self.third)") && $0.contains("This is a test mailing") }
        try r.tmux.send("l")
        r.expectScreen("l did not show the message log") { $0.contains("Message log of \(Self.third)") }
        try r.tmux.send("l")
        r.expectScreen("l again did not come back") { $0.contains("Message \(Self.third)") && $0.contains("Sender:") }
        try r.tmux.send("Escape")
        r.expectScreen("Esc did not close the overlay") { !$0.contains("Sender:") && $0.contains("▸Queue") }
        // Tab again: back to the log
        try r.tmux.send("Tab")
        r.expectScreen("Tab did not cycle back to the log") { $0.contains("▸Log") }
        try r.tmux.send("q")
        #expect(r.tmux.waitForDisplay("#{alternate_on}", equals: "0"))
    }

    @Test func actionKeysAskRunThroughEximAndShowTheResult() throws {
        let r = try start(fake: true)
        defer { r.close() }
        try r.tmux.send("Tab")
        r.expectScreen("no queue focus") { $0.contains("▸Queue") && $0.contains("f t d g x a m act") }
        // f asks; n declines (nothing runs)
        try r.tmux.send("f")
        r.expectScreen("f did not ask") { $0.contains("freeze \(Self.first)? y/n") }
        try r.tmux.send("n")
        r.expectScreen("n did not decline") { $0.contains("freeze \(Self.first): not done") }
        #expect(r.calls.isEmpty)
        // f y: exim -Mf ID runs; its answer is the status line
        try r.tmux.send("f")
        try r.tmux.send("y")
        r.expectScreen("no freeze result") { $0.contains("freeze \(Self.first): Message \(Self.first) is now frozen") }
        #expect(r.calls.last == "-Mf \(Self.first)")
        try r.tmux.send("t")
        try r.tmux.send("y")
        r.expectScreen("no thaw result") { $0.contains("is no longer frozen") }
        #expect(r.calls.last == "-Mt \(Self.first)")
        // g and x say what cannot be undone
        try r.tmux.send("Down")
        try r.tmux.send("g")
        r.expectScreen("g did not ask") { $0.contains("give up \(Self.second)? y/n") && $0.contains("(sends a bounce)") }
        try r.tmux.send("y")
        r.expectScreen("no give-up result") { $0.contains("has been given up") }
        #expect(r.calls.last == "-Mg \(Self.second)")
        try r.tmux.send("x")
        r.expectScreen("x did not ask") { $0.contains("remove \(Self.second)? y/n") && $0.contains("(cannot be undone)") }
        try r.tmux.send("y")
        r.expectScreen("no remove result") { $0.contains("has been removed") }
        #expect(r.calls.last == "-Mrm \(Self.second)")
        // a and m prompt for the address, then ask
        try r.tmux.send("a")
        r.expectScreen("a did not prompt") { $0.contains("Add recipient to \(Self.second): _") }
        try r.tmux.type("carol@storemon.test")
        try r.tmux.send("Enter")
        r.expectScreen("no question after the address") { $0.contains("add recipient \(Self.second) carol@storemon.test? y/n") }
        try r.tmux.send("y")
        r.expectScreen("no add result") { $0.contains("Recipient carol@storemon.test added") }
        #expect(r.calls.last == "-Mar \(Self.second) carol@storemon.test")
        try r.tmux.send("m")
        r.expectScreen("m did not prompt") { $0.contains("Mark delivered in \(Self.second): _") }
        try r.tmux.send("Enter")
        r.expectScreen("an empty address was not refused") { $0.contains("the address is empty") }
        try r.tmux.type("bob@storemon.test")
        try r.tmux.send("Enter")
        try r.tmux.send("y")
        r.expectScreen("no mark result") { $0.contains("marked delivered") }
        #expect(r.calls.last == "-Mmd \(Self.second) bob@storemon.test")
        // d streams Exim's output into a pane (quoted), then shows the result; Esc closes it
        try r.tmux.send("d")
        try r.tmux.send("y")
        r.expectScreen("no output pane") { $0.contains("-v -M \(Self.second) : running") && $0.contains("delivering \(Self.second)") }
        r.expectScreen("delivery output not streamed to its end") {
            $0.contains("transcript line 39") && $0.contains("evil \\x1b[2J done") && $0.contains("deliver \(Self.second): evil")
        }
        // the pane scrolls back through the output (PgUp, Home) and follows it again (End)
        try r.tmux.send("Home")
        r.expectScreen("Home did not scroll the output back") { $0.contains("delivering \(Self.second)") && $0.contains("[scrolled back") }
        try r.tmux.send("End")
        r.expectScreen("End did not follow the output") { $0.contains("evil \\x1b[2J done") && !$0.contains("[scrolled back") }
        try r.tmux.send("Escape")
        r.expectScreen("Esc did not close the output pane") { !$0.contains("transcript line 39") }
        // the same keys act on the message shown in the overlay
        try r.tmux.send("Enter")
        r.expectScreen("no overlay") { $0.contains("Message \(Self.second)") && $0.contains("f t d g x a m act") }
        try r.tmux.send("f")
        try r.tmux.send("y")
        r.expectScreen("no freeze from the overlay") { $0.contains("Message \(Self.second) is now frozen") }
        #expect(r.calls.last == "-Mf \(Self.second)")
        // q closes the overlay (as Esc does), a second q quits
        try r.tmux.send("q")
        r.expectScreen("q did not close the overlay") { !$0.contains("Sender:") }
        try r.tmux.send("q")
        #expect(r.tmux.waitForDisplay("#{alternate_on}", equals: "0"))
    }

    @Test func actionsOffSayWhy() throws {
        // --read-only
        let r = try start(fake: true, extra: "--read-only")
        defer { r.close() }
        try r.tmux.send("Tab")
        r.expectScreen("no actions-off hint") { $0.contains("(actions off)") }
        try r.tmux.send("f")
        r.expectScreen("f did not say why actions are off") { $0.contains("actions are off: read-only") }
        #expect(r.calls.isEmpty)
        try r.tmux.send("q")
        // an Exim whose spool is another one
        let other = try start(fake: true, fakeSpool: "/var/spool/elsewhere")
        defer { other.close() }
        try other.tmux.send("Tab")
        try other.tmux.send("x")
        other.expectScreen("no spool mismatch reason") { $0.contains("actions are off: the spool shown") }
        #expect(other.calls.isEmpty)
        try other.tmux.send("q")
    }

    @Test func poolCollapseZoomChartsSidewaysDatePid() throws {
        let r = try start()
        defer { r.close() }
        func poolRows(_ s: String) -> Int { s.split(separator: "\n").filter { $0.hasPrefix("main ") || $0.hasPrefix("message ") }.count }
        r.expectScreen("no full pools") { $0.contains("max ") && poolRows($0) == 2 }
        // c: one line per pair (no chain rows, no maxima), then hidden, then full again
        try r.tmux.send("c")
        r.expectScreen("c did not collapse to one line per pair") { !$0.contains("max ") && poolRows($0) == 2 && $0.contains("one line per pair") }
        try r.tmux.send("c")
        r.expectScreen("c did not hide the pools") { poolRows($0) == 0 && !$0.contains("order 13") }
        try r.tmux.send("c")
        r.expectScreen("c did not bring the pools back") { $0.contains("max ") && poolRows($0) == 2 }
        // s hides and shows the stripchart row (eximon's charts, the queue auto-scaled: 21 → x5)
        r.expectScreen("no stripcharts") { $0.contains("queue x5 21") && $0.contains("in ") && $0.contains("smtp ") }
        try r.tmux.send("s")
        r.expectScreen("s did not hide the charts") { !$0.contains("queue x5") }
        try r.tmux.send("s")
        r.expectScreen("s did not show the charts") { $0.contains("queue x5") }
        // z zooms the focused pane (the log) to the whole screen, z again restores
        try r.tmux.send("z")
        r.expectScreen("z did not zoom the log") { s in
            let rows = s.split(separator: "\n", omittingEmptySubsequences: false)
            return rows.count > 2 && rows[1].contains("▸Log") && !s.contains("Queue ")
        }
        try r.tmux.send("z")
        r.expectScreen("z did not restore") { $0.contains("▸Log") && $0.contains("Queue ") && $0.contains("TAINTED") }
        // D shows dates, I pids (from the lines' [pid])
        try r.tmux.send("D")
        r.expectScreen("D did not show dates") { $0.contains("2026-11-26 17:2") }
        try r.tmux.send("I")
        r.expectScreen("I did not show pids") { $0.range(of: #"\d\d:\d\d:\d\d \[\d+\] "#, options: .regularExpression) != nil }
        // Right scrolls the focused pane sideways; Left back
        let before = r.tmux.capture()
        try r.tmux.send("Right")
        r.expectScreen("Right did not scroll sideways") { $0.contains("[column 9]") && $0 != before }
        try r.tmux.send("Left")
        r.expectScreen("Left did not scroll back") { !$0.contains("[column") }
        try r.tmux.send("q")
        #expect(r.tmux.waitForDisplay("#{alternate_on}", equals: "0"))
    }

    @Test func processesPaneListsEximProcesses() throws {
        // a process named exim4 (a copy of sleep) stands for a running Exim
        let dir = try Fixtures.temporaryDirectory("exim4-process")
        defer { Fixtures.remove(dir) }
        try FileManager.default.copyItem(atPath: "/bin/sleep", toPath: dir + "/exim4")
        let sleeper = try ChildProcess([dir + "/exim4", "37"], outputs: .separate)
        defer { sleeper.stop(SIGKILL, timeout: 5) }
        let r = try start()
        defer { r.close() }
        try r.tmux.send("w")
        r.expectScreen("w did not show the processes pane") {
            $0.contains("Processes") && $0.contains("Exim processes (from /proc)") && $0.contains("/exim4 37")
        }
        try r.tmux.send("Tab", "Tab")
        r.expectScreen("Tab did not reach the processes pane") { $0.contains("▸Processes") }
        try r.tmux.send("w")
        r.expectScreen("w did not hide the pane") { !$0.contains("Processes") && $0.contains("▸Log") }
        try r.tmux.send("q")
        #expect(r.tmux.waitForDisplay("#{alternate_on}", equals: "0"))
    }

    @Test func scrolledLogAndSelectionStayPutWhileNewLinesAndMessagesArrive() throws {
        let r = try start()
        defer { r.close() }
        let log = r.spool.appendingPathComponent("log/mainlog")
        // scroll the log back a page, note the lines shown
        try r.tmux.send("PPage")
        func logLines(_ s: String) -> [Substring] {
            let rows = s.split(separator: "\n", omittingEmptySubsequences: false)
            guard let h = rows.firstIndex(where: { $0.contains("Log ") }) else { return [] }
            return Array(rows[(h + 1)...].prefix { !$0.contains("Queue ") })
        }
        // the first capture that shows the scroll may be a frame still being drawn: take
        // the log lines once two captures in a row agree on them
        var back = r.expectScreen("no scroll back") { $0.contains("[scrolled back") } ?? ""
        for _ in 0..<20 {
            usleep(150_000)
            let again = r.tmux.capture()
            if logLines(again) == logLines(back) && again.contains("[scrolled back") { back = again; break }
            back = again
        }
        let shown = logLines(back)
        func scrolled(_ s: String) -> Int {
            guard let r = s.range(of: #"scrolled back \d+"#, options: .regularExpression) else { return -1 }
            return Int(s[r].split(separator: " ").last!)!
        }
        let n0 = scrolled(back)
        // 7 new lines arrive: the same lines stay on screen, 7 more lines back
        let handle = try FileHandle(forWritingTo: log)
        handle.seekToEndOfFile()
        for i in 0..<7 { handle.write(Data("2026-11-26 17:30:0\(i) [999] new line \(i) arrives\n".utf8)) }
        try handle.close()
        r.expectScreen("the scrolled log moved") { scrolled($0) == n0 + 7 && logLines($0) == shown }
        // search: highlight, then Esc keeps the position
        try r.tmux.send("/")
        try r.tmux.type("Completed")
        try r.tmux.send("Enter")
        let searched = r.expectScreen("no search") { $0.contains("/Completed ") } ?? ""
        let n1 = scrolled(searched)
        try r.tmux.send("Escape")
        r.expectScreen("Esc from the search moved the log") { !$0.contains("/Completed ") && scrolled($0) == n1 }
        // the queue selection stays on its message when one before it leaves the queue
        try r.tmux.send("Tab", "Down", "Down")
        r.expectScreen("no 3/21") { Self.position($0) == "3/21" }
        for suffix in ["-H", "-D"] {
            try FileManager.default.removeItem(at: r.spool.appendingPathComponent("input/\(Self.first)\(suffix)"))
        }
        r.expectScreen("the selection did not follow its message") { Self.position($0) == "2/20" }
        try r.tmux.send("Enter")
        r.expectScreen("the selection is not on the same message") { $0.contains("Message \(Self.third)") }
        try r.tmux.send("Escape")
        try r.tmux.send("q")
        #expect(r.tmux.waitForDisplay("#{alternate_on}", equals: "0"))
    }

    @Test func customStripchartAndHintsNeverCut() throws {
        let r = try start(extra: "--stripchart ' Completed$=done' --stripchart 'new line=arrived'")
        defer { r.close() }
        try r.tmux.resize(width: 200, height: 50)
        r.expectScreen("no custom charts") { $0.contains("done 0") && $0.contains("arrived 0") }
        // 12 matching lines in one refresh: the chart scale goes from 10 to 20 (x2)
        let handle = try FileHandle(forWritingTo: r.spool.appendingPathComponent("log/mainlog"))
        handle.seekToEndOfFile()
        for i in 0..<12 { handle.write(Data("2026-11-26 17:31:\(10 + i) new line \(i)\n".utf8)) }
        try handle.close()
        r.expectScreen("the chart did not count and rescale") { $0.contains("arrived x2 12") }
        // narrow: the title bar's and the queue's hints are whole or absent, never cut
        for width in [40, 52, 64, 80, 100] {
            try r.tmux.resize(width: width, height: 30)
            let s = r.expectScreen("no frame at \(width)") { $0.split(separator: "\n").first.map { $0.count <= width } ?? false } ?? ""
            let title = s.split(separator: "\n").first.map { String($0).trimmingCharacters(in: .whitespaces) } ?? ""
            #expect(title.hasSuffix("q quit") || !title.contains("?"), "title hint cut at \(width): \(title)")
        }
        try r.tmux.send("Tab")
        for width in [40, 60, 80, 120] {
            try r.tmux.resize(width: width, height: 30)
            let s = r.expectScreen("no queue at \(width)") { $0.contains("▸Queue") } ?? ""
            let title = s.split(separator: "\n").first.map { String($0).trimmingCharacters(in: .whitespaces) } ?? ""
            let whole = title.hasSuffix("Enter view  (actions off)  ? help  q quit") || title.hasSuffix("Enter view  (actions off)")
                || title.hasSuffix("Enter view  ? help") || title.hasSuffix("? help") || !title.contains("?")
            #expect(whole, "title hint cut at \(width): \(title)")
        }
        try r.tmux.send("q")
    }
}
