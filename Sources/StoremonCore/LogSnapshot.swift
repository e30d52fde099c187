import Store

/// The two-character message flags of Exim's main log, in the JSON contract's order.
public enum LogFlag: String, CaseIterable, Sendable, Hashable {
    /// `<=` message arrival.
    case arrival = "<="
    /// `=>` normal delivery.
    case delivery = "=>"
    /// `->` additional address in the same delivery.
    case additionalDelivery = "->"
    /// `>>` cutthrough delivery.
    case cutthrough = ">>"
    /// `*>` delivery suppressed by `-N`.
    case suppressed = "*>"
    /// `**` delivery failed; address bounced.
    case failure = "**"
    /// `==` delivery deferred; temporary problem.
    case deferral = "=="
    /// `(=` fake-reject (a message accepted but treated as rejected).
    case fakeReject = "(="
}

/// How a log tail line is coloured (eximon's highlighting, done in colour).
public enum LogLineKind: String, Sendable, Hashable, CaseIterable {
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
    /// The kind of line, for colouring.
    public var kind: LogLineKind
    /// The flag, when the line has one.
    public var flag: LogFlag?
    /// The line without its newline, as read (date shortened off is left to the drawer).
    public var text: TaintedString

    /// Creates a tail line.
    public init(kind: LogLineKind, flag: LogFlag?, text: TaintedString) {
        self.kind = kind
        self.flag = flag
        self.text = text
    }
}

/// The main log as of a refresh.
public struct LogSnapshot: Sendable {
    /// The file followed (nil when no log could be found; see `note`).
    public var path: String?
    /// Physical lines read since start (across rotations and truncations).
    public var lines: Int
    /// Lines per message flag since start; every `LogFlag` has an entry (zero included).
    public var byFlag: [LogFlag: Int]
    /// Lines without a message flag that report a rejection.
    public var rejected: Int
    /// Everything else (continuation lines included).
    public var other: Int
    /// Lines read per second, over the last refresh interval.
    public var linesPerSecond: Double
    /// The most recent lines, oldest first (at most `LogSnapshot.tailLength`).
    public var tail: [LogTailLine]
    /// Why there is no log to follow (e.g. Exim logs to syslog), or nil.
    public var note: String?

    /// How many recent lines a snapshot keeps.
    public static let tailLength = 500

    /// Creates a log snapshot.
    public init(path: String?, lines: Int, byFlag: [LogFlag: Int], rejected: Int, other: Int,
                linesPerSecond: Double, tail: [LogTailLine], note: String? = nil) {
        self.path = path
        self.lines = lines
        var full: [LogFlag: Int] = [:]
        for flag in LogFlag.allCases { full[flag] = byFlag[flag] ?? 0 }
        self.byFlag = full
        self.rejected = rejected
        self.other = other
        self.linesPerSecond = linesPerSecond
        self.tail = tail
        self.note = note
    }
}
