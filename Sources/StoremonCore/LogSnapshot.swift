import EximLog
import Store

/// How a log tail line is coloured (eximon's highlighting, done in colour).
public enum LogTailKind: String, Sendable, Hashable, CaseIterable {
    /// `<=` lines.
    case arrival
    /// `=>`, `->`, `>>`, `*>` lines.
    case delivery
    /// `==` lines.
    case deferral
    /// `**` lines (and `(=` fake rejects).
    case failure
    /// Lines without a message flag that report a rejection.
    case rejection
    /// Everything else: queue runs, `Completed`, connection notes, continuation lines.
    case other
}

/// One line of the log tail: its kind (for colour) and its text (tainted: it came from disk).
public struct LogTailLine: Sendable, Equatable {
    /// The line's number: physical lines read since start, this one included (1-based).
    public var number: Int
    /// The kind of line, for colouring.
    public var kind: LogTailKind
    /// The flag, when the line has one.
    public var flag: LogFlag?
    /// The time of day from the line's timestamp, `HH:MM:SS` (plain digits), or nil for
    /// lines without one (continuations).
    public var time: String?
    /// The line after its timestamp, zone and `[pid]` (the whole line when it has none),
    /// without its newline, cut to `LogTailLine.maxBytes`: what eximon shows after the time.
    public var text: TaintedString

    /// The line's full length in bytes when `text` was cut, else nil.
    public var fullLength: Int?

    /// The date from the line's timestamp, `YYYY-MM-DD`, or nil (shown with `D`).
    public var date: String?
    /// Exim's process id from the line's `[pid]` (log_selector `+pid`), or nil (shown with `I`).
    public var pid: Int?

    /// Longest text a tail line keeps (a 1 MB line is cut; `fullLength` says so).
    public static let maxBytes = 4096

    /// Creates a tail line.
    public init(kind: LogTailKind, flag: LogFlag?, time: String?, text: TaintedString, fullLength: Int? = nil,
                number: Int = 0) {
        self.number = number
        self.kind = kind
        self.time = time
        self.flag = flag
        self.text = text
        self.fullLength = fullLength
    }
}

/// The main log as of a refresh.
public struct LogSnapshot: Sendable {
    /// The file followed (nil when no log could be found; see `note`).
    public var path: String?
    /// Physical lines read since start (across rotations and truncations).
    public var lines: Int
    /// Lines per message flag since start; every `LogFlag` has an entry (zero included).
    /// The JSON contract's key order is `LogSnapshot.flagOrder`.
    public var byFlag: [LogFlag: Int]
    /// Lines without a message flag that report a rejection.
    public var rejected: Int
    /// Everything else (continuation lines included).
    public var other: Int
    /// Lines read per second, over the last refresh interval.
    public var linesPerSecond: Double
    /// Times the log followed changed file since start: renamed away and replaced
    /// (logrotate), a newer datestamped file, or truncated in place (copytruncate).
    public var rotations: Int
    /// The most recent lines, oldest first (at most `LogSnapshot.tailLength`).
    public var tail: [LogTailLine]
    /// Why there is no log to follow (e.g. Exim logs to syslog), or nil.
    public var note: String?

    /// The flags in the JSON contract's order: `<=`, `=>`, `->`, `>>`, `*>`, `**`, `==`, `(=`.
    public static let flagOrder: [LogFlag] = [.arrival, .delivery, .additionalAddress, .cutthrough,
                                              .suppressed, .failed, .deferred, .fakeRejectArrival]

    /// How many recent lines a snapshot keeps.
    public static let tailLength = 500
    /// While the lines before the tail are still being counted in the background: how far
    /// the count is (`lines` and the counts above do not include them yet); nil once done.
    public var counting: LogHistoryCount.Progress?

    /// Creates a log snapshot.
    public init(path: String?, lines: Int, byFlag: [LogFlag: Int], rejected: Int, other: Int,
                linesPerSecond: Double, tail: [LogTailLine], note: String? = nil, rotations: Int = 0) {
        self.path = path
        self.lines = lines
        var full: [LogFlag: Int] = [:]
        for flag in LogFlag.allCases { full[flag] = byFlag[flag] ?? 0 }
        self.byFlag = full
        self.rejected = rejected
        self.other = other
        self.linesPerSecond = linesPerSecond
        self.rotations = rotations
        self.tail = tail
        self.note = note
    }
}
