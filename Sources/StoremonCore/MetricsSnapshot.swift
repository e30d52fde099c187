import EximLog
import Store

/// A label on a metric sample. Its value always comes from a closed vocabulary (a pool's
/// name, a taint flag, a log flag, a process kind, storemon's own version), never from Exim's files: no
/// queue or log text can reach a label, so there is nothing tainted to escape.
public struct MetricLabel: Sendable, Equatable {
    /// The label's name (`pool`, `tainted`, `flag`, `version`).
    public let name: String
    /// The label's value.
    public let value: String

    /// Internal: only the mapping below makes labels, from fixed words.
    init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// One sample: a family, its labels (in the family's `labelNames` order) and a value.
public struct MetricSample: Sendable, Equatable {
    /// The family the sample belongs to.
    public let family: MetricFamily
    /// The labels, one per `family.labelNames` entry.
    public let labels: [MetricLabel]
    /// The value (counters and gauges here are whole numbers, held as Double as Prometheus does).
    public let value: Double
}

/// The metric values of one refresh, computed from its `Snapshot` alone (pure: no `Store`,
/// reader or clock is consulted). `storemon export` and `--metrics-listen` publish these.
///
/// - Queue gauges are present only when the queue was read (a spool was found and its
///   `input/` could be listed); `exim_queue_unreadable_files` whenever a spool is named.
/// - Log counters are present only when there is a main log to follow; they count every line
///   since storemon started (the exporter starts at the current log's first line).
/// - `exim_processes{kind}` is present (one series per `EximProcessKind`, zeros included)
///   when the snapshot's processes were read (`Snapshot.processesRead`).
/// - The ten pools' four gauges are always present, labelled `pool` and `tainted`.
/// - `storemon_refresh_seconds` is a histogram, so it is accumulated by the exporter over
///   snapshots: `refreshSeconds` is this refresh's observation.
public struct MetricsSnapshot: Sendable, Equatable {
    /// The gauge and counter samples, grouped by family in `MetricFamily.all` order.
    public var samples: [MetricSample]
    /// This refresh's duration in seconds (one observation for `storemon_refresh_seconds`).
    public var refreshSeconds: Double
    /// Which refresh this was (1 for the first): tells a new snapshot from one seen before.
    public var refresh: Int

    /// Computes the values of `snapshot`. `version` (storemon's own, a compile-time string)
    /// becomes `storemon_build_info`'s label.
    public init(_ snapshot: Snapshot, version: StaticString) {
        var out: [MetricSample] = []
        out.reserveCapacity(64)
        func add(_ family: MetricFamily, _ value: Int, _ labels: [MetricLabel] = []) {
            out.append(MetricSample(family: family, labels: labels, value: Double(value)))
        }

        // The queue: only when it was really read (a note means it was not shown).
        let queue = snapshot.queue
        if queue.spoolPath != nil && queue.note == nil {
            var bytes = 0
            var frozen = 0
            var oldest = 0
            for m in queue.messages {
                bytes += max(0, m.size)
                if m.frozen { frozen += 1 }
                oldest = max(oldest, queue.age(of: m))
            }
            add(.queueMessages, queue.messages.count)
            add(.queueFrozenMessages, frozen)
            add(.queueBytes, bytes)
            add(.queueOldestAge, oldest)
        }
        if let spool = queue.spoolPath {
            add(.queueUnreadableFiles, MetricsSnapshot.unreadable(snapshot.unreadable, under: spool))
        }

        // The log: counted from the first line read.
        let log = snapshot.log
        if log.path != nil {
            add(.logLines, log.lines)
            for flag in LogSnapshot.flagOrder {
                add(.logFlagLines, log.byFlag[flag] ?? 0, [MetricLabel("flag", flag.text)])
            }
            add(.logRejections, log.rejected)
            add(.logRotations, log.rotations)
        }

        // The Exim processes, one series per kind (zeros too, so the set never changes),
        // when they were read (/proc could be listed).
        if snapshot.processesRead {
            for (kind, count) in EximProcess.counts(snapshot.processes) {
                add(.processes, count, [MetricLabel("kind", kind.rawValue)])
            }
        }

        // The ten pools, four gauges each (one family after the other, as the format wants).
        let pools = snapshot.pools.sorted { $0.index < $1.index }
        func poolLabels(_ p: PoolSnapshot) -> [MetricLabel] {
            [MetricLabel("pool", p.name), MetricLabel("tainted", p.isTainted ? "true" : "false")]
        }
        for p in pools { add(.poolBytes, p.statistics.bytes, poolLabels(p)) }
        for p in pools { add(.poolBlocks, p.statistics.blocks, poolLabels(p)) }
        for p in pools { add(.poolMaxBytes, p.statistics.maxBytes, poolLabels(p)) }
        for p in pools { add(.poolOrder, p.statistics.order, poolLabels(p)) }

        add(.resets, snapshot.status.resets)
        out.append(MetricSample(family: .buildInfo, labels: [MetricLabel("version", version.description)], value: 1))

        samples = out
        refreshSeconds = max(0, snapshot.status.refreshMilliseconds / 1000)
        refresh = snapshot.status.refreshes
    }

    /// The samples of one family.
    public func samples(of family: MetricFamily) -> [MetricSample] { samples.filter { $0.family == family } }

    /// The value of an unlabelled family, or nil when it is not present.
    public func value(of family: MetricFamily) -> Double? { samples.first { $0.family == family }?.value }

    /// How many of `unreadable` lie in the spool directory `spool` (the log's own problems
    /// are not the queue's). Inferred from the paths the queue reader reports: each names a
    /// file or directory under the spool it was asked to scan.
    static func unreadable(_ unreadable: [UnreadableFile], under spool: String) -> Int {
        let prefix = spool.hasSuffix("/") ? spool : spool + "/"
        return unreadable.reduce(0) { $0 + ($1.path == spool || $1.path.hasPrefix(prefix) ? 1 : 0) }
    }
}
