import EximTrace

/// The one replay engine behind `--check`, the animated view and the plain view.
///
/// With `+pid` (or one process) it is one `ReplayCore`. Without `+pid`, where several live
/// processes share the stream and a record fits more than one of them equally well, the
/// replay keeps hypotheses (section 19.9 item 3): one per candidate (at most 3 per line),
/// dropping those with more wrong lines (memory or exit) than the best, and keeping at most
/// `beamWidth`, the fewest non-preferred choices first. The report comes from the best
/// hypothesis; where another survives to the end with as few wrong lines, attribution is not
/// decidable and the report names the lines where they part and the alternatives.
public final class TraceReplay {
    /// Processes kept live at most (the documented limit; see the README).
    public static let defaultLiveLimit = ReplayCore.defaultLiveLimit
    /// Hypotheses kept at most.
    public static let beamWidth = 16

    @exclusivity(unchecked) var hypotheses: [ReplayCore]
    /// The best hypothesis (the only one with `+pid`).
    var core: ReplayCore { hypotheses[0] }

    /// A replay keeping at most `keepLimit` of each kind of finding as values (all are counted),
    /// and at most `liveLimit` live processes (beyond it the least recently active is dropped and reported).
    public init(keepLimit: Int = 10_000, liveLimit: Int = TraceReplay.defaultLiveLimit, keepsCurrentRecord: Bool = true) {
        hypotheses = [ReplayCore(keepLimit: keepLimit, liveLimit: liveLimit, keepsCurrentRecord: keepsCurrentRecord)]
    }

    /// Applies one record (one physical line of the trace).
    public func apply(_ r: TraceRecord) {
        if hypotheses.count == 1 {
            let h = hypotheses[0]
            guard let tied = h.tie(for: r) else { h.apply(r); return }
            hypotheses = []
            branch(h, tied, r)
            prune()
            return
        }
        let current = hypotheses
        hypotheses = []
        for h in current {
            if let tied = h.tie(for: r) { branch(h, tied, r) } else { h.apply(r); hypotheses.append(h) }
        }
        prune()
    }

    private func branch(_ h: ReplayCore, _ tied: [Int], _ r: TraceRecord) {
        var made: [ReplayCore] = []
        for id in tied.dropFirst() {
            let c = h.clone()
            c.forced = id
            c.noteDeviation(r.line, preferred: tied[0], chosen: id)
            c.apply(r)
            made.append(c)
        }
        h.forced = tied[0]
        h.apply(r)
        hypotheses.append(h)
        hypotheses += made
    }

    private func prune() {
        guard hypotheses.count > 1 else { return }
        let best = hypotheses.map(\.score).min()!
        hypotheses = hypotheses.filter { $0.score == best }
        hypotheses.sort { a, b in
            a.deviations.count != b.deviations.count ? a.deviations.count < b.deviations.count
                : (a.deviations.last?.line ?? 0) > (b.deviations.last?.line ?? 0)
        }
        if hypotheses.count > TraceReplay.beamWidth { hypotheses.removeLast(hypotheses.count - TraceReplay.beamWidth) }
    }

    /// Ends the input; where several hypotheses survive, names the lines where they part.
    public func finish() {
        for h in hypotheses { h.finish() }
        prune()
        let best = core
        var seen = Set<String>()
        for other in hypotheses.dropFirst() {
            for d in other.deviations where !best.deviations.contains(d) {
                let key = "\(d.line)|\(d.alternatives)"
                guard seen.insert(key).inserted else { continue }
                best.findings.ambiguity(d)
            }
        }
        if best.findings.ambiguous.count > 1 { best.findings.ambiguous.sort { $0.line < $1.line } }
    }

    // MARK: the best hypothesis's view

    var findings: Findings { core.findings }
    /// Hypotheses alive now (1 unless attribution without `+pid` is open).
    public var hypothesisCount: Int { hypotheses.count }
    /// Lines read.
    public var linesRead: Int { core.linesRead }
    /// Memory records read (re-prints included).
    public var memoryRecords: Int { core.memoryRecords }
    /// Memory records applied as operations.
    public var appliedRecords: Int { core.appliedRecords }
    /// Exact copies of the previous record (section 19.2), not applied.
    public var reprints: Int { core.reprints }
    /// Cut or glued records (section 19.1 item 5), not applied.
    public var cutRecords: Int { core.cutRecords }
    /// Unprefixed memory lines given to another process than the line before (section 19.9).
    public var attributedByConsistency: Int { core.attributedByConsistency }
    /// Unprefixed memory lines decided among several live processes.
    public var sharedStreamLines: Int { core.sharedStreamLines }
    /// Whether any line carried a `+pid` prefix.
    public var sawPidPrefix: Bool { core.sawPidPrefix }
    /// Processes replayed in all, and processes dropped at the live limit.
    public var processCount: Int { core.processCount }
    public var droppedAtLimit: Int { core.droppedAtLimit }
    /// Memory records that carry no address (Exim's test suite munges them).
    public var recordsWithoutAddress: Int { core.recordsWithoutAddress }
    /// The `D=` selector of a version line without `+memory` (hex), if any.
    public var selectorWithoutMemory: String? { core.selectorWithoutMemory }
    /// The line number of the last record read and the process it went to.
    public var currentLine: Int { core.currentLine }
    public var currentProcessID: Int? { core.currentProcessID }
    /// The last record read.
    public var currentRecord: TraceRecord? { core.currentRecord }
    /// Processes live now.
    public var liveProcessCount: Int { core.liveProcessCount }
    /// Live processes as plain values, most recently active first.
    public func processSnapshots(limit: Int = 64) -> [ProcessSnapshot] { core.processSnapshots(limit: limit) }
    /// The process the last record went to, as plain values.
    public var currentProcessSnapshot: ProcessSnapshot? { core.currentProcessSnapshot }
    /// The last record read, summarised.
    public var currentSummary: RecordSummary? { core.currentSummary }
}
