import Foundation
import Store
import StoremonCore
import Synchronization
import Testing
@testable import StoremonExport

/// A snapshot with the ten pools, a log, and a queue of `messages` messages (one frozen).
func exportSnapshot(refresh: Int = 1, messages: Int = 2, spool: String? = "/var/spool/exim4") -> Snapshot {
    let pools = (0..<10).map { i -> PoolSnapshot in
        let id = PoolID(index: i)!
        return PoolSnapshot(index: i, kind: id.kind, isTainted: id.isTainted,
                            statistics: PoolStatistics(bytes: 1000 + i, blocks: 1, maxBytes: 2000 + i, maxBlocks: 1,
                                                       order: 12, maxOrder: 12, chain: [], currentBlock: nil),
                            history: [])
    }
    let log = LogSnapshot(path: "/var/log/exim4/mainlog", lines: 100 * refresh, byFlag: [.arrival: 10 * refresh],
                          rejected: 2, other: 0, linesPerSecond: 0, tail: [])
    let entries = (0..<messages).map { i in
        QueueEntry(id: "1xWd9D-0006xR-\(i)", ageSeconds: 60 * i, size: 1000, sizeText: " 1000",
                   sender: TaintedString(tainting: "a@b"), recipients: [], delivered: [], frozen: i == 0)
    }
    let queue = QueueSnapshot(spoolPath: spool, queueName: nil, messages: entries)
    let status = StatusSnapshot(logPath: log.path, spoolPath: spool, interval: 15, refreshMilliseconds: 3,
                                resets: refresh, refreshes: refresh, quotedPoolsInUse: 0, paused: false, time: Date())
    var snapshot = Snapshot(pools: pools, quoted: [], log: log, queue: queue, unreadable: [], status: status)
    snapshot.processesRead = true          // as storemon export reads them: none running here
    return snapshot
}

/// An atomic counter shared with a thread or task (Atomic itself cannot be captured).
final class SharedCount: Sendable {
    private let value = Atomic<Int>(0)
    func add(_ n: Int = 1) { value.add(n, ordering: .sequentiallyConsistent) }
    var count: Int { value.load(ordering: .sequentiallyConsistent) }
}

/// The value of the sample line that starts with `series ` in a text exposition.
func sampleValue(_ text: String, _ series: String) -> Double? {
    for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
        return Double(line.dropFirst(series.count + 1))
    }
    return nil
}

@Suite("Exposition: formats, registry, addresses, textfile")
struct ExpositionTests {
    @Test("Accept negotiation: Prometheus' own header gets OpenMetrics; text otherwise")
    func negotiation() {
        // What Prometheus 2.42 sends.
        let prometheus = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"
        #expect(ExpositionFormat.negotiate(accept: prometheus) == .openMetrics(version: "1.0.0"))
        #expect(ExpositionFormat.negotiate(accept: nil) == .text)
        #expect(ExpositionFormat.negotiate(accept: "") == .text)
        #expect(ExpositionFormat.negotiate(accept: "*/*") == .text)
        #expect(ExpositionFormat.negotiate(accept: "text/plain;version=0.0.4") == .text)
        #expect(ExpositionFormat.negotiate(accept: "application/openmetrics-text") == .openMetrics(version: "1.0.0"))
        #expect(ExpositionFormat.negotiate(accept: "application/openmetrics-text; version=0.0.1") == .openMetrics(version: "0.0.1"))
        #expect(ExpositionFormat.negotiate(accept: "text/plain, application/openmetrics-text;q=0.5") == .text)
        #expect(ExpositionFormat.negotiate(accept: "application/openmetrics-text;version=2.0.0, text/plain;q=0.1") == .text)
        #expect(ExpositionFormat.negotiate(accept: "application/openmetrics-text;q=0") == .text)
        #expect(ExpositionFormat.negotiate(accept: ";;,,=q") == .text)
        #expect(ExpositionFormat.text.contentType == "text/plain; version=0.0.4; charset=utf-8")
    }

