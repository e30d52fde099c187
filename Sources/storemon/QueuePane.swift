import Store
import StoremonCore

/// Draws the queue pane from its `QueuePaneModel`: `exim -bp`'s listing as eximon's queue
/// window shows it, frozen messages in their own colour.
enum QueuePane {
    /// At most this many recipients are listed per message (eximon's QUEUE_MAX_ADDRESSES).
    static let maxAddresses = 10

    /// The rows below the header in `rect`.
    static func bodyRows(_ rect: Rect) -> Int { max(0, rect.height - 1) }

    /// Draws the pane; `scroll` counts rows down from the first message.
    static func draw(_ model: QueuePaneModel, scroll: Int, focused: Bool, in rect: Rect, grid: inout ScreenGrid) {
        guard !rect.isEmpty else { return }
        let headerStyle: Style = focused ? .headerFocused : .header
        grid.fill(Rect(x: rect.x, y: rect.y, width: rect.width, height: 1), " ", headerStyle)
        var col = grid.put(rect.y, rect.x, " Queue ", headerStyle, limit: rect.width)
        if focused { grid.set(rect.y, rect.x, grid.glyphs.focus, headerStyle) }
        if let name = model.queueName {
            col = grid.put(rect.y, col, "(\(name)) ", headerStyle, limit: rect.maxX - col)
        }
        if let spool = model.spoolPath {
            col = grid.put(rect.y, col, "\(spool) ", headerStyle, limit: rect.maxX - col)
        }
        grid.put(rect.y, col, ScreenText(TerminalText(untainted: model.summary)), headerStyle, limit: rect.maxX - col)
        let body = bodyRows(rect)
        guard body > 0 else { return }
        if model.rows.isEmpty {
            grid.put(rect.y + 1, rect.x + 1, ScreenText(model.emptyText), .dim, limit: rect.width - 1)
            return
        }
        let s = min(max(0, scroll), model.maxScroll(visibleRows: body))
        for (i, row) in model.rows.dropFirst(s).prefix(body).enumerated() {
            grid.put(rect.y + 1 + i, rect.x, ScreenText(row.text), row.frozen ? .frozen : .normal, limit: rect.width)
        }
    }
}
