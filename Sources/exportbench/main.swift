import BenchSupport
import EximDemo
import Foundation
import Glibc
import StoremonCore
import StoremonExport

// exportbench: what `storemon export` costs (issue 11's benchmark).
//   swift run -c release exportbench scrape [MESSAGES] [SCRAPES]
//       one refresh of a MESSAGES-message queue mapped and rendered (per refresh), then
//       SCRAPES HTTP scrapes of /metrics over loopback (per scrape: server handler time,
//       round trip, and the whole process's CPU, client included)
//   swift build -c release --product storemon && swift run -c release exportbench idle [MESSAGES] [SECONDS] [INTERVAL]
//       the real `storemon export --interval INTERVAL` on a MESSAGES-message spool, scraped
//       every INTERVAL seconds as Prometheus would, for SECONDS: its CPU share from /proc

func cpuSeconds() -> Double { BenchClock.processCPU.seconds() }
func now() -> Double { BenchClock.monotonic.seconds() }
func ms(_ s: Double) -> String { BenchText.fixed(s * 1000, 3) + " ms" }
/// The value below which a fraction `p` of `values` lie (nearest rank).
func percentile(_ values: [Double], _ p: Double) -> Double {
    let s = Figures(values).sorted
    return s[min(s.count - 1, Int(Double(s.count - 1) * p))]
}

/// A synthetic spool with `messages` queued messages and a main log (DemoGenerator's traffic).
func syntheticSpool(_ messages: Int) throws -> (root: String, log: String) {
    let root = NSTemporaryDirectory() + "storemon-exportbench-\(getpid())"
    try? FileManager.default.removeItem(atPath: root)
    let g = try DemoGenerator(root: root, seed: 1)
    g.queueTarget = Int.max
    try g.seedQueue(messages)
    return (root, g.logPath)
}

/// One GET over loopback; returns the body size (0 when it failed).
func scrape(port: UInt16, accept: String? = nil) -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = port.bigEndian
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    let ok = withUnsafePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard ok == 0 else { return 0 }
    var request = "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
    if let accept { request += "Accept: \(accept)\r\n" }
    request += "\r\n"
    _ = request.withCString { send(fd, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
    var total = 0
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = recv(fd, &buffer, buffer.count, 0)
        if n > 0 { total += n; continue }
        if n < 0 && errno == EINTR { continue }
        break
    }
    return total
}

/// utime + stime of a process, in seconds (from /proc/PID/stat).
func processCPU(_ pid: pid_t) -> Double {
    guard let s = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = s.lastIndex(of: ")") else { return 0 }
    let fields = s[s.index(close, offsetBy: 2)...].split(separator: " ")
    let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
    return ((Double(fields[11]) ?? 0) + (Double(fields[12]) ?? 0)) / ticks
}

let args = CommandLine.arguments
let mode = args.count > 1 ? args[1] : "scrape"
func arg(_ i: Int, _ d: Int) -> Int { args.count > i ? Int(args[i]) ?? d : d }