    @Test("OpenMetrics: counter families lose _total, samples keep it, # EOF ends, no blank line")
    func openMetricsTransform() {
        let text = """
            # HELP a_total Lines.
            # TYPE a_total counter
            a_total{flag="<="} 3

            # HELP b Bytes.
            # TYPE b gauge
            b 1.0
            # TYPE c counter
            c 4
            # TYPE h histogram
            h_bucket{le="0.5"} 1
            h_bucket{le="+Inf"} 1
            h_sum 0.1
            h_count 1

            """
        let om = String(decoding: OpenMetrics.transform(Array(text.utf8)), as: UTF8.self)
        #expect(om == """
            # HELP a Lines.
            # TYPE a counter
            a_total{flag="<="} 3
            # HELP b Bytes.
            # TYPE b gauge
            b 1.0
            # TYPE c counter
            c_total 4
            # TYPE h histogram
            h_bucket{le="0.5"} 1
            h_bucket{le="+Inf"} 1
            h_sum 0.1
            h_count 1
            # EOF

            """)
    }

    @Test("the registry: values from the snapshot, counters set (not added), one histogram observation per refresh")
    func registry() {
        let exposition = MetricsExposition()
        #expect(exposition.rendering.refresh == 0)
        exposition.publish(MetricsSnapshot(exportSnapshot(refresh: 1), version: "1.0"))
        var text = String(decoding: exposition.body(.text), as: UTF8.self)
        #expect(sampleValue(text, "exim_queue_messages") == 2)
        #expect(sampleValue(text, "exim_queue_frozen_messages") == 1)
        #expect(sampleValue(text, "exim_queue_bytes") == 2000)
        #expect(sampleValue(text, "exim_queue_oldest_message_age_seconds") == 60)
        #expect(sampleValue(text, "exim_log_lines_total") == 100)
        #expect(sampleValue(text, "exim_log_flag_lines_total{flag=\"<=\"}") == 10)
        #expect(sampleValue(text, "storemon_pool_bytes{pool=\"main\",tainted=\"true\"}") == 1005)
        #expect(sampleValue(text, "storemon_build_info{version=\"1.0\"}") == 1)
        #expect(sampleValue(text, "exim_processes{kind=\"daemon\"}") == 0)
        #expect(text.components(separatedBy: "\nexim_processes{").count - 1 == EximProcessKind.allCases.count)
        #expect(sampleValue(text, "storemon_refresh_seconds_count") == 1)
        #expect(sampleValue(text, "storemon_refresh_seconds_bucket{le=\"0.005\"}") == 1)
        #expect(sampleValue(text, "storemon_refresh_seconds_bucket{le=\"0.0025\"}") == 0)
        // the same refresh again: nothing doubles
        exposition.publish(MetricsSnapshot(exportSnapshot(refresh: 1), version: "1.0"))
        text = String(decoding: exposition.body(.text), as: UTF8.self)
        #expect(sampleValue(text, "exim_log_lines_total") == 100)
        #expect(sampleValue(text, "storemon_refresh_seconds_count") == 1)
        // the next refresh: totals replaced, a second observation
        exposition.publish(MetricsSnapshot(exportSnapshot(refresh: 2, messages: 5), version: "1.0"))
        text = String(decoding: exposition.body(.text), as: UTF8.self)
        #expect(sampleValue(text, "exim_log_lines_total") == 200)
        #expect(sampleValue(text, "exim_queue_messages") == 5)
        #expect(sampleValue(text, "storemon_refresh_seconds_count") == 2)
        #expect(exposition.rendering.refresh == 2)
        // families in the README's order, each HELP before its TYPE
        let types = text.split(separator: "\n").filter { $0.hasPrefix("# TYPE ") }.map { String($0.split(separator: " ")[2]) }
        #expect(types == MetricFamily.all.map(\.name))
        // the queue goes away when its spool does: no stale series
        exposition.publish(MetricsSnapshot(exportSnapshot(refresh: 3, spool: nil), version: "1.0"))
        text = String(decoding: exposition.body(.text), as: UTF8.self)
        #expect(!text.contains("exim_queue_"))
        #expect(sampleValue(text, "exim_log_lines_total") == 300)
    }

    @Test("a scrape racing the refresh loop always reads one whole rendering")
    func concurrentReads() {
        let exposition = MetricsExposition()
        exposition.publish(MetricsSnapshot(exportSnapshot(refresh: 1), version: "1.0"))
        // Plain threads, as in the exporter (the refresh loop is not a task; busy tasks
        // would also starve the concurrency pool other tests' servers run on).
        let done = SharedCount(), bad = SharedCount(), reads = SharedCount()
        let reader = Thread {
            while done.count == 0 {
                let text = String(decoding: exposition.body(.text), as: UTF8.self)
                reads.add()
                guard let lines = sampleValue(text, "exim_log_lines_total"),
                      let count = sampleValue(text, "storemon_refresh_seconds_count"),
                      text.hasSuffix("storemon_build_info{version=\"1.0\"} 1.0\n") else { bad.add(); continue }
                // lines = 100 × refresh, and the histogram has one observation per refresh
                if lines != 100 * count { bad.add() }
            }
            done.add()
        }
        reader.start()
        for r in 2...400 { exposition.publish(MetricsSnapshot(exportSnapshot(refresh: r, messages: r % 7), version: "1.0")) }
        done.add()
        ExportSupport.waitFor(seconds: 10) { done.count == 2 }
        #expect(bad.count == 0)
        #expect(reads.count > 10)
    }

    @Test("listen addresses: HOST:PORT forms accepted, bad ones named clearly")
    func addresses() throws {
        #expect(try ListenAddress(parsing: "127.0.0.1:9637") == ListenAddress(host: "127.0.0.1", port: 9637))
        #expect(try ListenAddress(parsing: "[::1]:80") == ListenAddress(host: "::1", port: 80))
        #expect(try ListenAddress(parsing: ":9637") == ListenAddress(host: "", port: 9637))
        #expect(try ListenAddress(parsing: "*:0") == ListenAddress(host: "", port: 0))
        #expect(try ListenAddress(parsing: "localhost:9637").host == "localhost")
        #expect(ListenAddress.default.description == "127.0.0.1:9637")
        #expect(ListenAddress(host: "::1", port: 1).description == "[::1]:1")
        for bad in ["127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:-1", "127.0.0.1:9x", "::1:9637", "[::1", "[::1]9637", ""] {
            #expect(throws: ExportError.self, "\(bad)") { try ListenAddress(parsing: bad) }
        }
        #expect(throws: ExportError.self) { try ListenAddress(parsing: "no-such-host.invalid:9637").socketAddress() }
        _ = try ListenAddress(parsing: "localhost:9637").socketAddress()
        _ = try ListenAddress(parsing: "[::1]:9637").socketAddress()
    }

    @Test("textfile: atomic replacement; a reader in a tight loop never sees a partial file")
    func textfileAtomic() throws {
        let dir = try ExportSupport.temporaryDirectory("textfile")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/storemon.prom"
        let writer = TextfileWriter(path: path)
        // Two versions of very different sizes, each ending in a marker line.
        let small = Array("a 1\n# end small\n".utf8)
        let big = Array((String(repeating: "storemon_pool_bytes{pool=\"main\",tainted=\"true\"} 1\n", count: 4000) + "# end big\n").utf8)
        try writer.write(small)
        let stop = SharedCount(), torn = SharedCount(), reads = SharedCount()
        let reader = Thread {
            while stop.count == 0 {
                guard let data = FileManager.default.contents(atPath: path) else { torn.add(); continue }
                let bytes = [UInt8](data)
                if bytes != small && bytes != big { torn.add() }
                reads.add()
            }
        }
        reader.start()
        for i in 0..<400 { try writer.write(i % 2 == 0 ? big : small) }
        stop.add()
        usleep(50_000)
        #expect(torn.count == 0)
        #expect(reads.count > 100)
        // only the target is left (no temporary files)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["storemon.prom"])
        var st = stat()
        #expect(stat(path, &st) == 0 && st.st_mode & 0o777 == 0o644)

        // a directory that does not exist: a clear error naming the file
        let missing = TextfileWriter(path: dir + "/no/such/dir/x.prom")
        #expect(throws: ExportError.self) { try missing.write(small) }
        do { try missing.write(small) } catch { #expect(error.description.contains("No such file or directory")) }
    }
}

@Suite("README: the Fleets section")
struct FleetsReadmeTests {
    @Test("the metrics table lists every family with its real HELP and TYPE")
    func metricsTable() throws {
        let readme = try String(contentsOfFile: ExportSupport.contrib + "/../README.md", encoding: .utf8)
        #expect(readme.contains("## Fleets: Prometheus metrics"))
        for family in MetricFamily.all {
            let labels = family.labelNames.isEmpty ? "—" : family.labelNames.joined(separator: ", ")
            let row = "| `\(family.name)` | \(family.kind.rawValue) | \(labels) | \(family.help) |"
            #expect(readme.contains(row), "\(row)")
        }
        // exim_processes' kinds are all named (the fixed vocabulary of its label)
        for kind in EximProcessKind.allCases { #expect(readme.contains("`\(kind.rawValue)`"), "\(kind)") }
    }
}
