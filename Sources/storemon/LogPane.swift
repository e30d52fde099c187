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

    /// The number of lines the pane shows below its header.
    static func bodyRows(_ rect: Rect) -> Int { max(0, rect.height - 1) }

    /// Draws the pane. `scroll` counts lines back from the newest.
    static func draw(_ model: LogPaneModel, scroll: Int, focused: Bool, in rect: Rect, grid: inout ScreenGrid) {
        guard !rect.isEmpty else { return }
        let headerStyle: Style = focused ? .headerFocused : .header
        grid.fill(Rect(x: rect.x, y: rect.y, width: rect.width, height: 1), " ", headerStyle)
        var col = grid.put(rect.y, rect.x, " Log ", headerStyle, limit: rect.width)
        if focused { grid.set(rect.y, rect.x, grid.glyphs.focus, headerStyle) }
        if scroll > 0 {
            col = grid.put(rect.y, col, "[scrolled back \(scroll)] ", headerStyle, limit: rect.maxX - col)
        }
        if let path = model.path {
            col = grid.put(rect.y, col, "\(path) ", headerStyle, limit: rect.maxX - col)
        }
        grid.put(rect.y, col, ScreenText(TerminalText(untainted: model.counters)), headerStyle, limit: rect.maxX - col)
        let rows = bodyRows(rect)
        guard rows > 0 else { return }
        if model.log.tail.isEmpty {
            grid.put(rect.y + 1, rect.x + 1, ScreenText(model.emptyText), .dim, limit: rect.width - 1)
            return
        }
        for (row, line) in model.visibleLines(rows: rows, scroll: scroll).enumerated() {
            let st: Style
            switch line.match {
            case .current: st = .matchCurrent
            case .match: st = .match
            case .none: st = style(line.kind)
            }
            var col = rect.x
            if let time = line.time {
                col = grid.put(rect.y + 1 + row, col, "\(time) ", st, limit: rect.maxX - col)
            }
            // escapes (hostile bytes spelt out) stand out from the text around them
            for run in line.text.runs where col < rect.maxX {
                let runStyle: Style = run.isEscape && line.match == .none ? .escape : st
                col = grid.put(rect.y + 1 + row, col, ScreenText(run), runStyle, limit: rect.maxX - col)
            }
        }
    }
}
