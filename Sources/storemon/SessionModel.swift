import Foundation
import Glibc
import EximDemo
import StoremonCore
import StoremonSystem

/// Why storemon cannot start (exit code 1).
struct StartError: Error, CustomStringConvertible {
    /// A sentence for the user.
    let description: String
}

/// The live screen's model: StoremonCore's `MonitorSession` (the refresh cycle), plus the
/// demo traffic generator when `--demo` runs. Also gives the plain-text and JSON forms.
final class SessionModel: MonitorModel {
    private let session: MonitorSession
    private let demo: DemoTraffic?
    private let explain: Bool
    private var closed = false
    /// Actions on messages through Exim (off with `--read-only`, in `--demo`, or when the
    /// spool shown is not the installed Exim's; `actions.availability.reason` says why).
    let actions: EximActions
    /// Called with every snapshot made (`--metrics-listen` publishes them).
    var onSnapshot: ((Snapshot) -> Void)?

    private init(session: MonitorSession, demo: DemoTraffic?, readOnly: Bool, eximBinary: String? = nil, eximConfig: String? = nil,
                 explain: Bool = false) {
        self.session = session
        self.demo = demo
        self.explain = explain
        actions = demo != nil
            ? EximActions(spoolDirectory: session.spoolDirectory, readOnly: true,
                          readOnlyReason: "--demo traffic is generated, not Exim's: actions are off")
            : EximActions(spoolDirectory: session.spoolDirectory, queueName: session.queueName, readOnly: readOnly,
                          binary: eximBinary, configFile: eximConfig)
    }

    /// Finds the paths (PATH, `--spool`, `--queue`, or asks Exim), checks the log can be
    /// read, and starts a session (and the demo traffic, with `--demo`).
    static func open(_ options: RunOptions) throws -> SessionModel {
        var demo: DemoTraffic?
        let paths: MonitorPaths
        if options.demo {
            do {
                demo = try DemoTraffic.start()
            } catch {
                throw StartError(description: "--demo: cannot make a temporary spool: \(error)")
            }
            paths = MonitorPaths(logPath: demo!.logPath, spoolDirectory: demo!.spoolDirectory)
        } else {
            do {
                paths = try PathDiscovery.discover(path: options.path, spool: options.spool, queue: options.queue,
                                                   exim: InstalledExim())
            } catch {
                throw StartError(description: error.description)
            }
            // checked by stat, never opened here: a FIFO would block the open itself
            if let log = paths.logPath, let kind = FileKind.of(log), kind != .regular, kind != .directory {
                throw StartError(description: "cannot follow the main log: \(WrongFileKind(path: log, kind: kind))")
            }
            if let log = paths.logPath, let why = PathAccess.readProblem(log, role: .log) {
                throw StartError(description: "cannot read the main log: " + why)
            }
        }
        var configuration = MonitorConfiguration(paths: paths, interval: options.interval, colour: options.color,
                                                 once: options.once, useInotify: true, readOnly: options.readOnly,
                                                 wholeLog: options.wholeLog)
        configuration.stripcharts = LogPatternChart.defaults + options.stripcharts
        if options.poison {
            configuration.storeOptions.poisonOnRelease = true
            configuration.keepsStaleView = true
        }
        do {
            return SessionModel(session: try MonitorSession(configuration), demo: demo, readOnly: options.readOnly,
                                eximBinary: options.eximBinary, eximConfig: options.eximConfig, explain: options.explain)
        } catch {
            demo?.stop()
            throw StartError(description: error.description)
        }
    }

    /// The session's interval and pause.
    var run: RunState {
        get { session.run }
        set { session.run = newValue }
    }

    /// Whether refreshes read the running Exim processes from /proc for the screen (the
    /// curses pane sets it with `w`; plain, JSON and `storemon export` set it for good).
    /// Metrics served while the monitor draws (`onSnapshot`) need them whatever the pane.
    var readsProcesses = false
    private var processesWanted: Bool { readsProcesses || onSnapshot != nil }
    private let processReader = EximProcessReader()

    /// Runs one refresh cycle (or the rest of a stepped one).
    func refresh() throws -> Snapshot { published(withProcesses(try session.refresh())) }

    /// `.`: runs the next phase of the refresh.
    func step() throws -> PhaseStep {
        var step = try session.step()
        step.snapshot = withProcesses(step.snapshot)
        // a refresh finished step by step is published like any other (metrics see refreshes)
        if step.endedRefresh, var whole = session.lastSnapshot {
            // with the processes just read for this step, so exim_processes has no gap
            whole.processes = step.snapshot.processes
            whole.processesRead = step.snapshot.processesRead
            _ = published(whole)
        }
        return step
    }

    /// `r`: clears the Store's maxima (`Store.clearMaxima()`), then refreshes.
    func refreshClearingMaxima() throws -> Snapshot { published(withProcesses(try session.refreshClearingMaxima())) }

    /// Hands the snapshot to `onSnapshot` (`--metrics-listen`), then returns it.
    private func published(_ snapshot: Snapshot) -> Snapshot {
        onSnapshot?(snapshot)
        return snapshot
    }

    /// The snapshot with the processes read now, when a screen or the metrics want them
    /// (one /proc scan per refresh: `comm` of every process, more only for Exim's).
    private func withProcesses(_ snapshot: Snapshot) -> Snapshot {
        guard processesWanted else { return snapshot }
        var s = snapshot
        if let found = processReader.readIfListable() {
            s.processes = found
            s.processesRead = true
        }
        return s
    }

    /// Opens a search (in the search pool).
    func search(_ query: String) throws -> SearchSnapshot? { try session.search(query) }

    /// `n` / `N`.
    func moveMatch(forward: Bool) -> SearchSnapshot? {
        forward ? session.nextMatch() : session.previousMatch()
    }

    /// Esc: closes the search (the search pool is reset).
    func closeSearch() throws { try session.closeSearch() }

    /// Reads message `id` for the overlay (a private store, reset after the copy-out).
    func messageOverlay(id: String, page: MessageOverlayModel.Page) -> MessageOverlayModel {
        guard let spool = session.spoolDirectory else {
            return MessageOverlayModel(id: id, problem: "no spool is shown", page: page)
        }
        do {
            let view = try MessageView.read(id: id, spoolDirectory: spool, queueName: session.queueName,
                                            bodyLimit: page == .body ? MessageView.bodyLimit : nil,
                                            now: Int(Date().timeIntervalSince1970))
            return MessageOverlayModel(id: id, view: view, page: page)
        } catch {
            return MessageOverlayModel(id: id, problem: error.description, page: page)
        }
    }

    /// Stops the demo traffic (its temporary spool is removed). Idempotent.
    func close() {
        guard !closed else { return }
        closed = true
        demo?.stop()
    }

    /// The snapshot as one JSON line (no newline).
    func jsonLine(_ snapshot: Snapshot) -> String { SnapshotJSON.line(snapshot) }

    /// The snapshot as an 80-column plain-text frame; `--once` lists the whole queue.
    func plainFrame(_ snapshot: Snapshot, wholeQueue: Bool) -> String {
        let text = PlainFrame.render(snapshot, width: 80, queueLimit: wholeQueue ? nil : 20, explain: explain)
        return text.hasSuffix("\n") ? text : text + "\n"
    }
}
