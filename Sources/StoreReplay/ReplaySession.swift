@_spi(Replay) import Store
import EximTrace

/// A replay driven one record at a time, for a screen: read the next record from the
/// trace, apply it, and look at the processes and their stores in between.
public final class ReplaySession {
    /// The trace being read.
    public let reader: TraceReader
    /// The replay (processes, stores, findings).
    public let replay: TraceReplay
    /// Whether the input is exhausted.
    public private(set) var isFinished = false

    /// A session over `reader`; finished processes are kept so a screen can show them.
    public init(reader: TraceReader) {
        self.reader = reader
        replay = TraceReplay(keepFinished: true)
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

    /// Applies records up to and including the next memory record (noise and process
    /// lines on the way are applied too) and returns it; nil at the end of input.
    @discardableResult
    public func stepMemory() -> TraceRecord? {
        while let r = step() {
            if r.event.isMemory { return r }
        }
        return nil
    }

    /// The current record as a screen shows it.
    public var current: ReplayStep? {
        guard let r = replay.currentRecord else { return nil }
        return ReplayStep(record: r, process: replay.currentProcess)
    }

    /// The processes with their stores (`store.statistics()` draws the panes).
    public var processes: [ProcessReplay] { replay.processes }

    /// The check report so far (complete once `isFinished`).
    public var report: CheckReport { CheckReport(replay, truncated: reader.endedWithoutNewline) }
}

/// What a screen shows about the record just applied.
public struct ReplayStep {
    /// The record.
    public var record: TraceRecord
    /// The process it was applied to.
    public var process: ProcessReplay?

    /// Short operation name: `Get`, `Ext`, `Rel`, `Rst`, `Mrk`, `Malloc`, `Free`, `Release`, …
    public var operation: String {
        switch record.event {
        case .get: return "Get"
        case .extend: return "Ext"
        case .releaseAbove: return "Rel"
        case .reset: return "Rst"
        case .mark: return "Mrk"
        case .malloc: return "Malloc"
        case .free: return "Free"
        case .releaseBlock: return "Release"
        case .releaseMiss: return "Rel-miss"
        case .quotedBlock: return "Quoted"
        case .exitNonpool, .exitNpools, .exitPool: return "Exit"
        case .version: return "Exec"
        case .forking, .forked, .postfork: return "Fork"
        case .terminating: return "Exit"
        case .malformed: return "Bad"
        case .noise: return "-"
        }
    }

    /// The pool a memory record names (`5`, `Q0`, `QQ`), if any.
    public var pool: String? {
        switch record.event {
        case .get(let p, _, _, _), .extend(let p, _, _, _), .releaseAbove(let p, _, _, _, _): return p.description
        case .reset(let p, _, _, _, _), .mark(let p, _, _): return String(p)
        default: return nil
        }
    }

    /// Exim's function (as printed, possibly cut) and source line.
    public var site: TraceCallSite? { record.event.site }

    /// The process id, if known.
    public var pid: Int? { process?.pid ?? record.pid }
}
