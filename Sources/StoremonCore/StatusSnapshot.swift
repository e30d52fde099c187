import Foundation

/// What the status line shows for one refresh.
public struct StatusSnapshot: Sendable, Equatable {
    /// The log file followed, or nil.
    public var logPath: String?
    /// The spool directory scanned, or nil.
    public var spoolPath: String?
    /// Seconds between refreshes.
    public var interval: Double
    /// How long the refresh took, in milliseconds.
    public var refreshMilliseconds: Double
    /// Resets done since start (one per refresh, plus search and message-pool resets).
    public var resets: Int
    /// Refreshes done since start (this one included).
    public var refreshes: Int
    /// How many quoted pools are in use.
    public var quotedPoolsInUse: Int
    /// Whether the monitor is paused.
    public var paused: Bool
    /// When the refresh was made.
    public var time: Date
    /// A few words on where the spool came from when that may surprise (see
    /// `MonitorPaths.spoolOrigin`), shown after the spool's path; nil otherwise.
    public var spoolNote: String?

    /// Creates a status snapshot.
    public init(logPath: String?, spoolPath: String?, interval: Double, refreshMilliseconds: Double,
                resets: Int, refreshes: Int, quotedPoolsInUse: Int, paused: Bool, time: Date) {
        self.logPath = logPath
        self.spoolPath = spoolPath
        self.interval = interval
        self.refreshMilliseconds = refreshMilliseconds
        self.resets = resets
        self.refreshes = refreshes
        self.quotedPoolsInUse = quotedPoolsInUse
        self.paused = paused
        self.time = time
    }
}
