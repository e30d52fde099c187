import EximLog
import FixtureSupport
import Foundation
import Store
import Testing
@testable import StoremonCore

@Suite("Metrics values from snapshots")
struct MetricsSnapshotTests {
    /// A live-mode session that starts at the log's first line, as `storemon export` runs.
    func exporterSession(log: String, spool: String?) throws -> MonitorSession {
        let paths = try PathDiscovery.discover(path: log, spool: spool, queue: nil, exim: NoExim())
        return try MonitorSession(MonitorConfiguration(paths: paths, useInotify: false, wholeLog: true))
    }

    @Test("the real fixtures: queue gauges agree with exim -bp, log counters with an independent count")
    func realFixtures() throws {
        let snap = try exporterSession(log: Fixtures.mainlog, spool: Fixtures.spool).refresh()
        let m = MetricsSnapshot(snap, version: "9.9.9")

        let bp = parseBP(try String(contentsOfFile: Fixtures.bp, encoding: .utf8))
        let bpc = Int(try String(contentsOfFile: Fixtures.path("queue/bpc.txt"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(bpc == 21)
        #expect(m.value(of: .queueMessages) == Double(bpc!))
        #expect(m.value(of: .queueMessages) == Double(bp.count))
        #expect(m.value(of: .queueFrozenMessages) == Double(bp.filter(\.frozen).count))
        #expect(m.value(of: .queueFrozenMessages) == 3)
        #expect(m.value(of: .queueBytes) == Double(snap.queue.messages.reduce(0) { $0 + $1.size }))
        #expect(m.value(of: .queueOldestAge) == Double(snap.queue.messages.map(\.ageSeconds).max()!))
        #expect(m.value(of: .queueUnreadableFiles) == 0)

        let independent = IndependentLogCounts(try Data(contentsOf: URL(fileURLWithPath: Fixtures.mainlog)))
        #expect(m.value(of: .logLines) == Double(independent.lines))
        #expect(m.value(of: .logRejections) == Double(independent.rejected))
        #expect(m.value(of: .logRotations) == 0)
        let flags = m.samples(of: .logFlagLines)
        #expect(flags.count == 8)
        for sample in flags {
            #expect(sample.labels.map(\.name) == ["flag"])
            #expect(sample.value == Double(independent.byFlag[sample.labels[0].value]!))
        }

        for family in [MetricFamily.poolBytes, .poolBlocks, .poolMaxBytes, .poolOrder] {
            let samples = m.samples(of: family)
            #expect(samples.count == 10)
            let keys = Set(samples.map { $0.labels.map(\.value).joined(separator: "/") })
            #expect(keys.count == 10)
        }
        let tm = m.samples(of: .poolBytes).first { $0.labels.map(\.value) == ["main", "true"] }!
        #expect(tm.value == Double(snap.pools[PoolID(.main, tainted: true).index].statistics.bytes))
        #expect(tm.value > 0)   // the log was read into tainted main before the reset
        #expect(m.value(of: .resets) == Double(snap.status.resets))
        #expect(m.samples(of: .buildInfo) == [MetricSample(family: .buildInfo, labels: [MetricLabel("version", "9.9.9")], value: 1)])
        #expect(m.refresh == 1)
        #expect(m.refreshSeconds > 0)
    }

    @Test("the counters cover the whole current log, not only the monitor's last 500 lines")
    func wholeLog() throws {
        let dir = try Fixtures.temporaryDirectory("metrics-whole")
        defer { Fixtures.remove(dir) }
        let log = dir + "/mainlog"
        var text = ""
        for i in 0..<1200 { text += "2026-11-26 10:00:00 [1] 1xWd9D-0006xR-10 <= a\(i)@example.org S=1\n" }
        try text.write(toFile: log, atomically: false, encoding: .utf8)
        let session = try exporterSession(log: log, spool: nil)
        let m = MetricsSnapshot(try session.refresh(), version: "0")
        #expect(m.value(of: .logLines) == 1200)
        #expect(m.samples(of: .logFlagLines).first { $0.labels[0].value == "<=" }?.value == 1200)
        // then every new line
        let h = FileHandle(forWritingAtPath: log)!
        h.seekToEndOfFile()
        h.write(Data("2026-11-26 10:00:01 [1] 1xWd9D-0006xR-10 Completed\n".utf8))
        try h.close()
        #expect(MetricsSnapshot(try session.refresh(), version: "0").value(of: .logLines) == 1201)
    }

    @Test("rotations: a renamed-and-replaced log and a truncated one are each counted once, lines keep adding up")
    func rotations() throws {
        let dir = try Fixtures.temporaryDirectory("metrics-rotate")
        defer { Fixtures.remove(dir) }
        let log = dir + "/mainlog"
        func line(_ n: Int) -> String { "2026-11-26 10:00:00 [1] line \(n)\n" }
        try (line(1) + line(2)).write(toFile: log, atomically: false, encoding: .utf8)
        let session = try exporterSession(log: log, spool: nil)
        #expect(MetricsSnapshot(try session.refresh(), version: "0").value(of: .logRotations) == 0)
        // logrotate: rename away, a new file takes the name
        try FileManager.default.moveItem(atPath: log, toPath: log + ".1")
        try line(3).write(toFile: log, atomically: false, encoding: .utf8)
        var m = MetricsSnapshot(try session.refresh(), version: "0")
        #expect(m.value(of: .logRotations) == 1)
        #expect(m.value(of: .logLines) == 3)
        // copytruncate: the file is emptied in place, then written again
        #expect(truncate(log, 0) == 0)
        #expect(MetricsSnapshot(try session.refresh(), version: "0").value(of: .logRotations) == 2)
        try line(4).write(toFile: log, atomically: false, encoding: .utf8)
        m = MetricsSnapshot(try session.refresh(), version: "0")
        #expect(m.value(of: .logRotations) == 2)
        #expect(m.value(of: .logLines) == 4)
    }

    @Test("no spool: no queue gauges (0 would be a lie); no log: no log counters; pools always")
    func absentParts() throws {
        let dir = try Fixtures.temporaryDirectory("metrics-absent")
        defer { Fixtures.remove(dir) }
        let log = dir + "/mainlog"
        try "".write(toFile: log, atomically: false, encoding: .utf8)
        let m = MetricsSnapshot(try exporterSession(log: log, spool: nil).refresh(), version: "0")
        for family in [MetricFamily.queueMessages, .queueFrozenMessages, .queueBytes, .queueOldestAge, .queueUnreadableFiles] {
            #expect(m.samples(of: family).isEmpty)
        }
        #expect(m.value(of: .logLines) == 0)
        #expect(m.samples(of: .poolBytes).count == 10)

        var snap = sampleSnapshot()
        snap.log.path = nil
        let noLog = MetricsSnapshot(snap, version: "0")
        #expect(noLog.samples(of: .logLines).isEmpty && noLog.samples(of: .logFlagLines).isEmpty)
    }

    @Test("a spool whose input/ cannot be read: queue gauges left out, the unreadable directory counted")
    func unreadableSpool() throws {
        var snap = sampleSnapshot()
        snap.queue = QueueSnapshot(spoolPath: "/var/spool/exim4", queueName: nil, messages: [],
                                   note: "/var/spool/exim4/input: Permission denied")
        snap.unreadable = [UnreadableFile(path: "/var/spool/exim4/input", reason: "Permission denied"),
                           UnreadableFile(path: "/var/log/exim4/mainlog", reason: "Permission denied"),
                           UnreadableFile(path: "/var/spool/exim4-other/input/x-H", reason: "gone")]
        let m = MetricsSnapshot(snap, version: "0")
        #expect(m.samples(of: .queueMessages).isEmpty)
        #expect(m.value(of: .queueUnreadableFiles) == 1)   // only the spool's own problem
    }

    @Test("hostile queue and log text never reaches a label; label values are the fixed vocabulary")
    func labelsAreFixedVocabulary() throws {
        var snap = sampleSnapshot()
        let evil = TaintedString(tainting: "evil\"} 1\n# TYPE x counter\u{1b}[2J\\")
        snap.queue.messages = [QueueEntry(id: "1xWd9D-0006xR-10", ageSeconds: 5, size: 10, sizeText: "   10",
                                          sender: evil, recipients: [evil], delivered: [], frozen: true)]
        snap.log.tail = [LogTailLine(kind: .other, flag: nil, time: nil, text: evil)]
        snap.processes = [EximProcess(pid: 7, parentPID: 1, ageSeconds: 3, name: evil, title: evil,
                                      classification: EximProcessKind.classify(["exim4", "-Mc", "evil\"} 1\n\u{1b}"]))]
        snap.processesRead = true
        let m = MetricsSnapshot(snap, version: "1.2.3")
        let allowed: [String: Set<String>] = [
            "pool": ["main", "perm", "config", "search", "message"], "tainted": ["true", "false"],
            "flag": Set(LogFlag.allCases.map(\.text)), "version": ["1.2.3"],
            "kind": Set(EximProcessKind.allCases.map(\.rawValue)),
        ]
        for sample in m.samples {
            #expect(sample.labels.map(\.name) == sample.family.labelNames)
            for label in sample.labels { #expect(allowed[label.name]?.contains(label.value) == true, "\(label)") }
        }
        #expect(m.value(of: .queueFrozenMessages) == 1)
    }

    @Test("exim_processes{kind}: one series per kind, zeros included, only when the processes were read")
    func processesByKind() throws {
        var snap = sampleSnapshot()
        #expect(MetricsSnapshot(snap, version: "0").samples(of: .processes).isEmpty)   // not read: not 0
        snap.processesRead = true
        let none = MetricsSnapshot(snap, version: "0").samples(of: .processes)
        #expect(none.map { $0.labels.map(\.value) } == EximProcessKind.allCases.map { [$0.rawValue] })
        #expect(none.allSatisfy { $0.value == 0 && $0.labels.map(\.name) == ["kind"] })

        func process(_ pid: Int, _ args: [String]) -> EximProcess {
            EximProcess(pid: pid, parentPID: 1, ageSeconds: 10, name: TaintedString(tainting: "exim4"),
                        title: TaintedString(tainting: args.joined(separator: " ")), classification: EximProcessKind.classify(args))
        }
        snap.processes = [process(1, ["exim4", "-bd", "-q30m"]), process(2, ["exim4", "-Mc", "1xWd9D-0006xR-10"]),
                          process(3, ["exim4", "-Mc", "1xWd9D-0006xR-11"]), process(4, ["exim4", "-bs"]),
                          process(5, ["exim4", "-qff"]), process(6, ["exim: rewritten"])]
        let m = MetricsSnapshot(snap, version: "0")
        let byKind = Dictionary(uniqueKeysWithValues: m.samples(of: .processes).map { ($0.labels[0].value, $0.value) })
        #expect(byKind == ["daemon": 1, "queue_runner": 1, "delivery": 2, "smtp_session": 1,
                           "local_submission": 0, "queue_listing": 0, "other": 1])
        // in the catalogue order: after the log's counters, before the pools
        let order = m.samples.map(\.family.name)
        #expect(order.firstIndex(of: "exim_processes")! > order.lastIndex(of: "exim_log_rotations_total")!)
        #expect(order.lastIndex(of: "exim_processes")! < order.firstIndex(of: "storemon_pool_bytes")!)
    }

    @Test("the catalogue: valid names, counters end in _total, HELP needs no escaping, README order")
    func catalogue() {
        let names = MetricFamily.all.map(\.name)
        #expect(Set(names).count == names.count)
        for family in MetricFamily.all {
            #expect(family.name.range(of: "^[a-z_][a-z0-9_]*$", options: .regularExpression) != nil)
            #expect(family.name.hasPrefix("exim_") || family.name.hasPrefix("storemon_"))
            #expect(family.kind == .counter ? family.name.hasSuffix("_total") : !family.name.hasSuffix("_total"))
            #expect(!family.help.isEmpty && family.help.allSatisfy { $0.isASCII && $0 != "\\" && $0 != "\"" && $0 != "\n" })
        }
        #expect(MetricFamily.refreshBuckets == MetricFamily.refreshBuckets.sorted())
    }
}

/// A small hand-made snapshot: the ten pools, a log, an empty default queue.
func sampleSnapshot() -> Snapshot {
    let pools = (0..<10).map { i -> PoolSnapshot in
        let id = PoolID(index: i)!
        return PoolSnapshot(index: i, kind: id.kind, isTainted: id.isTainted,
                            statistics: PoolStatistics(bytes: 100 * i, blocks: i, maxBytes: 200 * i, maxBlocks: i,
                                                       order: 12, maxOrder: 12, chain: [], currentBlock: nil),
                            history: [])
    }
    let log = LogSnapshot(path: "/var/log/exim4/mainlog", lines: 10, byFlag: [.arrival: 4], rejected: 1, other: 5,
                          linesPerSecond: 0, tail: [])
    let queue = QueueSnapshot(spoolPath: "/var/spool/exim4", queueName: nil, messages: [])
    let status = StatusSnapshot(logPath: log.path, spoolPath: queue.spoolPath, interval: 15, refreshMilliseconds: 2,
                                resets: 3, refreshes: 1, quotedPoolsInUse: 0, paused: false, time: Date())
    return Snapshot(pools: pools, quoted: [], log: log, queue: queue, unreadable: [], status: status)
}
