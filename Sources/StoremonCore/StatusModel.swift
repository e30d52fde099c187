import Foundation

/// What the status line says, for a snapshot and the run state as it stands now (the
/// screen's `+`/`-`/pause show at once, before the next refresh). The curses status
/// line joins `parts` with ` | `, the plain frame with two spaces.
public struct StatusModel: Sendable {
    /// The figures, in order: the phase just run (step mode), search, interval, rate, refresh time, resets, quoted pools,
    /// unreadable files, running/PAUSED.
    public let figures: [TerminalText]
    /// The paths: `log PATH`, `spool PATH` (those known).
    public let paths: [TerminalText]
    /// Figures then paths.
    public var parts: [TerminalText] { figures + paths }

    /// The status for `snapshot` (nil before the first refresh) under `run`.
    public init(_ snapshot: Snapshot?, run: RunState) {
        var parts: [TerminalText] = []
        func add(_ s: String) { parts.append(TerminalText(untainted: s)) }
        if let step = snapshot?.step { add(PhaseCaption.figures(step)) }
        if let search = snapshot?.search {
            let pos = search.current.map { "\($0 + 1)/\(search.matches.count)" } ?? "0/0"
            add("/\(search.query) \(pos) matches (n/N, Esc)")
        }
        add("every " + RateText.interval(run.interval))
        if let snapshot {
            let s = snapshot.status
            add("\(RateText.perSecond(snapshot.log.linesPerSecond)) lines/s")
            add("refresh \(RateText.fixed(s.refreshMilliseconds, decimals: 1)) ms")
            add("resets \(s.resets)")
            add("quoted pools \(s.quotedPoolsInUse)")
            if !snapshot.unreadable.isEmpty { add("\(snapshot.unreadable.count) unreadable") }
        }
        add(run.paused ? "PAUSED" : "running")
        figures = parts
        var paths: [TerminalText] = []
        if let s = snapshot?.status {
            if let log = s.logPath { paths.append(TerminalText(untainted: "log \(log)")) }
            if let spool = s.spoolPath {
                paths.append(TerminalText(untainted: "spool \(spool)" + (s.spoolNote.map { " (\($0))" } ?? "")))
            }
        }
        self.paths = paths
    }

    /// The parts joined with `separator`.
    public func joined(separator: String) -> TerminalText {
        var out = TerminalText.empty
        for (i, p) in parts.enumerated() {
            if i > 0 { out = out + TerminalText(untainted: separator) }
            out = out + p
        }
        return out
    }
}

/// The presentation model of a whole monitor frame: one model per pane, built once from
/// a snapshot. Every screen of the monitor (curses, plain frames) draws from this.
public struct MonitorViewModel: Sendable {
    /// The snapshot it was built from.
    public let snapshot: Snapshot
    /// The ten paired pools, in Exim's order (0...9).
    public let pools: [PoolPaneModel]
    /// The quoted pools.
    public let quoted: [PoolPaneModel]
    /// The log pane.
    public let log: LogPaneModel
    /// The queue pane.
    public let queue: QueuePaneModel

    /// Builds the panes' models (queue recipients limited to `recipientLimit` per message).
    public init(_ snapshot: Snapshot, recipientLimit: Int? = nil) {
        self.snapshot = snapshot
        pools = snapshot.pools.map(PoolPaneModel.init)
        quoted = snapshot.quoted.map(PoolPaneModel.init)
        log = LogPaneModel(snapshot.log, search: snapshot.search)
        queue = QueuePaneModel(snapshot.queue, recipientLimit: recipientLimit)
    }

    /// Builds the panes' models, reusing `previous`'s quoted queue rows for the messages
    /// whose rows did not change (an idle refresh of a big queue quotes nothing again).
    public init(_ snapshot: Snapshot, recipientLimit: Int? = nil, reusing previous: MonitorViewModel?) {
        self.snapshot = snapshot
        pools = snapshot.pools.map(PoolPaneModel.init)
        quoted = snapshot.quoted.map(PoolPaneModel.init)
        log = LogPaneModel(snapshot.log, search: snapshot.search)
        queue = QueuePaneModel(snapshot.queue, recipientLimit: recipientLimit, reusing: previous?.queue)
    }

    /// The same frame with another search state (the log model follows it; the rest is kept).
    public func with(search: SearchSnapshot?) -> MonitorViewModel {
        var s = snapshot
        s.search = search
        return MonitorViewModel(s, pools: pools, quoted: quoted, queue: queue)
    }

    private init(_ snapshot: Snapshot, pools: [PoolPaneModel], quoted: [PoolPaneModel], queue: QueuePaneModel) {
        self.snapshot = snapshot
        self.pools = pools
        self.quoted = quoted
        log = LogPaneModel(snapshot.log, search: snapshot.search)
        self.queue = queue
    }

    /// The status line under `run`.
    public func status(_ run: RunState) -> StatusModel { StatusModel(snapshot, run: run) }
}
