import BenchSupport
import EximDemo
import EximSpool
import Foundation
import Glibc
import Store
import StoremonCore

// monbench: measurements of the monitor's refresh cycle (issue 4's speed section).
//   swift run -c release monbench refresh [MESSAGES] [LINES] [RUNS]
//       a refresh that takes in LINES new log lines with an unchanged MESSAGES-message queue
//   swift run -c release monbench idle [MESSAGES] [RUNS]
//       CPU time of an idle refresh (no new lines), and the CPU share at --interval 1
//   swift run -c release monbench corrupt [MESSAGES] [RUNS]
//       a refresh with three corrupt 1 MB -H files in the queue (remembered, not re-read)
//   swift run -c release monbench soak [TOTAL] [CHUNK]
//       RSS over TOTAL log lines fed in CHUNKs (the resets must really give memory back)
//   swift run -c release monbench spool MESSAGES DIR
//       makes a MESSAGES-message demo spool (and an empty log) in DIR and exits, for
//       measuring the live screen idle on it (see the README's idle-cost note)
//   swift run -c release monbench idle-charts [MESSAGES] [RUNS]
//       CPU time of an idle refresh with the stripcharts and the presentation model the
//       screen builds (queue rows, selection navigator) on top
//   swift run -c release monbench scan [MESSAGES]
//       CPU time of QueueReader scans of an unchanged queue
//   swift run -c release monbench big-queue SPOOL [RUNS]
//       issue 10 point 5: the real session idle on a big queue (make one with
//       `spoolbench --messages 100000 --keep SPOOL`): per refresh, the session, the screen's
//       model (MonitorViewModel reusing the last, navigator, the queue pane's visible rows)
//       and a plain frame; CPU share at --interval 2, resident memory, message-pool bytes
//   swift run -c release monbench churn MESSAGES|SPOOL [RUNS] [CHANGED]   (CHANGED -H files rewritten per refresh, 1 by default)
//       one message changes per refresh (its -H rewritten as Exim does: a new file renamed
//       over it) in a MESSAGES-message demo queue or an existing SPOOL: CPU per refresh
//       (session), of a QueueReader scan of the same change on its own (the spool
//       scanner's share), of copying every message out (`summaries`, what a full rebuild
//       costs), and of the screen's model reusing the last one; MONBENCH_NO_INOTIFY=1 runs
//       the session and the reader without inotify watches (directory times and stats)

/// Lines like the fixture's, cycling through kinds.
func makeLines(_ n: Int, start: Int) -> [UInt8] {
    let kinds = [
        "1xWd9D-0006xR-10 <= alice@storemon.test H=(client.storemon.test) [127.0.0.1]:38852 I=[127.0.0.1]:2525 P=esmtp S=466 id=fixture-11@client.storemon.test T=\"Remote: project plan\" for x@example.net",
        "1xWd9D-0006xR-10 => bob <bob@storemon.test> R=local_user T=local_mbox QT=2s DT=0s",
        "1xWd9D-0006xR-10 == x@example.net R=smarthost T=remote_smtp defer (111): Connection refused",
        "H=(client.storemon.test) [127.0.0.1] F=<alice@storemon.test> rejected RCPT <nobody@storemon.test>: Unrouteable address",
        "1xWd9D-0006xR-10 Completed QT=3s",
        "SMTP connection from (client.storemon.test) [127.0.0.1]:38852 I=[127.0.0.1]:2525 (TCP/IP connection count = 1)",
    ]
    var out: [UInt8] = []
    out.reserveCapacity(n * 140)
    for i in 0..<n {
        out += Array("2026-11-26 17:20:\(10 + (start + i) % 50) [\(20000 + i % 9000)] ".utf8)
        out += Array(kinds[(start + i) % kinds.count].utf8)
        out.append(0x0A)
    }
    return out
}

func append(_ bytes: [UInt8], _ path: String) {
    let fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0o644)
    _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    close(fd)
}

func setup(messages: Int) throws -> (String, DemoGenerator) {
    let root = NSTemporaryDirectory() + "storemon-bench-\(getpid())"
    try? FileManager.default.removeItem(atPath: root)
    let g = try DemoGenerator(root: root, seed: 1)
    g.queueTarget = Int.max
    try g.seedQueue(messages)
    return (root, g)
}