switch mode {
case "scrape":
    let messages = arg(2, 10_000), scrapes = arg(3, 2_000)
    let spool = try syntheticSpool(messages)
    defer { try? FileManager.default.removeItem(atPath: spool.root) }
    let session = try MonitorSession(MonitorConfiguration(paths: MonitorPaths(logPath: spool.log, spoolDirectory: spool.root),
                                                          useInotify: false, wholeLog: true))
    var snapshot = try session.refresh()
    sleep(3)   // steady state: the spool directory is older than the reader's margin
    snapshot = try session.refresh()
    precondition(snapshot.queue.messages.count == messages, "queue has \(snapshot.queue.messages.count)")
    let exposition = MetricsExposition()

    // Per refresh: snapshot -> metric values -> registry -> both renderings.
    var mapTimes: [Double] = [], publishTimes: [Double] = []
    for _ in 0..<50 {
        let a = now()
        let metrics = MetricsSnapshot(snapshot, version: "bench")
        let b = now()
        exposition.publish(metrics)
        let c = now()
        mapTimes.append(b - a)
        publishTimes.append(c - b)
    }
    print("queue \(messages) messages; per refresh: metric values \(ms(percentile(mapTimes, 0.5))) (median), " +
          "registry update + text and OpenMetrics rendering \(ms(percentile(publishTimes, 0.5))); " +
          "exposition \(exposition.body(.text).count) bytes")

    // Per scrape, server side only: the handler that answers GET /metrics.
    let server = try MetricsServer.start(ListenAddress(host: "127.0.0.1", port: 0), exposition: exposition)
    defer { server.stop() }
    let port = UInt16(server.boundAddress.split(separator: ":").last!)!
    var handler: [Double] = []
    for _ in 0..<scrapes {
        let a = now()
        _ = exposition.body(ExpositionFormat.negotiate(accept: "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5"))
        handler.append(now() - a)
    }
    print("handler (negotiate + body) per scrape: median \(ms(percentile(handler, 0.5))), p99 \(ms(percentile(handler, 0.99)))")

    // Whole scrapes over loopback: wall time per round trip, and CPU of this whole process
    // (server and client together: an upper bound on the server's share).
    for (name, accept) in [("text", nil as String?), ("OpenMetrics", "application/openmetrics-text;version=1.0.0")] {
        for _ in 0..<50 { precondition(scrape(port: port, accept: accept) > 0) }   // warm up
        var walls: [Double] = []
        let c0 = cpuSeconds()
        for _ in 0..<scrapes {
            let a = now()
            precondition(scrape(port: port, accept: accept) > 0)
            walls.append(now() - a)
        }
        let cpu = (cpuSeconds() - c0) / Double(scrapes)
        print("\(name) scrape over loopback, \(scrapes) scrapes: round trip median \(ms(percentile(walls, 0.5))), " +
              "p99 \(ms(percentile(walls, 0.99))); process CPU (server + client) \(ms(cpu)) per scrape")
    }

case "idle":
    let messages = arg(2, 10_000), seconds = arg(3, 120), interval = arg(4, 15)
    let binary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        .deletingLastPathComponent().appendingPathComponent("storemon").path
    guard access(binary, X_OK) == 0 else {
        print("build the exporter first: swift build -c release --product storemon (\(binary) missing)")
        exit(2)
    }
    let spool = try syntheticSpool(messages)
    defer { try? FileManager.default.removeItem(atPath: spool.root) }
    let port = UInt16.random(in: 20000...60000)
    let argv = [binary, "export", spool.log, "--spool", spool.root, "--listen", "127.0.0.1:\(port)", "--interval", String(interval)]
    let child: ChildProcess
    do { child = try ChildProcess(argv, outputs: .files(stdout: "/dev/null", stderr: "/dev/null")) } catch {
        print("cannot start \(binary): \(error)"); exit(1)
    }
    let pid = child.pid
    defer { _ = child.stop(SIGTERM, timeout: 10) }
    // Let it start and read the queue once (the start-up is not idling).
    var started = false
    for _ in 0..<200 where !started { usleep(100_000); started = scrape(port: port) > 0 }
    guard started else { print("the exporter did not start"); exit(1) }
    sleep(UInt32(interval) + 1)
    let c0 = processCPU(pid), w0 = now()
    var scrapesDone = 0
    while now() - w0 < Double(seconds) {
        if scrape(port: port) > 0 { scrapesDone += 1 }
        usleep(useconds_t(interval) * 1_000_000)
    }
    let cpu = processCPU(pid) - c0, wall = now() - w0
    print("storemon export --interval \(interval), \(messages)-message queue, scraped every \(interval) s " +
          "(\(scrapesDone) scrapes) over \(String(format: "%.0f", wall)) s: CPU \(String(format: "%.2f", cpu)) s = " +
          "\(String(format: "%.3f", cpu / wall * 100)) % of one core")
default:
    print("usage: exportbench scrape [MESSAGES] [SCRAPES] | idle [MESSAGES] [SECONDS] [INTERVAL]")
    exit(2)
}
