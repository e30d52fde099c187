import Foundation
import Store

/// What a `MonitorSession` is started with: the paths to read and the start-up options.
/// These go into the config pool at start-up (and are write-protected there);
/// what changes at run time (interval, pause) is ordinary Swift state on the session.
public struct MonitorConfiguration {
    /// The log to follow and the spool to scan (see `PathDiscovery`).
    public var paths: MonitorPaths
    /// Seconds between refreshes at start (the session's `interval` can change later).
    public var interval: Double
    /// Whether the screen uses colour (`--no-color`, `NO_COLOR` turn it off).
    public var colour: Bool
    /// `--once`: read the whole log (from its first line) and the whole queue.
    /// Otherwise only the last `initialTailLines` lines already in the log are read, then new ones.
    public var once: Bool
    /// Lines already in the log read at start in live mode (enough to fill the tail pane).
    public var initialTailLines: Int
    /// Live mode that starts at the log's first line (not its last `initialTailLines`), so
    /// the counters cover the whole current log: what `storemon export` publishes.
    public var wholeLog: Bool
    /// Options for the session's `Store`.
    public var storeOptions: Store.Options
    /// Use inotify to wake up on log changes (else `waitForChange` is a timed sleep).
    public var useInotify: Bool
    /// The clock (tests and the demo may replace it).
    public var clock: @Sendable () -> Date
    /// `--read-only`: actions on messages (freeze, thaw, deliver, …) are off.
    public var readOnly: Bool
    /// `--demo --poison`: keep one view of a log line across each refresh's reset and read
    /// it afterwards (`Snapshot.staleView`); set `storeOptions.poisonOnRelease` with it.
    public var keepsStaleView = false

    /// The log pattern stripcharts (eximon's four by default, plus `--stripchart`s).
    public var stripcharts: [LogPatternChart] = LogPatternChart.defaults

    /// Creates a configuration.
    public init(paths: MonitorPaths, interval: Double = 2, colour: Bool = true, once: Bool = false,
                initialTailLines: Int = LogSnapshot.tailLength, storeOptions: Store.Options = .init(),
                useInotify: Bool = true, readOnly: Bool = false, wholeLog: Bool = false,
                clock: @escaping @Sendable () -> Date = { Date() }) {
        self.paths = paths
        self.interval = interval
        self.colour = colour
        self.once = once
        self.initialTailLines = initialTailLines
        self.wholeLog = wholeLog
        self.storeOptions = storeOptions
        self.useInotify = useInotify
        self.clock = clock
        self.readOnly = readOnly
    }
}

/// Why a session could not start or refresh. Problems with files are not errors (they
/// show in `Snapshot.unreadable` and the panes' notes); only the store can fail a refresh.
public enum MonitorError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The allocator refused (out of address space, a bad mark: a bug).
    case store(StoreError)
    /// The log tailer could not put bytes into the pool.
    case log(String)

    /// A sentence for the user.
    public var description: String {
        switch self {
        case .store(let e): return "store: \(e)"
        case .log(let why): return "log: \(why)"
        }
    }
}
