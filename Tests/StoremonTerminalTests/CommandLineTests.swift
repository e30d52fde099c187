import FixtureSupport
import Foundation
import Testing

/// The command line without a terminal: exit codes, `--once`, `--json`, plain frames.
@Suite struct CommandLineTests {
    @Test func badUsageExitsTwo() throws {
        for args in [["--interval", "abc"], ["--no-such-option"], ["--interval", "0"], ["a", "b"]] {
            let r = try TestSupport.run(args)
            #expect(r.status == 2 && !r.signaled, "\(args): status \(r.status)")
            #expect(r.err.contains("Usage") || r.err.contains("Error"), "\(args): \(r.err)")
            #expect(r.stdout.isEmpty)
        }
    }

    @Test func missingPathExitsOneWithAClearMessage() throws {
        let r = try TestSupport.run(["--once", "/nonexistent/storemon-test/log"])
        #expect(r.status == 1 && !r.signaled)
        #expect(r.err.contains("/nonexistent/storemon-test/log"), "\(r.err)")
        #expect(r.stdout.isEmpty)
    }

    @Test func helpDocumentsExitCodesAndVersionPrints() throws {
        let help = try TestSupport.run(["--help"])
        #expect(help.status == 0)
        for word in ["--spool", "--queue", "--interval", "--once", "--json", "--demo", "--no-color", "Exit codes", "NO_COLOR"] {
            #expect(help.out.contains(word), "help lacks \(word)")
        }
        let helpCommand = try TestSupport.run(["help", "replay"])
        #expect(helpCommand.status == 0 && helpCommand.out.contains("TRACE"))
        let version = try TestSupport.run(["--version"])
        #expect(version.status == 0 && version.out.contains("storemon"))
    }

    @Test("under a small ulimit -v the taint arena leaves room: --once still works")
    func smallAddressSpaceLimit() throws {
        // 4 GiB of address space: the arena takes at most half, a default store fits in it.
        let log = Fixtures.directory.appendingPathComponent("exim-real/log/mainlog").path
        let r = try TestSupport.run(["-c", "ulimit -v 4194304 && exec \(shellQuoted(TestSupport.storemon.path)) --once --json \(shellQuoted(log))"],
                                    executable: URL(fileURLWithPath: "/bin/sh"))
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.hasPrefix("{\"version\":1"), "\(r.out.prefix(200))")
    }

    @Test func replaySubcommandIsReachable() throws {
        let trace = Fixtures.directory.appendingPathComponent("exim-real/traces/trace4-deliver-local.txt")
        let r = try TestSupport.run(["replay", "--check", trace.path])
        #expect(r.status == 0, "\(r.err)")
        #expect(!r.out.isEmpty)
        let help = try TestSupport.run(["replay", "--help"])
        #expect(help.status == 0 && help.out.contains("exim -d+memory"))
        #expect(try TestSupport.run(["replay", "--no-such-flag", trace.path]).status == 2)
        // A file with no memory record (here: a main log) is no match: exit 1, and why.
        let log = Fixtures.directory.appendingPathComponent("exim-real/log/mainlog")
        let nothing = try TestSupport.run(["replay", "--check", log.path])
        #expect(nothing.status == 1)
        #expect(nothing.out.contains("NOTHING CHECKED"), "\(nothing.out)")
    }

    @Test func replayReadsALivePipe() throws {
        // `exim -d+memory ... 2>&1 | storemon replay -`: the trace arrives in pieces, with pauses.
        let trace = Fixtures.directory.appendingPathComponent("exim-real/traces/trace5-daemon.txt").path
        let q = shellQuoted(trace)
        let r = try TestSupport.run(["-c", "(head -n 700 \(q); sleep 0.3; tail -n +701 \(q)) | \(shellQuoted(TestSupport.storemon.path)) replay --check -"],
                                    executable: URL(fileURLWithPath: "/bin/sh"))
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("MATCH: 2887 lines"), "\(r.out.suffix(300))")
        #expect(r.out.contains("0 line mismatches; 48/48 exit lines matched"))
    }

    @Test func onceJsonOnTheRealFixtures() throws {
        let spool = try TestSupport.fixtureSpool()
        defer { try? FileManager.default.removeItem(at: spool.deletingLastPathComponent()) }
        let r = try TestSupport.run(["--once", "--json", spool.appendingPathComponent("log").path])
        #expect(r.status == 0, "\(r.err)")
        let object = try JSONSerialization.jsonObject(with: r.stdout) as? [String: Any]
        #expect(object?["version"] as? Int == 1)
        let pools = object?["pools"] as? [[String: Any]] ?? []
        #expect(pools.count == 10)
        #expect(pools.map { $0["tainted"] as? Bool } == Array(repeating: false, count: 5) + Array(repeating: true, count: 5))
        let queue = object?["queue"] as? [[String: Any]] ?? []
        let files = try FileManager.default.contentsOfDirectory(atPath: spool.appendingPathComponent("input").path)
        #expect(queue.count == files.filter { $0.hasSuffix("-H") }.count)
        let log = object?["log"] as? [String: Any]
        #expect(log?["lines"] as? Int == 413)
        // exactly one line of JSON
        #expect(r.out.split(separator: "\n").count == 1)
    }

    @Test func oncePlainFrameOnTheFixtures() throws {
        let spool = try TestSupport.fixtureSpool()
        defer { try? FileManager.default.removeItem(at: spool.deletingLastPathComponent()) }
        let r = try TestSupport.run(["--once", spool.appendingPathComponent("log").path])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("1xWd9D-0006xR-10"))
        #expect(r.out.contains("tainted"))
        for line in r.out.split(separator: "\n") { #expect(line.count <= 80, "line over 80 columns: \(line)") }
    }

    @Test func hostileLogNeverSendsARawEscapeToStdout() throws {
        let log = try TestSupport.hostileLog()
        defer { try? FileManager.default.removeItem(at: log.deletingLastPathComponent()) }
        for args in [["--once", log.path], ["--once", "--json", log.path]] {
            let r = try TestSupport.run(args)
            #expect(r.status == 0, "\(args): \(r.err)")
            let bad = r.stdout.filter { $0 == 0x1B || $0 == 0x00 || $0 == 0x0D || $0 == 0x07 || $0 == 0x9B }
            #expect(bad.isEmpty, "\(args): \(bad.count) raw control bytes on stdout")
            #expect(String(validating: r.stdout, as: UTF8.self) != nil, "stdout is not valid UTF-8")
            if !args.contains("--json") { #expect(r.out.contains("\\x1b"), "\(args): escapes not shown") }
        }
    }

    @Test func notATerminalGivesPlainFramesAndJsonLines() throws {
        let spool = try TestSupport.fixtureSpool()
        defer { try? FileManager.default.removeItem(at: spool.deletingLastPathComponent()) }
        let log = spool.appendingPathComponent("log").path
        // stdout is a pipe: plain-text frames each refresh; SIGTERM (after the timeout) ends it cleanly
        let plain = try TestSupport.run(["--interval", "0.2", log], timeout: 3)
        #expect(plain.status == 0, "status \(plain.status) \(plain.err)")
        #expect(plain.out.components(separatedBy: "1xWd9D-0006xR-10").count - 1 >= 2, "fewer than two frames")
        #expect(!plain.stdout.contains(0x1B))
        let json = try TestSupport.run(["--json", "--interval", "0.2", log], timeout: 3)
        let lines = json.out.split(separator: "\n")
        #expect(lines.count >= 2)
        for line in lines {
            #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) != nil)
        }
    }
}
