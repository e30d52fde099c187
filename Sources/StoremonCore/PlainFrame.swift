import Foundation
import Store

/// One frame of plain text (for `--once` without `--json`, and for a stdout that is not a
/// terminal): status, the ten pools with their block-chain bars, the log tail, the queue,
/// the running Exim processes (when any), drawn from the same presentation model as the curses screen (`MonitorViewModel`).
///
/// Every line is at most `width` columns; all text read from Exim's files was quoted by
/// `TerminalQuoter` in the model, so no raw escape byte can reach stdout.
public enum PlainFrame {
    /// How many log tail lines a frame shows by default.
    public static let defaultTailLines = 12

    /// Renders a frame. `tailLines` caps the log tail; `queueLimit` caps the queue
    /// listing in messages (nil: every message, as `--once` and `exim -bp` do).
    public static func render(_ snap: Snapshot, width: Int = 80, tailLines: Int = defaultTailLines,
                              queueLimit: Int? = nil, explain: Bool = false) -> String {
        render(MonitorViewModel(snap), width: width, tailLines: tailLines, queueLimit: queueLimit, explain: explain)
    }

    /// Renders a frame from an already built model; with `explain`, the narration row(s)
    /// (`CaptionModel`) follow the status.
    public static func render(_ model: MonitorViewModel, width: Int = 80, tailLines: Int = defaultTailLines,
                              queueLimit: Int? = nil, explain: Bool = false) -> String {
        let width = max(20, width)
        let snap = model.snapshot
        var lines: [TerminalText] = []
        func add(_ t: TerminalText) { lines.append(t.truncated(toColumns: width)) }
        func text(_ s: String) -> TerminalText { TerminalText(untainted: s) }

        // Status.
        let st = snap.status
        let clock = SnapshotJSON.isoTime(st.time.timeIntervalSince1970).dropFirst(11).prefix(8)
        let status = StatusModel(snap, run: RunState(interval: st.interval, paused: st.paused))
        // the figures, wrapped at the width (never cut), then the paths
        var line = text("storemon \(clock)")
        for part in status.figures {
            if line.columns + 2 + part.columns > width { add(line); line = "  " + part } else { line = line + "  " + part }
        }
        add(line)
        for path in status.paths { add("  " + path) }
        for caption in CaptionModel(snap, explain: explain).wrapped(width: width - 2) { add("  " + caption) }
        add("")

        // Pools (the MARK column: block+offset of the mark a reset would return to).
        let nameWidth = 15
        let markWidth = 8
        let barWidth = max(8, width - nameWidth - PoolPaneModel.columnHeader.count - markWidth - 4)
        add(text(pad("POOL", nameWidth) + " " + pad("BLOCK CHAIN", barWidth) + "  " + PoolPaneModel.columnHeader + " " + right("MARK", markWidth)))
        for pool in model.pools + model.quoted {
            add(text(pad(pool.label, nameWidth) + " " + pool.chain(width: barWidth).text(width: barWidth) + "  " + pool.columnFigures
                     + " " + right(pool.markText, markWidth)))
        }
        add("")

        // Log tail.
        add(text("LOG  " + model.log.totals))
        add(text("     " + model.log.flagCounts))
        if let note = snap.log.note { add(text("  " + note)) }
        for line in model.log.lastLines(tailLines) {
            add((line.time.map { $0 + " " } ?? .empty) + line.text)
        }
        add("")

        // Queue.
        let q = model.queue
        add(text("QUEUE  ") + (q.queueName.map { "(" + $0 + ") " } ?? .empty) + text(q.summary) + (q.spoolPath.map { "  (" + $0 + ")" } ?? .empty))
        if let note = snap.queue.note { add(text("  " + note)) }
        let shownRows = queueLimit.map { q.rowCount(messages: $0) } ?? q.rowCount
        for row in q.rows(0..<shownRows) { add(row.text) }
        if let queueLimit, queueLimit < snap.queue.messages.count {
            add(text("  … \(snap.queue.messages.count - queueLimit) more"))
        }
        let processes = processLines(snap)
        if !processes.isEmpty { add(""); processes.forEach(add) }
        if !snap.unreadable.isEmpty {
            add("")
            add(text("UNREADABLE  \(snap.unreadable.count)"))
            for u in snap.unreadable.prefix(10) { add(text("  \(u.path): \(u.reason)")) }
        }
        return lines.map(\.string).joined(separator: "\n") + "\n"
    }

    static func right(_ s: String, _ width: Int) -> String {
        let n = DisplayWidth.of(s)
        return n >= width ? s : String(repeating: " ", count: width - n) + s
    }

    static func pad(_ s: String, _ width: Int) -> String {
        let n = DisplayWidth.of(s)
        return n >= width ? s : s + String(repeating: " ", count: width - n)
    }
}
