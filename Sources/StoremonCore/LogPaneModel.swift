import EximLog
import Store

/// What the log pane shows: the counters, a note when there is no log, and the tail's
/// lines quoted for the terminal with their kind and search state. Built once per
/// snapshot (and search); the curses pane and the plain frame draw it.
public struct LogPaneModel: Sendable {
    /// How a line stands with the open search.
    public enum Match: Sendable, Equatable {
        /// Not a match (or no search is open).
        case none
        /// One of the matches.
        case match
        /// The current match (`n`/`N` move it).
        case current
    }

    /// One tail line ready to draw.
    public struct Line: Sendable {
        /// Index into the snapshot's tail (what search matches point at).
        public var index: Int
        /// `HH:MM:SS` from the line's timestamp, or nil (continuations).
        public var time: TerminalText?
        /// The line after its timestamp, quoted (escapes spelt out, marked as runs).
        public var text: TerminalText
        /// The kind of line, for colour.
        public var kind: LogTailKind
        /// Its search state.
        public var match: Match
    }

    /// The log's snapshot.
    public let log: LogSnapshot
    /// The open search, if any.
    public let search: SearchSnapshot?
    /// Columns of each line's text that are quoted (a 1 MB line is not quoted whole).
    public let maxColumns: Int

    /// The model for a log snapshot and search; lines are quoted up to `maxColumns`.
    public init(_ log: LogSnapshot, search: SearchSnapshot? = nil, maxColumns: Int = 1024) {
        self.log = log
        self.search = search
        self.maxColumns = max(1, maxColumns)
    }

    /// The file followed, quoted, or nil.
    public var path: TerminalText? { log.path.map { TerminalText(untainted: $0) } }

    /// While the lines before the tail are counted in the background (a huge log): how far
    /// the count is, `counting earlier lines 37 %`; nil when no count runs.
    public var progress: String? {
        guard let c = log.counting, c.bytesTotal > 0 else { return nil }
        return "counting earlier lines \(min(99, c.bytesDone * 100 / c.bytesTotal)) %"
    }

    /// The pane header's counters: `12 lines  <= 3  => 4  == 1  ** 0  rej 2`.
    public var counters: String {
        let f = log.byFlag
        return "\(log.lines) lines  <= \(f[.arrival] ?? 0)  => \(f[.delivery] ?? 0)  == \(f[.deferred] ?? 0)  ** \(f[.failed] ?? 0)  rej \(log.rejected)"
    }

    /// Every flag's count in the JSON contract's order: `<= 3  => 4  -> 0 ...`.
    public var flagCounts: String {
        LogSnapshot.flagOrder.map { "\($0.text) \(log.byFlag[$0] ?? 0)" }.joined(separator: "  ")
    }

    /// The totals line of plain output: `12 lines  2.5/s  rejected 2  other 5`.
    public var totals: String {
        "\(log.lines) lines  \(RateText.perSecond(log.linesPerSecond))/s  rejected \(log.rejected)  other \(log.other)"
    }

    /// What to show when there are no lines: the reason there is no log, or a placeholder.
    public var emptyText: TerminalText {
        TerminalText(untainted: log.note ?? "(no log lines yet)")
    }

    /// The largest useful scroll-back (lines from the newest) for `rows` visible rows.
    public func maxScroll(rows: Int) -> Int { max(0, log.tail.count - max(0, rows)) }

    /// The lines to show in `rows` rows, `scroll` lines back from the newest (clamped),
    /// oldest first.
    public func visibleLines(rows: Int, scroll: Int = 0) -> [Line] {
        guard rows > 0, !log.tail.isEmpty else { return [] }
        let s = min(max(0, scroll), maxScroll(rows: rows))
        let end = log.tail.count - s
        return line(range: max(0, end - rows)..<end)
    }

    /// The newest `count` lines, oldest first.
    public func lastLines(_ count: Int) -> [Line] {
        line(range: max(0, log.tail.count - max(0, count))..<log.tail.count)
    }

    /// For a search's current match: the scroll-back that brings it into `rows` rows
    /// (unchanged when it is already visible), or nil without a current match.
    public func scrollShowingCurrentMatch(rows: Int, scroll: Int) -> Int? {
        guard let line = search?.currentLine else { return nil }
        let fromBottom = log.tail.count - 1 - line
        if fromBottom < scroll || fromBottom >= scroll + rows { return max(0, fromBottom - rows / 2) }
        return scroll
    }

    private func line(range: Range<Int>) -> [Line] {
        let matches = Set(search?.matches ?? [])
        let current = search?.currentLine
        let quoter = TerminalQuoter(maxColumns: maxColumns)
        return range.map { i in
            let l = log.tail[i]
            let m: Match = i == current ? .current : (matches.contains(i) ? .match : .none)
            return Line(index: i, time: l.time.map { TerminalText(untainted: $0) }, text: quoter.quote(l.text),
                        kind: l.kind, match: m)
        }
    }
}

/// Rates and durations as the screens print them (numbers this program computed).
public enum RateText {
    /// One decimal: `2.5`.
    public static func perSecond(_ x: Double) -> String { fixed(x, decimals: 1) }

    /// `x` with `decimals` digits after the point (`-` when not finite).
    public static func fixed(_ x: Double, decimals: Int) -> String {
        guard x.isFinite else { return "-" }
        var scale = 1.0
        for _ in 0..<max(0, decimals) { scale *= 10 }
        let r = (x * scale).rounded() / scale
        if decimals <= 0 { return String(Int(r)) }
        let negative = r < 0
        let a = abs(r)
        let whole = Int(a)
        var f = String(Int(((a - Double(whole)) * scale).rounded()))
        while f.count < decimals { f = "0" + f }
        return (negative ? "-" : "") + String(whole) + "." + f
    }

    /// An interval as the status line shows it: `every 2.0s`, `0.25s` below a second.
    public static func interval(_ seconds: Double) -> String {
        fixed(seconds, decimals: seconds < 1 ? 2 : 1) + "s"
    }
}
