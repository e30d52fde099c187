import Foundation
import StoremonCore
import Glibc
import Testing

/// The port an exporter printed on stderr (`serving http://HOST:PORT/metrics`), once it did.
func servedPort(_ child: ChildProcess, seconds: Double = 20) -> UInt16? {
    var port: UInt16?
    ExportSupport.waitFor(seconds: seconds) {
        guard let range = child.stderr.range(of: "serving http://") else { return child.termination(waiting: false) != nil }
        let rest = child.stderr[range.upperBound...]
        guard let slash = rest.firstIndex(of: "/"), let colon = rest[..<slash].lastIndex(of: ":") else { return false }
        port = UInt16(rest[rest.index(after: colon)..<slash])
        return true
    }
    return port
}

@Suite("storemon export: the command", .serialized)
struct ExportCommandTests {
    let fixtures = ExportSupport.fixtures

    @Test("--once on the real fixtures: the exposition passes promtool check metrics; values match exim -bpc")
    func onceIsValid() throws {
        let dir = try ExportSupport.temporaryDirectory("once")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let child = try ExportSupport.start([ExportSupport.storemon, "export", fixtures + "/log/mainlog", "--spool", fixtures + "/spool", "--once"],
                                            directory: dir)
        #expect(child.wait(timeout: 30)?.code == 0)
        let text = child.stdout
        let bpc = Double(try String(contentsOfFile: fixtures + "/queue/bpc.txt", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(sampleValue(text, "exim_queue_messages") == bpc)
        #expect(sampleValue(text, "exim_log_lines_total") == 413)
        for name in ["exim_queue_frozen_messages", "exim_queue_bytes", "exim_queue_oldest_message_age_seconds",
                     "exim_queue_unreadable_files", "exim_log_rejections_total", "exim_log_rotations_total",
                     "storemon_resets_total", "storemon_refresh_seconds_count"] {
            #expect(sampleValue(text, name) != nil, "\(name)")
        }
        #expect(text.components(separatedBy: "\nexim_log_flag_lines_total{").count - 1 == 8)
        #expect(text.components(separatedBy: "\nstoremon_pool_bytes{").count - 1 == 10)
        #expect(text.contains("storemon_build_info{version=\""))
        let check = try PrometheusTools.promtool(["check", "metrics"], input: text, directory: dir)
        #expect(check.status == 0, "\(check.output)")
        #expect(check.output.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "\(check.output)")
    }

    @Test("the endpoint: /metrics in the text format, an index at /, 404 and 405 elsewhere")
    func endpoint() throws {
        // (The server runs in the exporter's process: in the test process, Swift Testing's
        // blocking tests would share the concurrency pool it runs on.)
        let dir = try ExportSupport.temporaryDirectory("endpoint")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let child = try ExportSupport.start([ExportSupport.storemon, "export", fixtures + "/log/mainlog", "--spool", fixtures + "/spool",
                                             "--listen", "127.0.0.1:0"], directory: dir)
        defer { child.stop() }
        let port = try #require(servedPort(child), "\(child.stderr)")
        var text: HTTP.Response?
        ExportSupport.waitFor(seconds: 20) {
            text = HTTP.request(port: port, "/metrics")
            return text.map { sampleValue($0.text, "exim_queue_messages") != nil } ?? false
        }
        let metrics = try #require(text)
        #expect(metrics.status == 200)
        #expect(metrics.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8")
        #expect(metrics.text.hasPrefix("# HELP exim_queue_messages "))
        #expect(!metrics.text.contains("# EOF"))
        let index = try #require(HTTP.request(port: port, "/"))
        #expect(index.status == 200)
        #expect(index.headers["content-type"] == "text/html; charset=utf-8")
        #expect(index.text.contains("href=\"/metrics\""))
        #expect(HTTP.request(port: port, "/nope")?.status == 404)
        #expect(HTTP.request(port: port, "/metrics", method: "POST")?.status == 405)
        #expect(HTTP.request(port: port, "/metrics", method: "HEAD")?.status == 200)
        // a client that hangs up mid-request does not hurt the exporter
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, 16) } }
        _ = "GET /metr".withCString { send(fd, $0, 9, Int32(MSG_NOSIGNAL)) }
        close(fd)
        #expect(HTTP.request(port: port, "/metrics")?.status == 200)
        #expect(child.termination(waiting: false) == nil)
    }

    @Test("SIGTERM and SIGINT stop a serving exporter cleanly, with exit 0")
    func signals() throws {
        let dir = try ExportSupport.temporaryDirectory("signals")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for signal in [SIGTERM, SIGINT] {
            let child = try ExportSupport.start([ExportSupport.storemon, "export", fixtures + "/log/mainlog", "--spool", fixtures + "/spool",
                                                 "--listen", "127.0.0.1:0", "--interval", "0.5"], directory: dir)
            let port = try #require(servedPort(child), "\(child.stderr)")
            #expect(HTTP.request(port: port, "/metrics")?.status == 200)
            #expect(child.stop(signal, timeout: 10)?.code == 0, "signal \(signal): \(child.stderr)")
            #expect(HTTP.request(port: port, "/metrics") == nil)   // nothing listens any more
        }
    }

    @Test("a port in use, a bad address, an address not on this machine: a clear message and exit 1")
    func badAddresses() throws {
        let dir = try ExportSupport.temporaryDirectory("addresses")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let first = try ExportSupport.start([ExportSupport.storemon, "export", fixtures + "/log/mainlog", "--listen", "127.0.0.1:0"],
                                            directory: dir)
        let port = try #require(servedPort(first))
        defer { first.stop() }
        let cases: [(String, String)] = [
            ("127.0.0.1:\(port)", "Address already in use"),
            ("127.0.0.1", "no port"),
            ("127.0.0.1:70000", "port must be a number"),
            ("no-such-host.invalid:9637", "cannot resolve"),
            ("192.0.2.1:9637", "cannot listen on 192.0.2.1:9637"),
        ]
        for (address, message) in cases {
            let child = try ExportSupport.start([ExportSupport.storemon, "export", fixtures + "/log/mainlog", "--listen", address], directory: dir)
            #expect(child.wait(timeout: 20)?.code == 1, "\(address)")
            #expect(child.stderr.hasPrefix("storemon export: "), "\(address): \(child.stderr)")
            #expect(child.stderr.contains(message), "\(address): \(child.stderr)")
        }
        // the monitor's --metrics-listen says the same
        let monitor = try ExportSupport.start([ExportSupport.storemon, fixtures + "/log/mainlog", "--json", "--metrics-listen", "127.0.0.1:\(port)"],
                                              directory: dir)
        #expect(monitor.wait(timeout: 20)?.code == 1)
        #expect(monitor.stderr.contains("Address already in use"), "\(monitor.stderr)")
        // a usage error stays exit 2
        let usage = try ExportSupport.start([ExportSupport.storemon, "export", "--interval", "0"], directory: dir)
        #expect(usage.wait(timeout: 20)?.code == 2)
    }

    @Test("--textfile: rewritten at every refresh, never seen half-written by a reader in a tight loop")
    func textfileNeverTorn() throws {
        let dir = try ExportSupport.temporaryDirectory("textfile")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let spool = try ExportSupport.fixtureSpool()
        defer { try? FileManager.default.removeItem(atPath: (spool as NSString).deletingLastPathComponent) }
        let file = dir + "/storemon.prom"
        let child = try ExportSupport.start([ExportSupport.storemon, "export", spool + "/log/mainlog", "--spool", spool,
                                             "--textfile", file, "--interval", "0.1"], directory: dir)
        defer { child.stop() }
        #expect(ExportSupport.waitFor(seconds: 20) { access(file, R_OK) == 0 })
        // Keep the log growing so each rewrite differs (and changes size).
        let log = FileHandle(forWritingAtPath: spool + "/log/mainlog")!
        defer { try? log.close() }
        var reads = 0, torn = 0, versions = Set<Double>()
        let end = Date().addingTimeInterval(4)
        var appended = 0
        while Date() < end {
            if reads % 200 == 0 {
                log.seekToEndOfFile()
                log.write(Data("2026-11-26 17:20:\(10 + appended % 50) [1] 1xWd9D-0006xR-10 Completed\n".utf8))
                appended += 1
            }
            guard let data = FileManager.default.contents(atPath: file) else { torn += 1; continue }
            let text = String(decoding: data, as: UTF8.self)
            reads += 1
            // whole: starts with the first family, ends with the last line, every line complete
            guard text.hasPrefix("# HELP exim_queue_messages "), text.hasSuffix("\n"),
                  text.contains("\nstoremon_build_info{version="),
                  let lines = sampleValue(text, "exim_log_lines_total") else { torn += 1; continue }
            versions.insert(lines)
        }
        #expect(torn == 0)
        #expect(reads > 500)
        #expect(versions.count > 3)   // it really was rewritten while we read
        #expect(child.termination(waiting: false) == nil, "\(child.stderr)")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".tmp") }
        #expect(child.stop()?.code == 0)
        #expect(leftovers.count <= 1)   // at most the one being written at that instant
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".tmp") }.isEmpty)

        // a textfile that cannot be written at start: exit 1, naming it
        let bad = try ExportSupport.start([ExportSupport.storemon, "export", spool + "/log/mainlog", "--textfile", dir + "/missing/x.prom"],
                                          directory: dir)
        #expect(bad.wait(timeout: 20)?.code == 1)
        #expect(bad.stderr.contains(dir + "/missing/"), "\(bad.stderr)")
    }

    @Test("the monitor's --metrics-listen serves the snapshots it draws (here the JSON stream)")
    func monitorServesMetrics() throws {
        let dir = try ExportSupport.temporaryDirectory("monitor")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let port = ExportSupport.freePort()
        let child = try ExportSupport.start([ExportSupport.storemon, fixtures + "/log/mainlog", "--spool", fixtures + "/spool", "--json",
                                             "--interval", "0.2", "--metrics-listen", "127.0.0.1:\(port)"], directory: dir)
        defer { child.stop() }
        var text = ""
        #expect(ExportSupport.waitFor(seconds: 20) {
            text = HTTP.request(port: port, "/metrics")?.text ?? ""
            return sampleValue(text, "exim_queue_messages") != nil
        }, "\(child.stderr)")
        #expect(sampleValue(text, "exim_queue_messages") == 21)
        // and it still draws (the snapshot reaches the metrics before its JSON line is written)
        #expect(ExportSupport.waitFor(seconds: 10) { child.stdout.contains("\"queue\"") }, "\(child.stderr)")
        #expect(child.stop(SIGTERM)?.code == 0)
    }

    @Test("OpenMetrics over HTTP parses with Prometheus' own OpenMetrics parser (promtool backfill)")
    func openMetricsParses() throws {
        let dir = try ExportSupport.temporaryDirectory("openmetrics")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let child = try ExportSupport.start([ExportSupport.storemon, "export", fixtures + "/log/mainlog", "--spool", fixtures + "/spool",
                                             "--listen", "127.0.0.1:0"], directory: dir)
        defer { child.stop() }
        let port = try #require(servedPort(child))
        var response: HTTP.Response?
        ExportSupport.waitFor(seconds: 20) {
            response = HTTP.request(port: port, "/metrics", headers: ["Accept": "application/openmetrics-text;version=1.0.0"])
            return response.map { sampleValue($0.text, "exim_queue_messages") != nil } ?? false
        }
        let om = try #require(response)
        #expect(om.headers["content-type"] == "application/openmetrics-text; version=1.0.0; charset=utf-8")
        #expect(om.text.hasSuffix("\n# EOF\n"))
        #expect(om.text.contains("# TYPE exim_log_lines counter\nexim_log_lines_total 413\n"))
        // Backfilling needs a timestamp on every sample; the parser checks the rest (# EOF, types, syntax).
        let stamped = om.text.split(separator: "\n").map { $0.hasPrefix("#") ? String($0) : "\($0) 1795713639" }
            .joined(separator: "\n") + "\n"
        let input = dir + "/om.txt"
        try stamped.write(toFile: input, atomically: true, encoding: .utf8)
        let backfill = try PrometheusTools.promtool(["tsdb", "create-blocks-from", "openmetrics", input, dir + "/blocks"],
                                                    directory: dir)
        #expect(backfill.status == 0, "\(backfill.output)")
        // and without the # EOF the same parser refuses (the check can fail)
        try stamped.replacingOccurrences(of: "# EOF\n", with: "").write(toFile: input, atomically: true, encoding: .utf8)
        #expect(try PrometheusTools.promtool(["tsdb", "create-blocks-from", "openmetrics", input, dir + "/blocks2"],
                                             directory: dir).status != 0)
    }
}
