import Foundation
import Testing

/// Issue 13 in a real terminal: step mode through one whole refresh of `--demo`, the mark
/// in the chains, `--explain`'s captions and `--poison`'s stale view.
@Suite(.serialized, .enabled(if: TestSupport.hasTmux || TestSupport.inCI,
                             "tmux is not installed (`apt-get install tmux`; in CI a missing tmux fails instead)"))
struct StepModeInTmuxTests {
    /// Starts `storemon --demo` with `extra` in a fresh tmux and waits for a frame.
    private func startDemo(_ extra: String, width: Int = 140, height: Int = 50) throws -> TmuxHarness {
        let tmux = try TmuxHarness(width: width, height: height)
        try tmux.runInShell("\(shellQuoted(TestSupport.storemon.path)) --demo --interval 0.5 \(extra)")
        let first = tmux.waitFor(seconds: 10) { $0.contains("TAINTED") && $0.contains("Queue") && $0.contains("resets ") }
        #expect(first != nil, "no first frame:\n\(tmux.capture())")
        return tmux
    }

    /// The screen's rows trimmed and joined by spaces (captions wrap over rows).
    private func flat(_ screen: String) -> String {
        screen.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
    }

    /// The status line (the last non-blank row).
    private func status(_ screen: String) -> String {
        screen.split(separator: "\n").last(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }).map(String.init) ?? ""
    }

    /// Tainted main's "N used" figure from its pane header (the right half of row 1).
    private func taintedMainUsed(_ screen: String) -> String {
        let rows = screen.split(separator: "\n", omittingEmptySubsequences: false)
        guard rows.count > 2, let bar = rows[1].firstIndex(of: "│") else { return "?" }
        let words = rows[1][rows[1].index(after: bar)...].split(separator: " ")
        guard let i = words.firstIndex(of: "used"), i > 0 else { return "?" }
        return String(words[i - 1])
    }

    /// Row 2: the chain rows of main (left) and tainted main (right).
    private func mainChains(_ screen: String) -> (String, String) {
        let rows = screen.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard rows.count > 2, let bar = rows[2].firstIndex(of: "│") else { return ("", "") }
        return (String(rows[2][..<bar]), String(rows[2][rows[2].index(after: bar)...]))
    }

    @Test func stepThroughOneWholeRefreshWithCaptions() throws {
        let tmux = try startDemo("--explain")
        defer { tmux.close() }
        try tmux.send("p")
        #expect(tmux.waitFor { $0.contains("PAUSED") } != nil, "no pause:\n\(tmux.capture())")
        usleep(800_000)   // let the demo write a few lines for the read-log phase
        // phase name in the status line, the plain-words caption above it
        let phases: [(String, String)] = [
            ("mark", "main's place is noted"),
            ("read log", "copied into tainted main"),
            ("queue", "message pools"),
            ("snapshot", "copied out as plain values"),
            ("reset", "0 bytes in use above the mark: main is back at the mark"),
        ]
        var screens: [String: String] = [:]
        for (name, words) in phases {
            try tmux.send(".")
            let screen = tmux.waitFor { s in self.status(s).hasPrefix(" \(name): ") && self.flat(s).contains(words) }
            #expect(screen != nil, "phase \(name): no status or caption:\n\(tmux.capture())")
            screens[name] = screen ?? tmux.capture()
        }
        // the mark is in both main pools' chains from the mark on
        #expect((screens["mark"] ?? "").split(separator: "\n").first?.contains(". runs read log") == true,
                "the title does not say what the next step runs:\n\(screens["mark"] ?? "")")
        let (main, tainted) = mainChains(screens["mark"] ?? "")
        #expect(main.contains("┃") && tainted.contains("┃"), "no mark in the chains:\n\(screens["mark"] ?? "")")
        // tainted main: in use after the reset as at the mark; more in between
        let atMark = taintedMainUsed(screens["mark"] ?? "")
        let afterReset = taintedMainUsed(screens["reset"] ?? "")
        #expect(atMark != "?" && atMark == afterReset, "tainted main used \(atMark) at the mark, \(afterReset) after the reset")
        let read = status(screens["read log"] ?? "")
        #expect(read.contains(" lines read") || read.contains(" line read"), "\(read)")
        let reset = status(screens["reset"] ?? "")
        #expect(reset.contains("given back") && reset.contains("kept (keep-one rule)") && reset.contains("0 bytes above the mark"), "\(reset)")
        // what the reset gave back is shaded in the chain right after it (when it read lines)
        if !read.contains(" 0 lines read") {
            #expect(mainChains(screens["reset"] ?? "").1.contains("▒"), "no freed cells after the reset:\n\(screens["reset"] ?? "")")
            #expect(mainChains(screens["snapshot"] ?? "").1.contains("▓"), "nothing shaded above the mark:\n\(screens["snapshot"] ?? "")")
        }
        // the help explains the phases and the key
        try tmux.send("?")
        #expect(tmux.waitFor { $0.contains("phase by phase") && $0.contains("step: run the next phase") } != nil, "\(tmux.capture())")
        try tmux.send("x")
        // p resumes normal refreshing: whole-refresh captions again
        try tmux.send("p")
        #expect(tmux.waitFor { $0.contains("running") && self.flat($0).contains("p then . steps") } != nil, "\(tmux.capture())")
        try tmux.send("q")
        #expect(tmux.waitForDisplay("#{alternate_on}", equals: "0"))
    }

    @Test func poisonShowsAStaleViewReadingF0() throws {
        let tmux = try startDemo("--poison")
        defer { tmux.close() }
        let screen = tmux.waitFor(seconds: 10) { $0.contains("stale view (log line") && $0.contains("a use after reset") }
        #expect(screen != nil, "no stale view:\n\(tmux.capture())")
        let rows = (screen ?? "").split(separator: "\n").map(String.init)
        let now = rows.first { $0.contains("stale view (log line") } ?? ""
        #expect(now.contains("\"\\xf0\\xf0\\xf0\\xf0") && now.contains("bytes 0xF0"), "\(now)")
        let before = rows.first { $0.contains("before that reset it showed: \"") } ?? ""
        #expect(before.count > 40, "no line it used to show: \(before)")
        try tmux.send("q")
        #expect(tmux.waitForDisplay("#{alternate_on}", equals: "0"))
    }

    @Test func poisonNeedsDemo() throws {
        let r = try TestSupport.run(["--poison", "--once", "/nonexistent"])
        #expect(r.status == 2 && r.err.contains("--demo"), "\(r.status) \(r.err)")
    }
}