let args = CommandLine.arguments
let mode = args.count > 1 ? args[1] : "refresh"
func arg(_ i: Int, _ d: Int) -> Int { args.count > i ? Int(args[i]) ?? d : d }

switch mode {
case "refresh":
    let messages = arg(2, 10_000), lines = arg(3, 10_000), runs = arg(4, 20)
    let (root, g) = try setup(messages: messages)
    defer { try? FileManager.default.removeItem(atPath: root) }
    let session = try MonitorSession(MonitorConfiguration(paths: MonitorPaths(logPath: g.logPath, spoolDirectory: root), useInotify: false))
    sleep(3)   // let the spool directory's mtime age past the reader's margin (steady state)
    let t0 = BenchClock.monotonic.seconds(); let first = try session.refresh(); let t1 = BenchClock.monotonic.seconds()
    print("queue \(first.queue.messages.count) messages; first refresh (reads every -H): \(String(format: "%.1f", (t1 - t0) * 1000)) ms")
    var times: [Double] = []
    var cpu: [Double] = []
    for r in 0..<runs {
        append(makeLines(lines, start: r * lines), g.logPath)
        let c0 = BenchClock.processCPU.seconds()
        let a = BenchClock.monotonic.seconds(); let snap = try session.refresh(); let b = BenchClock.monotonic.seconds()
        cpu.append((BenchClock.processCPU.seconds() - c0) * 1000)
        precondition(snap.queue.messages.count == messages)
        times.append((b - a) * 1000)
    }
    cpu.sort()
    print("CPU per refresh: min \(String(format: "%.1f", cpu[0])) ms, median \(String(format: "%.1f", cpu[cpu.count / 2])) ms")
    times.sort()
    print("refresh with \(lines) new lines, unchanged \(messages)-message queue, \(runs) runs: min \(String(format: "%.1f", times[0])) ms, median \(String(format: "%.1f", times[times.count / 2])) ms, max \(String(format: "%.1f", times[times.count - 1])) ms")
    print("pools after: tainted main \(session.store.statistics().pools[5].bytes) B, tainted message \(session.store.statistics().pools[9].bytes) B, resets \(session.resets)")
case "idle":
    let messages = arg(2, 1_000), runs = arg(3, 200)
    let (root, g) = try setup(messages: messages)
    defer { try? FileManager.default.removeItem(atPath: root) }
    let session = try MonitorSession(MonitorConfiguration(paths: MonitorPaths(logPath: g.logPath, spoolDirectory: root)))
    _ = try session.refresh()
    sleep(3)   // steady state: the spool directory is older than the reader's margin
    _ = try session.refresh()
    let c0 = BenchClock.processCPU.seconds(), w0 = BenchClock.monotonic.seconds()
    for _ in 0..<runs { _ = try session.refresh() }
    let c1 = BenchClock.processCPU.seconds(), w1 = BenchClock.monotonic.seconds()
    let per = (c1 - c0) / Double(runs)
    print("idle refresh, \(messages)-message queue: \(String(format: "%.3f", per * 1000)) ms CPU each (wall \(String(format: "%.3f", (w1 - w0) / Double(runs) * 1000)) ms); at --interval 1: \(String(format: "%.2f", per * 100))% CPU; at the default --interval 2: \(String(format: "%.2f", per * 50))% CPU; resident \(residentKiB() / 1024) MiB")
case "corrupt":
    // issue 10: three corrupt 1 MB -H files in a MESSAGES-message queue must not make every
    // refresh re-read the queue (they are remembered until they change)
    let messages = arg(2, 10_000), runs = arg(3, 30)
    let (root, g) = try setup(messages: messages)
    defer { try? FileManager.default.removeItem(atPath: root) }
    let input = root + "/input"
    let headers = ((try? FileManager.default.contentsOfDirectory(atPath: input)) ?? []).filter { $0.hasSuffix("-H") }.sorted()
    for name in headers.prefix(3) {
        try Data(repeating: 0x41, count: 1 << 20).write(to: URL(fileURLWithPath: input + "/" + name))
    }
    let session = try MonitorSession(MonitorConfiguration(paths: MonitorPaths(logPath: g.logPath, spoolDirectory: root)))
    _ = try session.refresh()
    sleep(3)
    _ = try session.refresh()
    var times: [Double] = []
    for _ in 0..<runs {
        let w0 = BenchClock.monotonic.seconds()
        let snap = try session.refresh()
        times.append((BenchClock.monotonic.seconds() - w0) * 1000)
        precondition(snap.unreadable.count >= 3)
    }
    times.sort()
    print("refresh, \(messages)-message queue with 3 corrupt 1 MB -H files, \(runs) runs: median \(String(format: "%.2f", times[times.count / 2])) ms, max \(String(format: "%.2f", times[times.count - 1])) ms; resident \(residentKiB() / 1024) MiB")
case "idle-charts":
    // the live screen's own work per idle refresh: the session (with eximon's four log
    // charts and the pool charts) plus the presentation model it draws from
    let messages = arg(2, 10_000), runs = arg(3, 50)
    let (root, g) = try setup(messages: messages)
    defer { try? FileManager.default.removeItem(atPath: root) }
    var configuration = MonitorConfiguration(paths: MonitorPaths(logPath: g.logPath, spoolDirectory: root))
    configuration.stripcharts = LogPatternChart.defaults
    let session = try MonitorSession(configuration)
    _ = try session.refresh()
    sleep(3)
    _ = try session.refresh()
    var charts = 0
    var view: MonitorViewModel? = MonitorViewModel(try session.refresh(), recipientLimit: 10)
    let c0 = BenchClock.processCPU.seconds(), w0 = BenchClock.monotonic.seconds()
    for _ in 0..<runs {
        let s = try session.refresh()
        view = MonitorViewModel(s, recipientLimit: 10, reusing: view)
        let view = view!
        let nav = QueueNavigator(view.queue)
        charts = s.charts.count
        precondition(nav.count == messages)
    }
    let c1 = BenchClock.processCPU.seconds(), w1 = BenchClock.monotonic.seconds()
    let per = (c1 - c0) / Double(runs)
    print("idle refresh + view model, \(messages)-message queue, \(charts) charts: \(String(format: "%.3f", per * 1000)) ms CPU each (wall \(String(format: "%.3f", (w1 - w0) / Double(runs) * 1000)) ms); at the default --interval 2: \(String(format: "%.2f", per * 50))% CPU")
case "spool":
    let messages = arg(2, 10_000)
    guard args.count > 3 else { print("usage: monbench spool MESSAGES DIR"); exit(2) }
    let g = try DemoGenerator(root: args[3], seed: 1)
    g.queueTarget = Int.max
    try g.seedQueue(messages)
    print("spool \(args[3]) (\(messages) messages), log \(g.logPath)")
case "soak":
    let total = arg(2, 10_000_000), chunk = arg(3, 100_000)
    let (root, g) = try setup(messages: 200)
    defer { try? FileManager.default.removeItem(atPath: root) }
    let session = try MonitorSession(MonitorConfiguration(paths: MonitorPaths(logPath: g.logPath, spoolDirectory: root), useInotify: false))
    _ = try session.refresh()
    let block = makeLines(chunk, start: 0)
    var fed = 0, rssAt1M = 0, peak = 0
    var samples: [(Int, Int)] = []
    let t0 = BenchClock.monotonic.seconds()
    while fed < total {
        if fed > 0 && fed % 1_000_000 == 0 {
            // copytruncate-style rotation keeps the disk use small; the tailer starts again at the top.
            truncate(g.logPath, 0)
            _ = try session.refresh()
        }
        append(block, g.logPath)
        fed += chunk
        _ = try session.refresh()
        let r = residentKiB()
        peak = max(peak, r)
        if fed == 1_000_000 { rssAt1M = r }
        if fed % 1_000_000 == 0 { samples.append((fed, r)) }
    }
    let snap = session.lastSnapshot!
    print("soak: \(fed) lines fed, \(snap.log.lines) counted, \(String(format: "%.1f", BenchClock.monotonic.seconds() - t0)) s")
    for (n, r) in samples { print("  after \(n / 1_000_000)M lines: RSS \(r) KiB") }
    print("RSS after 1M: \(rssAt1M) KiB, at end: \(residentKiB()) KiB, peak after 1M: \(peak) KiB; drift \(residentKiB() - rssAt1M) KiB")
    let st = session.store.statistics()
    print("pools at end: " + st.pools.enumerated().map { "\($0.offset):\($0.element.bytes)" }.joined(separator: " "))
case "big-queue":
    guard args.count > 2 else { print("usage: monbench big-queue SPOOL [RUNS]"); exit(2) }
    let spool = args[2], runs = arg(3, 30)
    let log = spool + "/monbench-empty-log"
    _ = FileManager.default.createFile(atPath: log, contents: nil)
    let rss0 = residentKiB()
    let session = try MonitorSession(MonitorConfiguration(paths: MonitorPaths(logPath: log, spoolDirectory: spool)))
    let w0 = BenchClock.monotonic.seconds()
    let first = try session.refresh()
    let messages = first.queue.messages.count
    print("queue \(messages) messages; first refresh (reads every -H) \(String(format: "%.0f", (BenchClock.monotonic.seconds() - w0) * 1000)) ms")
    sleep(3)   // steady state: the spool directory is older than the reader's margin
    var view: MonitorViewModel? = MonitorViewModel(try session.refresh(), recipientLimit: 10)
    var sessionCPU = 0.0, screenCPU = 0.0, plainCPU = 0.0, quoted = 0
    for r in 0..<runs {
        let c0 = BenchClock.processCPU.seconds()
        let s = try session.refresh()
        let c1 = BenchClock.processCPU.seconds()
        view = MonitorViewModel(s, recipientLimit: 10, reusing: view)
        let nav = QueueNavigator(view!.queue)
        precondition(nav.count == messages)
        // a 50-row queue pane scrolled to a different place each time, as the screen draws it
        let top = nav.rows(ofMessage: (r * 997) % max(1, messages)).lowerBound
        quoted += view!.queue.rows(top..<(top + 50)).count
        let c2 = BenchClock.processCPU.seconds()
        _ = PlainFrame.render(s, width: 80, queueLimit: 20)
        let c3 = BenchClock.processCPU.seconds()
        sessionCPU += c1 - c0; screenCPU += c2 - c1; plainCPU += c3 - c2
    }
    let n = Double(runs)
    func ms(_ x: Double) -> String { String(format: "%.2f", x / n * 1000) }
    print("idle refresh, \(messages)-message queue, \(runs) runs: session \(ms(sessionCPU)) ms CPU, screen model + 50 visible rows \(ms(screenCPU)) ms, plain frame \(ms(plainCPU)) ms (\(quoted / runs) rows drawn)")
    print("at the default --interval 2: screen \(String(format: "%.2f", (sessionCPU + screenCPU) / n * 50))% CPU, plain frames \(String(format: "%.2f", (sessionCPU + plainCPU) / n * 50))% CPU")
    let st = session.store.statistics()
    print("resident \(residentKiB() / 1024) MiB (\(rss0 / 1024) MiB at start); message pools: \(st.pools[4].bytes) B untainted, \(st.pools[9].bytes) B tainted")
    try? FileManager.default.removeItem(atPath: log)
case "churn":
    guard args.count > 2 else { print("usage: monbench churn MESSAGES|SPOOL [RUNS] [CHANGED]"); exit(2) }
    let runs = arg(3, 30), perRefresh = max(1, arg(4, 1))
    var made: String?
    let spool: String
    if let n = Int(args[2]) {
        let (root, _) = try setup(messages: n)
        made = root
        spool = root
    } else {
        spool = args[2]
    }
    defer { if let made { try? FileManager.default.removeItem(atPath: made) } }
    let log = spool + "/monbench-churn-log"
    _ = FileManager.default.createFile(atPath: log, contents: nil)
    defer { try? FileManager.default.removeItem(atPath: log) }
    // every -H, flat or split
    var headers: [String] = []
    let input = spool + "/input"
    for name in (try? FileManager.default.contentsOfDirectory(atPath: input)) ?? [] {
        if name.count == 1 {
            for n in (try? FileManager.default.contentsOfDirectory(atPath: input + "/" + name)) ?? [] where n.hasSuffix("-H") {
                headers.append(input + "/" + name + "/" + n)
            }
        } else if name.hasSuffix("-H") {
            headers.append(input + "/" + name)
        }
    }
    headers.sort()
    guard !headers.isEmpty else { print("no -H files in \(input)"); exit(1) }
    /// Rewrites one -H as Exim does: the same bytes into a new file renamed over it (new inode).
    func rewrite(_ path: String) {
        let dir = (path as NSString).deletingLastPathComponent
        let temp = dir + "/hdr.\(getpid())"
        guard let bytes = FileManager.default.contents(atPath: path) else { return }
        _ = FileManager.default.createFile(atPath: temp, contents: bytes)
        rename(temp, path)
    }
    // MONBENCH_NO_INOTIFY=1: the session and the reader without inotify (directory times and stats)
    let inotify = ProcessInfo.processInfo.environment["MONBENCH_NO_INOTIFY"] == nil
    let session = try MonitorSession(MonitorConfiguration(paths: MonitorPaths(logPath: log, spoolDirectory: spool),
                                                          useInotify: inotify))
    let first = try session.refresh()
    let messages = first.queue.messages.count
    let store = try Store()
    store.currentPool = .message
    let reader = QueueReader(spoolDirectory: spool)
    reader.watchesDirectories = inotify        // as the session's own reader
    _ = try reader.scan(into: store)
    sleep(3)   // steady state: the spool directory is older than the reader's margin
    var view: MonitorViewModel? = MonitorViewModel(try session.refresh(), recipientLimit: 10)
    _ = try reader.scan(into: store)
    var sessionCPU: [Double] = [], scanCPU: [Double] = [], copyCPU: [Double] = [], screenCPU: [Double] = []
    var read = 0, statted = 0
    for r in 0..<runs {
        for k in 0..<perRefresh { rewrite(headers[(r * 7919 + k * 104_729) % headers.count]) }
        let c0 = BenchClock.processCPU.seconds()
        let scan = try reader.scan(into: store)
        let c1 = BenchClock.processCPU.seconds()
        let copied = scan.summaries(now: 1_800_000_000)
        let c2 = BenchClock.processCPU.seconds()
        let s = try session.refresh()
        let c3 = BenchClock.processCPU.seconds()
        view = MonitorViewModel(s, recipientLimit: 10, reusing: view)
        let nav = QueueNavigator(view!.queue)
        let top = nav.rows(ofMessage: (r * 997) % max(1, messages)).lowerBound
        _ = view!.queue.rows(top..<(top + 50))
        let c4 = BenchClock.processCPU.seconds()
        precondition(copied.count == messages && s.queue.messages.count == messages && nav.count == messages)
        read += scan.statistics.filesRead
        statted += scan.statistics.filesStatted
        scanCPU.append((c1 - c0) * 1000); copyCPU.append((c2 - c1) * 1000)
        sessionCPU.append((c3 - c2) * 1000); screenCPU.append((c4 - c3) * 1000)
    }
    func med(_ xs: [Double]) -> String { String(format: "%.2f", xs.sorted()[xs.count / 2]) }
    print("churn: \(messages)-message queue, \(perRefresh) -H rewritten per refresh, \(runs) runs, inotify \(inotify ? "on" : "off") (median CPU ms):")
    print("  session refresh \(med(sessionCPU)) ms; screen model + navigator + 50 rows \(med(screenCPU)) ms")
    print("  of which, measured apart: QueueReader scan \(med(scanCPU)) ms (\(statted / runs) files statted, \(read / runs) read per scan); copying every message out (summaries) \(med(copyCPU)) ms")
case "scan": break
default:
    print("usage: monbench refresh|idle|corrupt|soak|scan [numbers...]")
    exit(2)
}

if mode == "scan" {
    let (root, _) = try setup(messages: arg(2, 10_000))
    defer { try? FileManager.default.removeItem(atPath: root) }
    let store = try Store()
    store.currentPool = .message
    let reader = QueueReader(spoolDirectory: root)
    var cpu: [Double] = []
    var summ: [Double] = []
    for i in 0..<30 {
        let c0 = BenchClock.processCPU.seconds()
        let scan = try reader.scan(into: store)
        let c1 = BenchClock.processCPU.seconds()
        cpu.append((c1 - c0) * 1000)
        let s = scan.summaries(now: 1_800_000_000)
        summ.append((BenchClock.processCPU.seconds() - c1) * 1000)
        if i == 29 { print(scan.statistics, s.count) }
        usleep(200_000)
    }
    print("scan CPU ms:", cpu.map { String(format: "%.1f", $0) }.joined(separator: " "))
    print("summaries CPU ms:", summ.map { String(format: "%.1f", $0) }.joined(separator: " "))
}
