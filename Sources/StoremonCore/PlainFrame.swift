import Foundation
import Store

/// One frame of plain text (for `--once` without `--json`, and for a stdout that is not a
/// terminal): status, the ten pools with their block-chain bars, the log tail, the queue.
///
/// Every line is at most `width` columns; all text read from Exim's files goes through
/// `TerminalQuoter`, so no raw escape byte can reach stdout.
public enum PlainFrame {
    /// How many log tail lines a frame shows by default.
    public static let defaultTailLines = 12

    /// Renders a frame. `tailLines` caps the log tail; `queueLimit` caps the queue
    /// listing (nil: every message, as `--once` and `exim -bp` do).
    public static func render(_ snap: Snapshot, width: Int = 80, tailLines: Int = defaultTailLines,
                              queueLimit: Int? = nil) -> String {
        let width = max(20, width)
        var lines: [TerminalText] = []
        func add(_ t: TerminalText) { lines.append(t.truncated(toColumns: width)) }
        func untainted(_ s: String) -> TerminalText { TerminalText(untainted: s) }

        // Status.
        let st = snap.status
        let clock = SnapshotJSON.isoTime(st.time.timeIntervalSince1970).dropFirst(11).prefix(8)
        add(untainted("storemon \(clock)  every \(formatInterval(st.interval))  refresh \(String(format: "%.1f", st.refreshMilliseconds))ms  resets \(st.resets)  quoted \(st.quotedPoolsInUse)\(st.paused ? "  PAUSED" : "")"))
        add("log:   " + untainted(st.logPath ?? "-"))
        add("spool: " + untainted(st.spoolPath ?? "-") + untainted(snap.queue.queueName.map { "  queue \($0)" } ?? ""))
        add("")

        // Pools.
        let nameWidth = 15
        let numbers = 33   // "in use/held blk max order" columns
        let barWidth = max(8, width - nameWidth - numbers - 3)
        add(untainted(pad("POOL", nameWidth) + " " + pad("BLOCK CHAIN", barWidth) + "  " + "   USED/  HELD BLK   MAX ORD"))
        for pool in snap.pools {
            add(untainted(pad(pool.label, nameWidth) + " " + poolRow(pool.statistics, barWidth: barWidth)))
        }
        for q in snap.quoted {
            add(untainted(pad("quoted " + q.quoterName, nameWidth) + " " + poolRow(q.statistics, barWidth: barWidth)))
        }
        add("")

        // Log tail.
        let log = snap.log
        var flags: [String] = []
        for f in LogSnapshot.flagOrder { flags.append("\(f.text) \(log.byFlag[f] ?? 0)") }
        add(untainted("LOG  \(log.lines) lines  \(String(format: "%.1f", log.linesPerSecond))/s  rejected \(log.rejected)  other \(log.other)"))
        add(untainted("     " + flags.joined(separator: "  ")))
        if let note = log.note { add(untainted("  " + note)) }
        for line in log.tail.suffix(max(0, tailLines)) {
            let quoted = TerminalQuoter(maxColumns: width).quote(line.text)
            add(untainted(line.time.map { $0 + " " } ?? "") + quoted)
        }
        add("")

        // Queue.
        let q = snap.queue
        add(untainted("QUEUE  \(q.messages.count) messages, \(q.frozenCount) frozen" + (q.spoolPath.map { "  (" + $0 + ")" } ?? "")))
        if let note = q.note { add(untainted("  " + note)) }
        let shown = queueLimit.map { Array(q.messages.prefix($0)) } ?? q.messages
        for m in shown {
            let sender = m.sender.byteCount == 0 ? TerminalText("<>") : "<" + TerminalQuoter(maxColumns: width).quote(m.sender) + ">"
            add(untainted("\(m.ageText) \(m.sizeText) \(m.id) ") + sender + (m.frozen ? " *** frozen ***" : ""))
            for r in m.recipients { add("          " + TerminalQuoter(maxColumns: width).quote(r)) }
            for r in m.delivered { add("        D " + TerminalQuoter(maxColumns: width).quote(r)) }
        }
        if shown.count < q.messages.count { add(untainted("  … \(q.messages.count - shown.count) more")) }
        if !snap.unreadable.isEmpty {
            add("")
            add(untainted("UNREADABLE  \(snap.unreadable.count)"))
            for u in snap.unreadable.prefix(10) { add(untainted("  \(u.path): \(u.reason)")) }
        }
        return lines.map(\.string).joined(separator: "\n") + "\n"
    }

    /// `|##..|=--| 1.2K/ 16K   2   32K  13`: the bar then used/held bytes, blocks, max bytes, order.
    static func poolRow(_ s: PoolStatistics, barWidth: Int) -> String {
        let used = s.chain.reduce(0) { $0 + $1.used }
        return ChainBar.text(s, width: barWidth) + "  " + pad(SizeText.format(used), 6, right: true) + "/"
            + pad(SizeText.format(s.bytes), 6, right: true) + " " + pad(String(s.blocks), 3, right: true) + " "
            + pad(SizeText.format(s.maxBytes), 5, right: true) + " " + pad(String(s.order), 3, right: true)
    }

    static func formatInterval(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? "\(Int(seconds))s" : String(format: "%.1fs", seconds)
    }

    static func pad(_ s: String, _ width: Int, right: Bool = false) -> String {
        if s.count >= width { return s }
        let fill = String(repeating: " ", count: width - s.count)
        return right ? fill + s : s + fill
    }
}
