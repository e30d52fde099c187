import Foundation
import StoremonCore
import Testing

/// A stand-in Exim daemon: a copy of the shell named `exim4` (the reader recognises Exim by
/// the file its `/proc/PID/exe` leads to, so a script named `exim4` would not do; the
/// kernel names the process after the copy, as `/proc/PID/comm` shows), running a sleep
/// loop with a daemon's arguments and a hostile one after it.
func fakeEximDaemon(in dir: String) throws -> ChildProcess {
    let copy = dir + "/exim4"
    try FileManager.default.copyItem(atPath: URL(fileURLWithPath: "/bin/sh").resolvingSymlinksInPath().path, toPath: copy)
    let child = try ExportSupport.start([copy, "-c", "while :; do sleep 1; done", "-bd", "-q30m", "evil\u{1b}[2Jarg"], directory: dir)
    // until the kernel has exec'd the copy (comm is its name from then on)
    ExportSupport.waitFor(seconds: 10) {
        (try? String(contentsOfFile: "/proc/\(child.pid)/comm", encoding: .utf8)) == "exim4\n"
    }
    return child
}

@Suite("Processes in every output: metrics, JSON, plain text", .serialized)
struct ProcessesOutputTests {
    let fixtures = ExportSupport.fixtures

    @Test("storemon export --once: exim_processes has all seven kinds, counts a running daemon, passes promtool")
    func exportCountsProcesses() throws {
        let dir = try ExportSupport.temporaryDirectory("procs-export")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let daemon = try fakeEximDaemon(in: dir)
        defer { daemon.stop(SIGKILL) }
        let child = try ExportSupport.start([ExportSupport.storemon, "export", fixtures + "/log/mainlog", "--spool", fixtures + "/spool", "--once"],
                                            directory: dir)
        #expect(child.wait(timeout: 60)?.code == 0, "\(child.stderr)")
        let text = child.stdout
        let series = text.split(separator: "\n").filter { $0.hasPrefix("exim_processes{") }
        #expect(series.count == 7, "\(series)")
        for kind in ["daemon", "queue_runner", "delivery", "smtp_session", "local_submission", "queue_listing", "other"] {
            #expect(sampleValue(text, "exim_processes{kind=\"\(kind)\"}") != nil, "\(kind)")
        }
        #expect((sampleValue(text, "exim_processes{kind=\"daemon\"}") ?? 0) >= 1)
        #expect(text.contains("# TYPE exim_processes gauge"))
        #expect(!text.contains("evil"))
        let check = try PrometheusTools.promtool(["check", "metrics"], input: text, directory: dir)
        #expect(check.status == 0, "\(check.output)")
        #expect(check.output.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "\(check.output)")
    }

    @Test("--once --json lists the processes (kind, activity, escaped title); the plain frame too, quoted")
    func jsonAndPlainListProcesses() throws {
        let dir = try ExportSupport.temporaryDirectory("procs-json")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let daemon = try fakeEximDaemon(in: dir)
        defer { daemon.stop(SIGKILL) }

        let json = try ExportSupport.start([ExportSupport.storemon, fixtures + "/log/mainlog", "--spool", fixtures + "/spool", "--once", "--json"],
                                           directory: dir)
        #expect(json.wait(timeout: 60)?.code == 0, "\(json.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        let processes = object?["processes"] as? [[String: Any]] ?? []
        let mine = processes.first { ($0["pid"] as? Int) == Int(daemon.pid) }
        #expect(mine != nil, "\(json.stdout.suffix(600))")
        #expect(mine?["kind"] as? String == "daemon")
        #expect(mine?["activity"] as? String == "daemon, queue runs -q30m")
        #expect((mine?["parentPid"] as? Int).map { $0 > 0 } == true)
        #expect((mine?["ageSeconds"] as? Int).map { $0 >= 0 } == true)
        #expect((mine?["title"] as? String)?.hasPrefix(dir + "/exim4 -c ") == true)
        #expect((mine?["title"] as? String)?.hasSuffix(" -bd -q30m evil\u{1b}[2Jarg") == true)
        #expect(json.stdout.contains("evil\\u001b[2Jarg"))        // escaped in the JSON text
        #expect(!json.stdout.contains("\u{1b}"))

        let plain = try ExportSupport.start([ExportSupport.storemon, fixtures + "/log/mainlog", "--spool", fixtures + "/spool", "--once"],
                                            directory: dir)
        #expect(plain.wait(timeout: 60)?.code == 0, "\(plain.stderr)")
        let frame = plain.stdout
        #expect(frame.contains("\nPROCESSES  "), "\(frame.suffix(600))")
        let row = frame.split(separator: "\n").first { $0.hasPrefix(String(repeating: " ", count: max(0, 7 - "\(daemon.pid)".count)) + "\(daemon.pid) ") }
        #expect(row?.contains("daemon, queue runs -q30m: ") == true, "\(frame.suffix(600))")
        #expect(!frame.contains("\u{1b}"))
    }
}
