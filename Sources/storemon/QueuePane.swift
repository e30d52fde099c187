import Store
import StoremonCore

/// Draws the queue pane from its `QueuePaneModel`: `exim -bp`'s listing as eximon's queue
/// window shows it, frozen messages in their own colour.
enum QueuePane {
    /// At most this many recipients are listed per message (eximon's QUEUE_MAX_ADDRESSES).
    static let maxAddresses = 10


    /// Draws the pane; `scroll` counts rows down from the first message.
    static func draw(_ model: QueuePaneModel, scroll: Int, focused: Bool, in rect: Rect, grid: inout ScreenGrid) {
        guard !rect.isEmpty else { return }
        var header: [ScreenText] = []
        if let name = model.queueName { header.append("(\(name))") }
        if let spool = model.spoolPath { header.append(ScreenText(spool)) }
        header.append(ScreenText(TerminalText(untainted: model.summary)))
        let body = grid.paneHeader(" Queue ", header, focused: focused, in: rect)
        guard body > 0 else { return }
        if model.rows.isEmpty { return grid.paneNote(ScreenText(model.emptyText), in: rect) }
        let s = min(max(0, scroll), model.maxScroll(rows: body))
        for (i, row) in model.rows.dropFirst(s).prefix(body).enumerated() {
            grid.put(rect.y + 1 + i, rect.x, ScreenText(row.text), row.frozen ? .frozen : .normal, limit: rect.width)
        }
    }
}
