import Foundation
import StoremonCore
import Testing

/// storemon in hostile surroundings (issue 10): closed and full stdout, slow readers,
/// FIFOs and devices as logs, signals, ended input, exit clean-up. The terminal cases run
/// the real binary in tmux; the others run it with its descriptors arranged by `sh`.
@Suite("Faults", .serialized)
struct FaultTests {
    /// Runs `sh -c script` (with `$SM` = the storemon binary) and returns the result.
    private func sh(_ script: String, environment: [String: String] = [:], timeout: TimeInterval = 20) throws -> ProcessResult {
        var env = environment
        env["SM"] = TestSupport.storemon.path
        return try TestSupport.run(["-c", script], environment: env, timeout: timeout,
                                   executable: URL(fileURLWithPath: "/bin/sh"))
    }

    private func fixtureLog() throws -> (URL, String) {
        let spool = try TestSupport.fixtureSpool()
        return (spool, spool.appendingPathComponent("log/mainlog").path)
    }

    @Test("--once > /dev/full: a message on stderr and exit 1")
    func fullStdout() throws {
        let (spool, log) = try fixtureLog()
        defer { try? FileManager.default.removeItem(at: spool.deletingLastPathComponent()) }
        for mode in ["", "--json"] {
            let r = try sh("\"$SM\" --once \(mode) \(shellQuoted(log)) > /dev/full")
            #expect(r.status == 1 && !r.signaled, "\(mode): status \(r.status)")
            #expect(r.err.contains("cannot write to standard output") && r.err.contains("No space left"), "\(r.err)")
        }
    }

    @Test("stdout closed (--once, streaming): exit 1 with a message, nothing written into a file that took fd 1")
    func closedStdout() throws {
        let (spool, log) = try fixtureLog()
        defer { try? FileManager.default.removeItem(at: spool.deletingLastPathComponent()) }
        let before = try Data(contentsOf: URL(fileURLWithPath: log))
        for mode in ["--once", "--json --interval 0.1", "--interval 0.1"] {
            let r = try sh("\"$SM\" \(mode) \(shellQuoted(log)) >&-", timeout: 10)
            #expect(r.status == 1 && !r.signaled, "\(mode): status \(r.status) \(r.err)")
            #expect(r.err.contains("standard output is closed"), "\(mode): \(r.err)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: log)) == before, "the log was written to")
        // read-only stdout: the write fails and says so
        let ro = try sh("\"$SM\" --once \(shellQuoted(log)) 1</dev/null")
        #expect(ro.status == 1 && ro.err.contains("cannot write to standard output"), "\(ro.err)")
    }

    @Test("a writer blocked on a full pipe obeys SIGTERM and SIGINT within a second")
    func blockedWriterObeysSignals() throws {
        for sig in [SIGTERM, SIGINT] {
            let p = try ChildProcess([TestSupport.storemon.path, "--demo", "--json", "--interval", "0.1"],
                                     outputs: .separate,     // stdout never read: it fills up
                                     environment: ["SWIFT_BACKTRACE": "enable=no"])
            // JSON lines of a few KB ten times a second: the 64 KiB pipe is full within 5 s
            sleep(5)
            #expect(p.termination(waiting: false) == nil)
            usleep(300_000)
            let sent = Date()
            p.signal(sig)
            let ended = p.wait(timeout: 3)
            let took = Date().timeIntervalSince(sent)
            if ended == nil { p.stop(SIGKILL, timeout: 5) }
            #expect(took < 1.0, "signal \(sig) obeyed after \(took) s")
        }
    }

    @Test("a FIFO, a device or a directory without a log, given as the log: refused with a clear message, never blocking")
    func fifoAndDeviceRefused() throws {
        let dir = try TestSupport.tempDirectory("fifo")
        defer { try? FileManager.default.removeItem(at: dir) }
        let fifo = dir.appendingPathComponent("mainlog").path
        #expect(mkfifo(fifo, 0o644) == 0)
        for (path, kind) in [(fifo, "FIFO"), ("/dev/zero", "character device"), (dir.path, "FIFO")] {
            for mode in ["--once", "--json --once", "--json --interval 0.2"] {
                let started = Date()
                let r = try sh("\"$SM\" \(mode) \(shellQuoted(path))", timeout: 8)
                #expect(Date().timeIntervalSince(started) < 5, "\(mode) \(path) blocked")
                #expect(r.status == 1, "\(mode) \(path): status \(r.status) \(r.err)")
                #expect(r.err.contains(kind) || r.out.contains(kind), "\(mode) \(path): \(r.err) \(r.out.prefix(300))")
            }
        }
    }

    @Test("command-line text is quoted in messages")
    func pathsQuoted() throws {
        let r = try sh("\"$SM\" --once \"$(printf '/nonexistent/\\033]0;PWNED\\007\\033[2Jx')\"")
        #expect(r.status == 1)
        #expect(!r.stderr.contains(0x1B) && !r.stderr.contains(0x07), "raw control bytes in: \(r.err)")
        #expect(r.err.contains("\\x1b]0;PWNED\\x07"), "\(r.err)")
        let bad = try sh("\"$SM\" --interval \"$(printf '\\033[31m')\"")
        #expect(bad.status == 2)
        #expect(!bad.stderr.contains(0x1B), "raw ESC in: \(bad.err)")
    }

    @Test("--once counts a last line without a newline")
    func onceCountsUnterminatedLine() throws {
        let dir = try TestSupport.tempDirectory("nonl")
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("mainlog")
        try Data(("2026-11-26 10:00:00 [1] 1xWd9D-0006xR-10 <= a@example.org S=1\n"
                  + "2026-11-26 10:00:01 [1] 1xWd9D-0006xR-10 => b@example.org R=r T=t").utf8).write(to: log)
        let r = try TestSupport.run(["--once", "--json", log.path])
        let json = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any]
        let lines = (json?["log"] as? [String: Any])?["lines"] as? Int
        #expect(lines == 2, "\(r.out)")
    }

