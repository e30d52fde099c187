import Foundation
import FixtureSupport
import Testing

/// `storemon replay` live, in a real terminal (tmux): a trace on stdin with keys from the
/// terminal, the final state kept until `q` with the process idle, and `--exec`.
@Suite(.serialized) struct ReplayLiveTests {
    /// utime + stime of a process, in clock ticks (from /proc).
    static func cpuTicks(_ pid: Int32) -> Int? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let u = Int(fields[11]), let s = Int(fields[12]) else { return nil }
        return u + s
    }

    static func readPid(_ path: String, seconds: Double = 10) -> Int32? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let s = try? String(contentsOfFile: path, encoding: .utf8), let p = Int32(s.trimmingCharacters(in: .whitespacesAndNewlines)) { return p }
            usleep(50_000)
        }
        return nil
    }

    @Test func aTraceOnStdinKeepsTheScreenUntilQWithKeysFromTheTerminal() throws {
        let trace = Fixtures.directory.appendingPathComponent("exim-real/traces/trace5-daemon.txt")
        let dir = try TestSupport.tempDirectory("replay-live")
        let pidFile = dir.appendingPathComponent("pid").path
        let tmux = try TmuxHarness(width: 120, height: 40)
        defer { tmux.close() }
        // The trace is the pipe on stdin; the trace holds `q` bytes, which must not quit.
        try tmux.runInShell("cat \(shellQuoted(trace.path)) | sh -c 'echo $$ > \(pidFile); exec \(shellQuoted(TestSupport.storemon.path)) replay --speed 0 -'; echo \"rc=$?\"")
        let end = tmux.waitFor(seconds: 20) { $0.contains("END OF TRACE") }
        #expect(end != nil, "no end-of-trace screen:\n\(tmux.capture())")
        let pid = try #require(Self.readPid(pidFile))
        // It stays, idle: less than 0.15 s of CPU over 1.5 s of waiting.
        let t0 = try #require(Self.cpuTicks(pid))
        usleep(1_500_000)
        let t1 = try #require(Self.cpuTicks(pid))
        #expect(t1 - t0 < 15, "busy while waiting: \(t1 - t0) ticks in 1.5 s")
        #expect(tmux.capture().contains("END OF TRACE"))
        #expect(tmux.capture().contains("MATCH"), "the check summary is on the status line")
        // Keys come from the terminal: Tab selects a process, ? shows help and any key closes it.
        try tmux.send("Tab")
        #expect(tmux.waitFor { $0.contains("selected; a follows") } != nil, "Tab ignored:\n\(tmux.capture())")
        try tmux.send("?")
        #expect(tmux.waitFor { $0.contains("storemon replay keys") } != nil)
        try tmux.send("Escape")
        #expect(tmux.waitFor { !$0.contains("storemon replay keys") } != nil)
        try tmux.send("q")
        #expect(tmux.waitForLine(startingWith: "rc=", seconds: 10) == "rc=0", "\(tmux.capture())")
        #expect(tmux.capture().contains("MATCH: 2887 lines"))
    }

    @Test func aLivePipeIsDrawnWhileItArrives() throws {
        // The first half now, the rest 2 s later: the screen shows records and waits, then ends.
        let trace = Fixtures.directory.appendingPathComponent("exim-real/traces/trace1-bt.txt")
        let q = shellQuoted(trace.path)
        let tmux = try TmuxHarness(width: 120, height: 40)
        defer { tmux.close() }
        try tmux.runInShell("(head -n 700 \(q); sleep 2; tail -n +701 \(q)) | \(shellQuoted(TestSupport.storemon.path)) replay --speed 0 -; echo \"rc=$?\"")
        #expect(tmux.waitFor(seconds: 10) { $0.contains("waiting for input") } != nil, "\(tmux.capture())")
        #expect(tmux.waitFor(seconds: 10) { $0.contains("END OF TRACE") } != nil, "\(tmux.capture())")
        try tmux.send("q")
        #expect(tmux.waitForLine(startingWith: "rc=", seconds: 10) == "rc=0", "\(tmux.capture())")
    }

    @Test func execRunsTheCommandWithPidDebuggingAndShowsItsOutput() throws {
        // A small script stands in for exim: it prints a real trace to stderr, in two parts,
        // and its arguments and a result line to stdout.
        let dir = try TestSupport.tempDirectory("replay-exec")
        let script = dir.appendingPathComponent("fake-exim")
        let trace = Fixtures.directory.appendingPathComponent("exim-real/traces/trace4-deliver-local.txt")
        try """
        #!/bin/sh
        echo "fake exim got: $*"
        head -n 900 '\(trace.path)' >&2
        sleep 1
        tail -n +901 '\(trace.path)' >&2
        echo "user@example.com is deliverable"
        """.write(to: script, atomically: true, encoding: .utf8)
        chmod(script.path, 0o755)
        let tmux = try TmuxHarness(width: 120, height: 40)
        defer { tmux.close() }
        try tmux.runInShell("\(shellQuoted(TestSupport.storemon.path)) replay --speed 0 --exec -- \(shellQuoted(script.path)) -bt user@example.com; echo \"rc=$?\"")
        let end = tmux.waitFor(seconds: 20) { $0.contains("END OF TRACE") && $0.contains("is deliverable") }
        #expect(end != nil, "\(tmux.capture())")
        #expect(end?.contains("fake exim got: -d+memory+pid -bt user@example.com") == true)
        try tmux.send("q")
        #expect(tmux.waitForLine(startingWith: "rc=", seconds: 10) == "rc=0", "\(tmux.capture())")
        let after = tmux.capture()
        #expect(after.contains("MATCH: ") && after.contains("standard output") && after.contains("exited with status 0"), "\(after)")
    }

    @Test func execWithARealExim() throws {
        // Debian's exim4 (installed by exim-real/make-fixtures.sh); debugging needs root.
        let exim = ["/usr/sbin/exim4", "/usr/sbin/exim"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let exim, getuid() == 0 else {
            if TestSupport.inCI { Issue.record("no exim4 (or not root) in CI: install exim4-daemon-light") }
            return
        }
        let r = try TestSupport.run(["replay", "--check", "--exec", "--", exim, "-bV"], timeout: 60)
        let out = String(decoding: r.stdout, as: UTF8.self)
        #expect(out.contains("MATCH: "), "\(out)\n\(String(decoding: r.stderr, as: UTF8.self))")
        #expect(out.contains("Exim version") && out.contains("exited with status 0"))
        let tmux = try TmuxHarness(width: 120, height: 40)
        defer { tmux.close() }
        try tmux.runInShell("\(shellQuoted(TestSupport.storemon.path)) replay --speed 0 --exec -- \(exim) -bt root@localhost; echo \"rc=$?\"")
        #expect(tmux.waitFor(seconds: 30) { $0.contains("END OF TRACE") } != nil, "\(tmux.capture())")
        try tmux.send("q")
        #expect(tmux.waitForLine(startingWith: "rc=", seconds: 20) != nil)
        #expect(tmux.capture().contains("exited with status"))
    }

    @Test func plainViewAndReportsQuoteHostileTraceBytes() throws {
        // Function names and purposes carrying OSC, CSI, C1 and bidi controls: the plain view
        // (stdout not a terminal) and the --check text must show them quoted.
        let base = try String(contentsOf: Fixtures.directory.appendingPathComponent("exim-real/traces/trace4-deliver-local.txt"), encoding: .utf8)
        let evil = "\u{1b}]0;pwned\u{07}\u{9b}2J\u{202e}x"
        let hostile = base.replacingOccurrences(of: "delivery-local", with: "delivery-\(evil)")
            .replacingOccurrences(of: "show_whats_sup", with: "s\u{1b}[31m\u{2066}")
        let dir = try TestSupport.tempDirectory("replay-hostile")
        let path = dir.appendingPathComponent("hostile.txt")
        try hostile.write(to: path, atomically: true, encoding: .utf8)
        for args in [["replay", "--speed", "0", path.path], ["replay", "--check", path.path]] {
            let r = try TestSupport.run(args, timeout: 60)
            let out = String(decoding: r.stdout, as: UTF8.self) + String(decoding: r.stderr, as: UTF8.self)
            #expect(!out.isEmpty)
            for u in out.unicodeScalars {
                let v = u.value
                #expect(!(v < 0x20 && v != 0x0A) && v != 0x7F && !(0x80...0x9F).contains(v) && !(0x202A...0x202E).contains(v) && !(0x2066...0x2069).contains(v),
                        "raw U+\(String(v, radix: 16)) from \(args)")
            }
        }
    }
}
