import Store
import StoremonCore

/// Draws the log pane from its `LogPaneModel`: a header with the counters, then the
/// newest lines that fit, coloured by kind like eximon's highlighting, escapes marked.
enum LogPane {
    /// The style of a line of a kind.
    static func style(_ kind: LogTailKind) -> Style {
        switch kind {
        case .arrival: return .arrival
        case .delivery: return .delivery
        case .deferral: return .deferral
        case .failure: return .failure
        case .rejection: return .rejection
        case .other: return .normal
        }
    }


    /// What the user chose for the log pane: sideways scroll, date and pid shown.
    struct Options: Equatable, Sendable {
        /// Columns scrolled sideways (the time stays put).
        var column = 0
        /// Show the date before the time (`D`).
        var date = false
        /// Show Exim's `[pid]` after the time (`I`).
        var pid = false
    }

    /// Draws the pane. `scroll` counts lines back from the newest.
    static func draw(_ model: LogPaneModel, scroll: Int, focused: Bool, in rect: Rect, grid: inout ScreenGrid,
                     options: Options = Options()) {
        guard !rect.isEmpty else { return }
        var header: [ScreenText] = []
        if scroll > 0 { header.append("[scrolled back \(scroll)]") }
        if options.column > 0 { header.append("[column \(options.column + 1)]") }
        if let path = model.path { header.append(ScreenText(path)) }
        header.append(ScreenText(TerminalText(untainted: model.counters)))
        let rows = grid.paneHeader(" Log ", header, focused: focused, in: rect)
        guard rows > 0 else { return }
        if model.log.tail.isEmpty { return grid.paneNote(ScreenText(model.emptyText), in: rect) }
        for (row, line) in model.visibleLines(rows: rows, scroll: scroll).enumerated() {
            let st: Style
            switch line.match {
            case .current: st = .matchCurrent
            case .match: st = .match
            case .none: st = style(line.kind)
            }
            let y = rect.y + 1 + row
            var col = rect.x
            let tailLine = model.log.tail[line.index]
            if options.date {
                let date: ScreenText = tailLine.date.map { "\(TerminalText(untainted: $0)) " } ?? "           "
                col = grid.put(y, col, date, .dim, limit: rect.maxX - col)
            }
            if let time = line.time {
                col = grid.put(y, col, "\(time) ", st, limit: rect.maxX - col)
            }
            if options.pid, let pid = tailLine.pid {
                col = grid.put(y, col, "[\(pid)] ", .dim, limit: rect.maxX - col)
            }
            // escapes (hostile bytes spelt out) stand out from the text around them
            grid.putQuoted(y, col, line.text, st, escapeStyle: line.match == .none ? .escape : nil,
                           skip: options.column, limit: rect.maxX - col)
        }
    }
}
