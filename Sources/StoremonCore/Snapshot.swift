import Foundation
import Store

/// One refresh of the monitor, frozen into plain Swift values.
///
/// A snapshot is built inside the refresh cycle, while the new log lines and the parsed
/// queue still sit in the pools, and it owns copies of everything it shows: pool statistics
/// (with their block chains), the log counters and tail, the queue and the status line.
/// It therefore outlives the `reset` that ends the refresh, and it is what the screen,
/// the plain-text frame (`PlainFrame`) and the JSON output (`SnapshotJSON`) draw.
///
/// Text that came from Exim's files is kept as `TaintedString`; it reaches a terminal only
/// through `TerminalQuoter` (as `TerminalText`) and JSON only through `JSONQuoter`.
public struct Snapshot: Sendable {
    /// The ten paired pools in Exim's order: main, perm, config, search, message,
    /// then their tainted twins (index 0...9, as `PoolID(index:)`).
    public var pools: [PoolSnapshot]
    /// Quoted pools (Exim's per-quoter pools, never reset), each with its quoter's name.
    public var quoted: [QuotedPoolSnapshot]
    /// The main log: counters since start and a tail of recent lines.
    public var log: LogSnapshot
    /// The queue, in `exim -bp` order, or a note saying why it is not shown.
    public var queue: QueueSnapshot
    /// Files that could not be read during this refresh (log or spool).
    public var unreadable: [UnreadableFile]
    /// What the status line shows.
    public var status: StatusSnapshot
    /// An active log search (`/`), or nil when no search is open.
    public var search: SearchSnapshot?
    /// The running Exim processes (`EximProcessReader`), when they were read (the
    /// processes pane is shown, or an output that lists them: plain text, JSON, metrics);
    /// empty otherwise. `processesRead` tells "none running" from "not read".
    public var processes: [EximProcess] = []
    /// Whether `processes` was read from `/proc` for this snapshot.
    public var processesRead = false
    /// The stripcharts: queue size, log pattern rates, held bytes per pool (`Stripcharts`).
    public var charts: [StripchartSeries] = []
    /// Step mode: the phase this frame was drawn after, with its figures; nil for the
    /// frame of a whole refresh.
    public var step: PhaseReport?
    /// The reports of this refresh's phases run so far (all of them, reset included, for
    /// the frame of a whole refresh).
    public var phases: [PhaseReport] = []
    /// `--poison`: the latest stale view read after a reset, or nil.
    public var staleView: StaleViewSnapshot?

    /// Step mode: the phase the next step runs (`mark` after a reset); nil for the frame
    /// of a whole refresh.
    public var nextStep: RefreshPhase? {
        guard let step else { return nil }
        return step.phase.next(searchOpen: search != nil) ?? .mark
    }

    /// Creates a snapshot from its parts (the session builds them; tests may too).
    public init(pools: [PoolSnapshot], quoted: [QuotedPoolSnapshot], log: LogSnapshot,
                queue: QueueSnapshot, unreadable: [UnreadableFile], status: StatusSnapshot,
                search: SearchSnapshot? = nil) {
        self.pools = pools
        self.quoted = quoted
        self.log = log
        self.queue = queue
        self.unreadable = unreadable
        self.status = status
        self.search = search
    }
}
