import StoremonCore

/// What the live screen needs from the refresh cycle (StoremonCore's session does the
/// work: mark, read the log, rescan the queue, build the snapshot, reset).
protocol MonitorModel: AnyObject {
    /// The interval and the pause: the one copy, which the screen's keys change.
    var run: RunState { get set }
    /// Runs one refresh cycle (or what is left of a stepped one) and returns its snapshot.
    func refresh() throws -> Snapshot
    /// Step mode (`.`): runs the next phase of the refresh and returns the state after it.
    func step() throws -> PhaseStep
    /// The `r` key: clears the pools' high-water marks, then runs a refresh cycle, so the
    /// maxima shown are what that one cycle needed.
    func refreshClearingMaxima() throws -> Snapshot
    /// Opens a log search for `query` (in the search pool) and returns the matches.
    func search(_ query: String) throws -> SearchSnapshot?
    /// Moves the current match forwards or backwards.
    func moveMatch(forward: Bool) -> SearchSnapshot?
    /// Closes the search (the search pool is reset).
    func closeSearch() throws
    /// Whether each refresh also reads the running Exim processes (the processes pane is shown).
    var readsProcesses: Bool { get set }
    /// Actions on messages through Exim (and whether they are allowed, and why not).
    var actions: EximActions { get }
    /// Reads message `id` from the spool shown into the overlay's `page` (the body is read
    /// only for `.body`); a message that cannot be read gives an overlay saying why.
    func messageOverlay(id: String, page: MessageOverlayModel.Page) -> MessageOverlayModel
}
