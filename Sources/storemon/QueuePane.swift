import Store
import StoremonCore

/// Draws the queue pane from its `QueuePaneModel`: `exim -bp`'s listing as eximon's queue
/// window shows it, frozen messages in their own colour, the selected message highlighted
/// and its position (`n/N`) in the header.
enum QueuePane {
    /// At most this many recipients are listed per message (eximon's QUEUE_MAX_ADDRESSES).
    static let maxAddresses = 10

    /// The selection and scrolling the screen keeps for the pane.
    struct Selection: Sendable {
        /// Rows scrolled down from the first message.
        var scroll = 0
        /// Columns scrolled sideways.
        var column = 0
        /// The selected message's index, or nil.
        var selected: Int?
        /// The message rows (built once per snapshot), nil without one.
        var navigator: QueueNavigator?
        /// The key hint for the header (only drawn when it fits whole).
        var hints: [ScreenText] = []
    }

    /// Draws the pane; `scroll` counts rows down from the first message.
    static func draw(_ model: QueuePaneModel, scroll: Int, focused: Bool, in rect: Rect, grid: inout ScreenGrid) {
        draw(model, selection: Selection(scroll: scroll), focused: focused, in: rect, grid: &grid)
    }

    /// Draws the pane with a selection.
    static func draw(_ model: QueuePaneModel, selection: Selection, focused: Bool, in rect: Rect, grid: inout ScreenGrid) {
        guard !rect.isEmpty else { return }
        var header: [ScreenText] = []
        if let nav = selection.navigator, !nav.ids.isEmpty {
            header.append("\(TerminalText(untainted: nav.position(selection.selected)))")
        }
        if selection.column > 0 { header.append("[column \(selection.column + 1)]") }
        if let name = model.queueName { header.append("(\(name))") }
        if let spool = model.spoolPath { header.append(ScreenText(spool)) }
        header.append(ScreenText(TerminalText(untainted: model.summary)))
        let body = grid.paneHeader(" Queue ", header, focused: focused, in: rect)
        if focused {
            let used = rect.x + 7 + ScreenText.joined(header, separator: " ").columns
            grid.putHint(rect.y, from: used, in: rect, selection.hints, .headerFocused)
        }
        guard body > 0 else { return }
        if model.rows.isEmpty { return grid.paneNote(ScreenText(model.emptyText), in: rect) }
        let s = min(max(0, selection.scroll), model.maxScroll(rows: body))
        let chosen = selection.selected.flatMap { i in selection.navigator?.rows(ofMessage: i) }
        for (i, row) in model.rows.dropFirst(s).prefix(body).enumerated() {
            let index = s + i
            let y = rect.y + 1 + i
            let isSelected = chosen?.contains(index) == true
            var style: Style = row.frozen ? .frozen : .normal
            if isSelected {
                style = index == chosen?.lowerBound ? (focused ? .headerFocused : .bar) : .bold
                if index == chosen?.lowerBound { grid.fill(Rect(x: rect.x, y: y, width: rect.width, height: 1), " ", style) }
            }
            grid.putQuoted(y, rect.x, row.text, style, skip: selection.column, limit: rect.width)
        }
    }
}