    @Test("--demo cleans its temporary spool on every exit: q, SIGTERM, a reader that went away")
    func demoCleanUp() throws {
        let tmp = try TestSupport.tempDirectory("demotmp")
        defer { try? FileManager.default.removeItem(at: tmp) }
        let env = ["TMPDIR": tmp.path]
        let head = try sh("\"$SM\" --demo --json --interval 0.1 | head -c 100 >/dev/null", environment: env)
        #expect(head.status == 0)
        let once = try sh("\"$SM\" --demo --once --json >/dev/full", environment: env)
        #expect(once.status == 1)
        let term = try sh("\"$SM\" --demo --json --interval 0.1 >/dev/null & p=$!; sleep 1; kill -TERM $p; wait $p", environment: env)
        #expect(term.status == 0, "stream ended by SIGTERM: \(term.status)")
        let usr1 = try sh("\"$SM\" --demo --json --interval 0.1 >/dev/null & p=$!; sleep 1; kill -USR1 $p; wait $p", environment: env)
        #expect(usr1.status != 0 || !usr1.signaled)
        usleep(200_000)
        let left = try FileManager.default.contentsOfDirectory(atPath: tmp.path)
        #expect(left.isEmpty, "left behind: \(left)")
    }
}

/// The same faults in a real terminal (tmux).
@Suite(.serialized, .enabled(if: TestSupport.hasTmux || TestSupport.inCI,
                             "tmux is not installed (`apt-get install tmux`; in CI a missing tmux fails instead)"))
struct FaultsInTmuxTests {
    private func start(_ tmux: TmuxHarness, prefix: String = "", suffix: String = "") throws -> URL {
        let spool = try TestSupport.fixtureSpool()
        try tmux.runInShell("\(prefix)\(shellQuoted(TestSupport.storemon.path)) --interval 0.5 \(shellQuoted(spool.appendingPathComponent("log").path))\(suffix)")
        let first = tmux.waitFor(seconds: 10) { $0.contains("Queue") && $0.contains("TAINTED") }
        #expect(first != nil, "no first frame:\n\(tmux.capture())")
        return spool
    }

