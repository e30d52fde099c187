import EximTrace

/// A replay driven one record at a time, for the animated and the plain views: read the
/// next record, apply it to the one engine (`TraceReplay`, the same as `--check`), and take
/// plain-value snapshots in between.
public final class ReplaySession {
    /// The trace being read.
    public let reader: TraceReader
    /// The engine.
    public let replay: TraceReplay
    /// Whether the input is exhausted.
    public private(set) var isFinished = false

    /// A session over `reader`.
    public init(reader: TraceReader, keepLimit: Int = 10_000) {
        self.reader = reader
        replay = TraceReplay(keepLimit: keepLimit, keepsCurrentRecord: true)
    }

    /// Applies the next record (any line) and returns it; nil at the end of input.
    @discardableResult
    public func step() -> TraceRecord? {
        guard !isFinished else { return nil }
        guard let r = reader.next() else {
            isFinished = true
            replay.finish()
            return nil
        }
        replay.apply(r)
        return r
    }

    /// Applies records up to and including the next memory record (other lines on the way
    /// are applied too) and returns it; nil at the end of input.
    @discardableResult
    public func stepMemory() -> TraceRecord? {
        while let r = step() {
            if r.event.isMemory { return r }
        }
        return nil
    }

    /// What `stepIfReady()` did.
    public enum Step {
        /// A record was applied.
        case applied(TraceRecord)
        /// No complete line is available yet (a live pipe).
        case wouldBlock
        /// The input is exhausted (the replay is finished).
        case end
    }

    /// Applies the next record if one can be read without blocking.
    public func stepIfReady() -> Step {
        guard !isFinished else { return .end }
        switch reader.nextIfReady() {
        case .wouldBlock:
            return .wouldBlock
        case .ready(nil):
            isFinished = true
            replay.finish()
            return .end
        case .ready(let r?):
            replay.apply(r)
            return .applied(r)
        }
    }

    /// What a screen draws now.
    public func snapshot(processLimit: Int = 64) -> ReplaySnapshot {
        let r = report
        return ReplaySnapshot(record: replay.currentSummary, currentProcessID: replay.currentProcessID,
                              processes: replay.processSnapshots(limit: processLimit), liveProcesses: replay.liveProcessCount,
                              memoryRecords: replay.memoryRecords, isFinished: isFinished, summary: r.summary,
                              lineMismatches: r.lineMismatches)
    }

    /// The check report so far (complete once `isFinished`).
    public var report: CheckReport { CheckReport(replay, reader: reader) }
}
