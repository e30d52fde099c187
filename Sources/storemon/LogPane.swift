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


    /// Draws the pane. `scroll` counts lines back from the newest.
    static func draw(_ model: LogPaneModel, scroll: Int, focused: Bool, in rect: Rect, grid: inout ScreenGrid) {
        guard !rect.isEmpty else { return }
        var header: [ScreenText] = []
        if scroll > 0 { header.append("[scrolled back \(scroll)]") }
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