    /// storemon's pid: the shell's child.
    private func storemonPid(_ tmux: TmuxHarness) -> Int32? {
        let shell = tmux.display("#{pane_pid}")
        let children = (try? String(contentsOfFile: "/proc/\(shell)/task/\(shell)/children", encoding: .utf8)) ?? ""
        return children.split(separator: " ").first.flatMap { Int32($0) }
    }

    private func expectRestored(_ tmux: TmuxHarness, _ context: String, seconds: Double = 5) {
        #expect(tmux.waitForDisplay("#{alternate_on}", equals: "0", seconds: seconds), "alternate screen still on after \(context)")
        let prompt = tmux.waitFor(seconds: seconds) { screen in
            screen.split(separator: "\n").last(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty })?.hasPrefix("PROMPT$") == true
        }
        #expect(prompt != nil, "no shell prompt after \(context):\n\(tmux.capture())")
        #expect(tmux.display("#{cursor_flag}") == "1", "cursor hidden after \(context)")
        #expect(tmux.display("#{keypad_cursor_flag}") != "1", "keypad mode left on after \(context)")
    }

    @Test("every ending signal restores the terminal (alternate screen, cursor, modes)")
    func endingSignalsRestore() throws {
        let signals: [(String, Int32)] = [("USR1", SIGUSR1), ("USR2", SIGUSR2), ("ALRM", SIGALRM), ("PIPE", SIGPIPE),
                                          ("HUP", SIGHUP), ("QUIT", SIGQUIT), ("XCPU", SIGXCPU), ("XFSZ", SIGXFSZ),
                                          ("VTALRM", SIGVTALRM), ("PROF", SIGPROF), ("ABRT", SIGABRT), ("BUS", SIGBUS),
                                          ("FPE", SIGFPE), ("ILL", SIGILL), ("RTMIN", __libc_current_sigrtmin())]
        for (name, sig) in signals {
            let tmux = try TmuxHarness(width: 120, height: 40)
            defer { tmux.close() }
            // Swift's backtracer (which a fault signal is handed on to) can take minutes to
            // symbolicate on a loaded machine: off here, this test is about the terminal
            let spool = try start(tmux, prefix: "SWIFT_BACKTRACE=enable=no ")
            defer { try? FileManager.default.removeItem(at: spool.deletingLastPathComponent()) }
            guard let pid = storemonPid(tmux) else { Issue.record("no pid for \(name)"); continue }
            kill(pid, sig)
            expectRestored(tmux, "SIG\(name)", seconds: 30)
            let deadline = Date().addingTimeInterval(30)
            while kill(pid, 0) == 0 && Date() < deadline { usleep(50_000) }
            #expect(kill(pid, 0) != 0, "still running after SIG\(name)")
        }
    }

    @Test("SIGSEGV without SWIFT_BACKTRACE set: the terminal is restored and no backtrace prompt waits")
    func segvDoesNotWaitAtAPrompt() throws {
        let tmux = try TmuxHarness(width: 120, height: 40)
        defer { tmux.close() }
        // SWIFT_BACKTRACE without an `interactive` choice (storemon adds interactive=no);
        // no symbolication, which takes minutes on a loaded machine
        let spool = try start(tmux, prefix: "SWIFT_BACKTRACE=symbolicate=no ")
        defer { try? FileManager.default.removeItem(at: spool.deletingLastPathComponent()) }
        guard let pid = storemonPid(tmux) else { Issue.record("no pid"); return }
        // env execs storemon, which re-executes itself once (same pid)
        kill(pid, SIGSEGV)
        expectRestored(tmux, "SIGSEGV", seconds: 60)
        #expect(!tmux.capture().contains("Press space"), "the backtracer waits at a prompt:\n\(tmux.capture())")
    }

    @Test("stdin at /dev/null: no busy loop; the monitor idles until a signal ends it")
    func endedInputIdles() throws {
        let tmux = try TmuxHarness(width: 120, height: 40)
        defer { tmux.close() }
        let spool = try start(tmux, suffix: " < /dev/null")
        defer { try? FileManager.default.removeItem(at: spool.deletingLastPathComponent()) }
        guard let pid = storemonPid(tmux) else { Issue.record("no pid"); return }
        let before = cpuTicks(pid)
        sleep(3)
        let used = Double(cpuTicks(pid) - before) / Double(sysconf(Int32(_SC_CLK_TCK)))
        #expect(used < 0.5, "\(used) s of CPU in 3 s with stdin at EOF")
        kill(pid, SIGTERM)
        expectRestored(tmux, "SIGTERM")
    }

    @Test("the terminal hangs up with SIGHUP ignored: storemon ends instead of spinning")
    func hangUpEnds() throws {
        let tmux = try TmuxHarness(width: 120, height: 40)
        defer { tmux.close() }
        let spool = try start(tmux, prefix: "trap '' HUP; exec ")
        defer { try? FileManager.default.removeItem(at: spool.deletingLastPathComponent()) }
        let shell = tmux.display("#{pane_pid}")
        guard let pid = Int32(shell) else { Issue.record("no pid"); return }     // exec: the shell is storemon now
        let before = cpuTicks(pid)
        tmux.close()     // the terminal goes away; SIGHUP is ignored
        let deadline = Date().addingTimeInterval(5)
        while kill(pid, 0) == 0 && Date() < deadline { usleep(50_000) }
        let alive = kill(pid, 0) == 0
        if alive {
            let used = Double(cpuTicks(pid) - before) / Double(sysconf(Int32(_SC_CLK_TCK)))
            kill(pid, SIGKILL)
            Issue.record("still running 5 s after the hang-up (\(used) s CPU)")
        }
    }

    @Test("a huge log (64 GiB, sparse): the first frame comes while the background count runs; ? and q answer at once")
    func hugeLogKeepsKeysLive() throws {
        let spool = try TestSupport.fixtureSpool()
        defer { try? FileManager.default.removeItem(at: spool.deletingLastPathComponent()) }
        // 64 GiB of holes, then the fixture's real lines: the tail is read backwards from the
        // end, the lines before it are counted in the background (seconds of reading zeros)
        let log = spool.appendingPathComponent("log/mainlog")
        let lines = try Data(contentsOf: log)
        let fd = open(log.path, O_WRONLY | O_TRUNC)
        #expect(fd >= 0)
        #expect(ftruncate(fd, 64 << 30) == 0)
        _ = lseek(fd, 0, SEEK_END)
        _ = lines.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)

        let tmux = try TmuxHarness(width: 120, height: 40)
        defer { tmux.close() }
        let started = Date()
        try tmux.runInShell("\(shellQuoted(TestSupport.storemon.path)) --interval 0.5 \(shellQuoted(log.path))")
        let first = tmux.waitFor(seconds: 10) { $0.contains("Queue") && $0.contains("TAINTED") }
        let firstFrame = Date().timeIntervalSince(started)
        guard let first else { Issue.record("no first frame:\n\(tmux.capture())"); return }
        // a loaded CI machine gets slack; the figure for an idle machine is in issue 10's note
        #expect(firstFrame < 5, "first frame after \(firstFrame) s")
        #expect(first.contains("[counting earlier lines "), "no count in progress at the first frame:\n\(first)")
        #expect(first.contains("1xWd9W-0007To-2a frozen by root"), "the log's tail is not shown:\n\(first)")

        try tmux.send("?")
        #expect(tmux.waitFor(seconds: 3) { $0.contains("storemon keys") } != nil, "? did not open the help:\n\(tmux.capture())")
        try tmux.send("Space")     // any key closes it
        let back = tmux.waitFor(seconds: 3) { !$0.contains("storemon keys") && $0.contains("[counting earlier lines ") }
        #expect(back != nil, "the help did not close, or the count was over before q:\n\(tmux.capture())")

        let pid = storemonPid(tmux)
        let asked = Date()
        try tmux.send("q")
        expectRestored(tmux, "q during the count", seconds: 3)
        if let pid {
            while kill(pid, 0) == 0 && Date().timeIntervalSince(asked) < 3 { usleep(20_000) }
            #expect(kill(pid, 0) != 0, "still running 3 s after q")
        }
    }

    /// utime + stime of a process, in clock ticks.
    private func cpuTicks(_ pid: Int32) -> Int {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return (Int(fields[11]) ?? 0) + (Int(fields[12]) ?? 0)
    }
}
