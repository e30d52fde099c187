import Store
import StoremonCore

/// Draws the queue like eximon's queue window: frozen mark, age, size, id, sender, then
/// the undelivered recipients (the first on the message's line, the rest below it).
enum QueuePane {
    /// At most this many recipients are listed per message (eximon's QUEUE_MAX_ADDRESSES).
    static let maxAddresses = 10

    /// One display row of the queue.
    struct Row {
        /// The text.
        var text: ScreenText
        /// Whether the message is frozen.
        var frozen: Bool
    }

    /// The display rows for a queue, one or more per message.
    static func rows(_ queue: QueueSnapshot) -> [Row] {
        var out: [Row] = []
        out.reserveCapacity(queue.messages.count)
        for m in queue.messages {
            let mark: ScreenText = m.frozen ? "*" : " "
            let sender: ScreenText = m.sender.byteCount == 0 ? "<>" : ScreenText(quoting: m.sender)
            let id = ScreenText(TerminalText(untainted: m.id))
            let age = ScreenText(TerminalText(untainted: m.ageText))
            let size = ScreenText(TerminalText(untainted: m.sizeText))
            var line: ScreenText = "\(mark)\(age) \(size) \(id) \(sender.padded(to: max(8, sender.columns)))"
            let recipients = m.recipients.prefix(maxAddresses)
            if let first = recipients.first { line = line + " <\(ScreenText(quoting: first))>" }
            if m.frozen { line = line + " *** frozen ***" }
            out.append(Row(text: line, frozen: m.frozen))
            for r in recipients.dropFirst() {
                out.append(Row(text: "                                     <\(ScreenText(quoting: r))>", frozen: m.frozen))
            }
            if m.recipients.count > maxAddresses {
                out.append(Row(text: "                                     ...", frozen: m.frozen))
            }
        }
        return out
    }

    /// The largest useful scroll for `rowCount` rows in `rect`.
    static func maxScroll(rowCount: Int, in rect: Rect) -> Int { max(0, rowCount - max(0, rect.height - 1)) }

    /// Draws the pane; `scroll` counts rows down from the first message.
    static func draw(_ queue: QueueSnapshot, rows: [Row], scroll: Int, focused: Bool, in rect: Rect, grid: inout ScreenGrid) {
        guard !rect.isEmpty else { return }
        let headerStyle: Style = focused ? .headerFocused : .header
        grid.fill(Rect(x: rect.x, y: rect.y, width: rect.width, height: 1), " ", headerStyle)
        var col = grid.put(rect.y, rect.x, " Queue ", headerStyle, limit: rect.width)
        if focused { grid.set(rect.y, rect.x, grid.glyphs.focus, headerStyle) }
        if let name = queue.queueName {
            col = grid.put(rect.y, col, "(\(ScreenText(TerminalText(untainted: name)))) ", headerStyle, limit: rect.maxX - col)
        }
        if let spool = queue.spoolPath {
            col = grid.put(rect.y, col, ScreenText(TerminalText(untainted: spool)) + " ", headerStyle, limit: rect.maxX - col)
        }
        col = grid.put(rect.y, col, "\(queue.messages.count) messages, \(queue.frozenCount) frozen", headerStyle, limit: rect.maxX - col)
        let body = rect.height - 1
        guard body > 0 else { return }
        if rows.isEmpty {
            let note: ScreenText = queue.note.map { ScreenText(TerminalText(untainted: $0)) } ?? "(queue empty)"
            grid.put(rect.y + 1, rect.x + 1, note, .dim, limit: rect.width - 1)
            return
        }
        let s = min(max(0, scroll), maxScroll(rowCount: rows.count, in: rect))
        for (i, row) in rows.dropFirst(s).prefix(body).enumerated() {
            grid.put(rect.y + 1 + i, rect.x, row.text, row.frozen ? .frozen : .normal, limit: rect.width)
        }
    }
}
