/// The phases of one refresh cycle, in the order the session runs them. A normal refresh
/// runs them all at once; step mode (`.` while paused) runs one at a time, drawing the
/// panes after each (`MonitorSession.step()`).
public enum RefreshPhase: Int, CaseIterable, Sendable, Comparable, CustomStringConvertible {
    /// `mark` in main: the point the reset will return main and tainted main to.
    case mark
    /// New log lines read into tainted main, counted, the tail copied out.
    case readLog
    /// The queue rescanned into the message pools (which are not reset each refresh).
    case queue
    /// The open `/` search scans the tail into the search pools (skipped when none is open).
    case search
    /// The pools' statistics and everything shown copied out into a `Snapshot`.
    case snapshot
    /// `reset` to the mark: everything main and tainted main got since is given back.
    case reset

    /// The phase's name as the status line shows it (`read log`).
    public var name: String {
        switch self {
        case .mark: return "mark"
        case .readLog: return "read log"
        case .queue: return "queue"
        case .search: return "search"
        case .snapshot: return "snapshot"
        case .reset: return "reset"
        }
    }

    /// Same as `name`.
    public var description: String { name }

    /// Arguments: this phase, whether a search is open. Result: the phase that runs next
    /// in the same refresh, or nil after the reset (the refresh is over). The search
    /// phase is skipped when no search is open.
    public func next(searchOpen: Bool) -> RefreshPhase? {
        switch self {
        case .mark: return .readLog
        case .readLog: return .queue
        case .queue: return searchOpen ? .search : .snapshot
        case .search: return .snapshot
        case .snapshot: return .reset
        case .reset: return nil
        }
    }

    public static func < (a: RefreshPhase, b: RefreshPhase) -> Bool { a.rawValue < b.rawValue }
}
