import FixtureSupport
import Foundation
import Testing

/// The real binary in a real terminal (tmux), on a copy of the real Exim fixtures.
/// Each test starts its own tmux server on its own socket and kills it at the end.
@Suite(.serialized, .enabled(if: TestSupport.hasTmux || TestSupport.inCI,
                             "tmux is not installed (`apt-get install tmux`; in CI a missing tmux fails instead)"))
struct ScreenInTmuxTests {
    /// Starts storemon on the fixture spool in a fresh tmux of `width` x `height` and waits
    /// for its first full frame.
    private func start(width: Int = 120, height: Int = 40, environment: String = "", extra: String = "") throws -> (TmuxHarness, URL, String) {
        let spool = try TestSupport.fixtureSpool()
        let tmux = try TmuxHarness(width: width, height: height)
        try tmux.runInShell("\(environment) \(shellQuoted(TestSupport.storemon.path)) --interval 0.5 \(extra) \(shellQuoted(spool.appendingPathComponent("log").path))")
        let first = tmux.waitFor(seconds: 10) { $0.contains("Queue") && $0.contains("TAINTED") && $0.contains("1xWd9") }
        return (tmux, spool, first ?? tmux.capture())
    }

    /// After storemon ends: the prompt is back, the alternate screen is off, the cursor
    /// shows and the tty is in canonical mode with echo.
    private func expectTerminalSane(_ tmux: TmuxHarness, _ context: String, seconds: Double = 5) throws {
        #expect(tmux.waitForDisplay("#{alternate_on}", equals: "0"), "alternate screen still on after \(context)")
        let prompt = tmux.waitFor(seconds: seconds) { screen in
            screen.split(separator: "\n").last(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty })?.hasPrefix("PROMPT$") == true
        }
        #expect(prompt != nil, "no shell prompt after \(context):\n\(tmux.capture())")
        #expect(tmux.display("#{cursor_flag}") == "1", "cursor hidden after \(context)")
        try tmux.runInShell("echo STTY $(stty -a | tr ' ;' '\\n\\n' | grep -xE -- '-?(icanon|echo)')")
        let line = tmux.waitForLine(startingWith: "STTY ") ?? ""
        #expect(line.contains("icanon") && !line.contains("-icanon"), "tty not canonical after \(context): \(line)")
        #expect(line.contains("echo") && !line.contains("-echo"), "tty echo off after \(context): \(line)")
    }

    @Test func firstFrameShowsPoolsLogAndQueueThenQuitRestores() throws {
        let (tmux, spool, screen) = try start()
        defer { tmux.close(); try? FileManager.default.removeItem(at: spool.deletingLastPathComponent()) }
        let rows = screen.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for name in ["main", "perm", "config", "search", "message"] {
            #expect(rows.contains { $0.hasPrefix(name) && $0.contains("clean") && $0.contains("TAINTED") },
                    "pool \(name) and its tainted twin not side by side:\n\(screen)")
        }
        #expect(screen.components(separatedBy: "TAINTED").count - 1 >= 5)
        // the log tail (fixture lines) and the queue (fixture messages, a frozen one marked)
        #expect(screen.contains("Log "))
        #expect(screen.contains(" <= ") || screen.contains(" => ") || screen.contains(" == "), "no log lines:\n\(screen)")
        #expect(screen.contains("1xWd9D-0006xR-10"), "queue message missing:\n\(screen)")
        #expect(screen.contains("frozen"))
        #expect(screen.contains("resets "))
        #expect(tmux.display("#{alternate_on}") == "1")
        try tmux.send("q")
        try expectTerminalSane(tmux, "q")
    }

    @Test func layoutFollowsResizes() throws {
        let (tmux, spool, _) = try start()
        defer { tmux.close(); try? FileManager.default.removeItem(at: spool.deletingLastPathComponent()) }
        // 60x20: compact, one row per pool, twins side by side, short taint labels
        try tmux.resize(width: 60, height: 20)
        let small = tmux.waitFor { s in
            let r = s.split(separator: "\n").map(String.init)
            return r.count >= 6 && r[1].hasPrefix("main") && r[2].hasPrefix("perm") && r[5].hasPrefix("message") && r[1].contains("TAINT")
        }
        #expect(small != nil, "no compact layout at 60x20:\n\(tmux.capture())")
        #expect(small.map { $0.split(separator: "\n").allSatisfy { $0.count <= 60 } } ?? false)
        // 200x60: full panes and log beside the queue (both headers on one row)
        try tmux.resize(width: 200, height: 60)
        let wide = tmux.waitFor { s in
            s.split(separator: "\n").contains { $0.contains("Log ") && $0.contains("Queue ") } && s.contains("max ")
        }
        #expect(wide != nil, "no side-by-side layout at 200x60:\n\(tmux.capture())")
        // 30x10: one line saying it is too small, nothing else
        try tmux.resize(width: 30, height: 10)
        let tiny = tmux.waitFor { $0.contains("too small") }
        #expect(tiny != nil, "no too-small notice at 30x10:\n\(tmux.capture())")
        #expect(tiny.map { !$0.contains("TAINT") && !$0.contains("Queue") } ?? false)
        // and back: the full layout again
        try tmux.resize(width: 120, height: 40)
        #expect(tmux.waitFor { $0.contains("max ") && $0.contains("TAINTED") && $0.contains("Queue") } != nil)
        try tmux.send("q")
        try expectTerminalSane(tmux, "q after resizes")
    }

    @Test func keysHelpSearchPauseRefreshQuit() throws {
        let (tmux, spool, _) = try start()
        defer { tmux.close(); try? FileManager.default.removeItem(at: spool.deletingLastPathComponent()) }
        // ? opens the help overlay, any key closes it
        try tmux.send("?")
        #expect(tmux.waitFor { $0.contains("storemon keys") } != nil, "no help overlay:\n\(tmux.capture())")
        try tmux.send("x")
        #expect(tmux.waitFor { !$0.contains("storemon keys") } != nil)
        // / opens the prompt at the bottom; Enter runs the search; Esc closes it
        try tmux.send("/")
        #expect(tmux.waitFor { $0.contains("Search log:") } != nil, "no search prompt:\n\(tmux.capture())")
        try tmux.type("Completed")
        #expect(tmux.waitFor { $0.contains("Search log: Completed_") } != nil)
        try tmux.send("Enter")
        let searched = tmux.waitFor { $0.contains("/Completed ") && $0.contains("matches") }
        #expect(searched != nil, "no search status:\n\(tmux.capture())")
        try tmux.send("n")
        try tmux.send("N")
        try tmux.send("Escape")
        #expect(tmux.waitFor { !$0.contains("/Completed ") } != nil, "search not closed:\n\(tmux.capture())")
        // p pauses (title and status say so), p resumes
        try tmux.send("p")
        #expect(tmux.waitFor { $0.contains("PAUSED") } != nil, "no pause shown:\n\(tmux.capture())")
        let pausedResets = resets(tmux.capture())
        usleep(1_200_000)
        #expect(resets(tmux.capture()) == pausedResets, "refreshes went on while paused")
        try tmux.send("p")
        #expect(tmux.waitFor { $0.contains("running") && !$0.contains("PAUSED") } != nil)
        // + and - change the interval
        try tmux.send("+")
        #expect(tmux.waitFor { $0.contains("every 1.0s") } != nil, "interval not longer:\n\(tmux.capture())")
        try tmux.send("-")
        #expect(tmux.waitFor { $0.contains("every 0.50s") } != nil)
        // r runs a refresh cycle now (one more reset at least), even while paused
        try tmux.send("p")
        #expect(tmux.waitFor { $0.contains("PAUSED") } != nil)
        // and clears the maxima: tainted main's peak from reading the whole fixture log at
        // start drops to what one idle cycle needs
        let screenBefore = tmux.capture()
        let before = resets(screenBefore)
        let peakBefore = taintedMainMax(screenBefore)
        try tmux.send("r")
        let after = tmux.waitFor { resets($0) > before }
        #expect(after != nil, "r did not refresh:\n\(tmux.capture())")
        #expect(taintedMainMax(after ?? "") < peakBefore, "r did not clear the maxima:\n\(after ?? "")")
        // PgUp scrolls the focused log back, End follows the newest lines again
        try tmux.send("PPage")
        #expect(tmux.waitFor { $0.contains("[scrolled back") } != nil, "PgUp did not scroll the log:\n\(tmux.capture())")
        try tmux.send("End")
        #expect(tmux.waitFor { !$0.contains("[scrolled back") } != nil)
        // Tab moves the focus marker to the queue
        try tmux.send("Tab")
        #expect(tmux.waitFor { $0.contains("▸Queue") } != nil)
        try tmux.send("q")
        try expectTerminalSane(tmux, "q")
    }

    @Test func signalsAndCrashesRestoreTheTerminal() throws {
        for sig in ["TERM", "INT", "SEGV"] {
            let (tmux, spool, _) = try start()
            defer { tmux.close(); try? FileManager.default.removeItem(at: spool.deletingLastPathComponent()) }
            let shell = tmux.display("#{pane_pid}")
            let child = (try? String(contentsOfFile: "/proc/\(shell)/task/\(shell)/children", encoding: .utf8))?
                .split(separator: " ").first.map(String.init) ?? ""
            #expect(!child.isEmpty, "storemon's pid not found")
            guard let pid = Int32(child) else { continue }
            kill(pid, sig == "TERM" ? SIGTERM : sig == "INT" ? SIGINT : SIGSEGV)
            // a crash goes on to Swift's backtracer, which takes a moment to print
            try expectTerminalSane(tmux, "SIG\(sig)", seconds: sig == "SEGV" ? 30 : 5)
            // the shell reports the signal once it has reaped the process: wait for it
            if sig == "SEGV" {
                #expect(tmux.waitFor(seconds: 10) { $0.contains("Segmentation fault") || $0.contains("crashed") } != nil,
                        "no report of the crash:\n\(tmux.capture())")
            }
        }
    }

    @Test func hostileLogIsShownEscaped() throws {
        let log = try TestSupport.hostileLog()
        defer { try? FileManager.default.removeItem(at: log.deletingLastPathComponent()) }
        let tmux = try TmuxHarness(width: 120, height: 40)
        defer { tmux.close() }
        try tmux.runInShell("\(shellQuoted(TestSupport.storemon.path)) --interval 0.5 \(shellQuoted(log.path))")
        let screen = tmux.waitFor(seconds: 10) { $0.contains("after the huge line") }
        #expect(screen != nil, "hostile log not shown:\n\(tmux.capture())")
        let s = screen ?? ""
        #expect(s.contains("evil\\x1b[31mRED\\x1b[0m@example.org"))
        #expect(s.contains("\\x1b]0;PWNED\\x07"))
        #expect(s.contains("carriage\\rRETURN-OVERWRITE"))
        #expect(s.contains("nul\\x00byte and bad utf8 \\xff\\xfe\\xc3 end"))
        #expect(s.contains("\\u{202e}desrever"))
        #expect(s.contains("huge AAAA"))
        // the title was not changed by the OSC sequence, the screen was not cleared
        #expect(tmux.display("#{pane_title}") != "PWNED")
        #expect(s.contains("TAINTED"))
        try tmux.send("q")
        #expect(tmux.waitForDisplay("#{alternate_on}", equals: "0"))
    }

    @Test func colourUnlessNoColor() throws {
        for (environment, option) in [("", ""), ("", "--no-color"), ("NO_COLOR=1", "")] {
            let noColor = !environment.isEmpty || !option.isEmpty
            let (tmux, spool, _) = try start(environment: environment, extra: option)
            defer { tmux.close(); try? FileManager.default.removeItem(at: spool.deletingLastPathComponent()) }
            let styled = tmux.captureWithEscapes()
            // tainted labels are white on red with colour; without, only attributes remain
            let hasColour = styled.contains("[41m") || styled.contains(";41m") || styled.contains("[31m") || styled.contains(";31m")
            #expect(hasColour != noColor, "colour \(noColor ? "shown with --no-color" : "missing")")
            #expect(styled.contains("TAINTED"))
            try tmux.send("q")
            #expect(tmux.waitForDisplay("#{alternate_on}", equals: "0"))
        }
    }

    @Test func replayScreenAnimatesPausesStepsAndQuits() throws {
        let trace = Fixtures.directory.appendingPathComponent("exim-real/traces/trace4-deliver-local.txt")
        let tmux = try TmuxHarness(width: 120, height: 40)
        defer { tmux.close() }
        try tmux.runInShell("\(shellQuoted(TestSupport.storemon.path)) replay --speed 20 \(shellQuoted(trace.path))")
        let first = tmux.waitFor(seconds: 10) { $0.contains("storemon replay") && $0.contains("Records") && $0.contains("TAINTED") }
        #expect(first != nil, "no replay screen:\n\(tmux.capture())")
        let rows = (first ?? "").split(separator: "\n").map(String.init)
        for name in ["main", "perm", "config", "search", "message"] {
            #expect(rows.contains { $0.hasPrefix(name) && $0.contains("clean") && $0.contains("TAINTED") }, "\(name)")
        }
        #expect(first?.contains("Processes") == true)
        // space pauses; Right applies exactly one more memory record
        try tmux.send("Space")
        #expect(tmux.waitFor { $0.contains("PAUSED") } != nil)
        let count = { (s: String) -> Int in
            guard let r = s.range(of: " memory records") else { return -1 }
            return Int(s[..<r.lowerBound].split(separator: " ").last ?? "") ?? -1
        }
        let before = count(tmux.capture())
        try tmux.send("Right")
        #expect(tmux.waitFor { count($0) == before + 1 } != nil, "Right did not step one record:\n\(tmux.capture())")
        try tmux.send("+")
        #expect(tmux.waitFor { $0.contains("40 records/s") } != nil)
        try tmux.send("q")
        #expect(tmux.waitForDisplay("#{alternate_on}", equals: "0"))
        // the check summary follows on the normal screen
        #expect(tmux.waitFor { $0.contains("stopped at line") || $0.contains("MATCH") } != nil, "\(tmux.capture())")
    }

    @Test func unknownTerminalIsAClearError() throws {
        let tmux = try TmuxHarness(width: 100, height: 20)
        defer { tmux.close() }
        let log = Fixtures.directory.appendingPathComponent("exim-real/log/mainlog")
        try tmux.runInShell("TERM=no-such-terminal \(shellQuoted(TestSupport.storemon.path)) \(shellQuoted(log.path)); echo \"rc=$?\"")
        let rc = tmux.waitForLine(startingWith: "rc=", seconds: 10)
        let screen: String? = tmux.capture()
        #expect(rc == "rc=1", "\(tmux.capture())")
        #expect(screen?.contains("no-such-terminal") == true)
        #expect(screen?.contains("unknown") == true)
    }

    /// Tainted main's `max` bytes (the right-hand pane of the first pool row), in bytes.
    private func taintedMainMax(_ screen: String) -> Double {
        let rows = screen.split(separator: "\n", omittingEmptySubsequences: false)
        guard rows.count > 3, let bar = rows[3].firstIndex(of: "│") else { return -1 }
        let words = rows[3][rows[3].index(after: bar)...].split(separator: " ")
        guard words.count > 1, words[0] == "max" else { return -1 }
        var number = String(words[1])
        var scale = 1.0
        if number.hasSuffix("K") { scale = 1024; number.removeLast() }
        if number.hasSuffix("M") { scale = 1024 * 1024; number.removeLast() }
        return (Double(number) ?? -1) * scale
    }

    /// The `resets N` figure of the status line.
    private func resets(_ screen: String) -> Int {
        guard let r = screen.range(of: "resets ") else { return -1 }
        return Int(screen[r.upperBound...].prefix { $0.isNumber }) ?? -1
    }
}
