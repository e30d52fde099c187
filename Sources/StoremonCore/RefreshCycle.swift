import Foundation
import Store

/// Internal: the state of a refresh in progress, between its phases. A normal refresh
/// runs all phases at once; step mode leaves it here between key presses.
struct RefreshCycle {
    /// The phase to run next.
    var next: RefreshPhase = .mark
    /// Time spent running the refresh's phases so far (uptime ns; a stepped refresh's
    /// pauses between phases are not counted).
    var busy: UInt64 = 0
    /// The refresh's clock time.
    let now: Date
    /// Lines counted before the refresh (for the rate).
    let linesBefore: Int
    /// The refresh's mark in main, once taken.
    var mark: Store.Mark?
    /// Where the mark lies in main (the cookie) and tainted main (the watermark).
    var mainMark: MarkPosition?
    var taintedMainMark: MarkPosition?
    /// Files that could not be read during this refresh.
    var unreadable: [UnreadableFile] = []
    /// The refresh's snapshot, once built.
    var snapshot: Snapshot?
    /// Lines read by the read-log phase.
    var linesRead = 0
    /// The reports of the phases run so far.
    var reports: [PhaseReport] = []
    /// `--poison`: the view kept across this refresh's reset, and the data range of the
    /// mark's block in tainted main (where it must lie).
    var staleView: StaleView?
    var markBlock: Range<UInt>?

    init(now: Date, linesBefore: Int) {
        self.now = now
        self.linesBefore = linesBefore
    }
}

/// What `MonitorSession.step()` returns: the phase just run, its report, and a snapshot
/// of everything as it stands after it (the panes of a step-mode frame).
public struct PhaseStep: Sendable {
    /// The phase's figures.
    public var report: PhaseReport
    /// The state after the phase (pools, log, queue; `snapshot.step` is `report`).
    public var snapshot: Snapshot
    /// The phase just run.
    public var phase: RefreshPhase { report.phase }
    /// Whether this step ended a refresh (its reset ran).
    public var endedRefresh: Bool { report.phase == .reset }
}
