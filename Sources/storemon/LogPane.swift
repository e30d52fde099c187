import Store
import StoremonCore

/// Draws the log tail: a header with the counters, then the newest lines that fit,
/// coloured by kind like eximon's highlighting, the date cut off as eximon does.
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

    /// The largest useful scroll-back for `log` in `rect`.
    static func maxScroll(_ log: LogSnapshot, in rect: Rect) -> Int {
        max(0, log.tail.count - bodyRows(rect))
    }

    /// Draws the pane. `scroll` counts lines back from the newest.
    static func draw(_ log: LogSnapshot, search: SearchSnapshot?, scroll: Int, focused: Bool,
                     in rect: Rect, grid: inout ScreenGrid) {
        guard !rect.isEmpty else { return }
        let headerStyle: Style = focused ? .headerFocused : .header
        grid.fill(Rect(x: rect.x, y: rect.y, width: rect.width, height: 1), " ", headerStyle)
        var col = grid.put(rect.y, rect.x, " Log ", headerStyle, limit: rect.width)
        if focused { grid.set(rect.y, rect.x, grid.glyphs.focus, headerStyle) }
        if scroll > 0 {
            col = grid.put(rect.y, col, "[scrolled back \(scroll)] ", headerStyle, limit: rect.maxX - col)
        }
        if let path = log.path {
            col = grid.put(rect.y, col, ScreenText(TerminalText(untainted: path)) + " ", headerStyle, limit: rect.maxX - col)
        }
        let f = log.byFlag
        let counts: ScreenText = "\(log.lines) lines  <= \(f[.arrival] ?? 0)  => \(f[.delivery] ?? 0)  == \(f[.deferred] ?? 0)  ** \(f[.failed] ?? 0)  rej \(log.rejected)"
        grid.put(rect.y, col, counts, headerStyle, limit: rect.maxX - col)
        let rows = bodyRows(rect)
        guard rows > 0 else { return }
        if log.tail.isEmpty {
            let note: ScreenText = log.note.map { ScreenText(TerminalText(untainted: $0)) } ?? "(no log lines yet)"
            grid.put(rect.y + 1, rect.x + 1, note, .dim, limit: rect.width - 1)
            return
        }
        let s = min(max(0, scroll), maxScroll(log, in: rect))
        let end = log.tail.count - s
        let start = max(0, end - rows)
        let matches = Set(search?.matches ?? [])
        let current = search?.currentLine
        for (row, i) in (start..<end).enumerated() {
            let line = log.tail[i]
            var st = style(line.kind)
            if i == current { st = .matchCurrent } else if matches.contains(i) { st = .match }
            var col = rect.x
            if let time = line.time {
                col = grid.put(rect.y + 1 + row, col, ScreenText(TerminalText(untainted: time)) + " ", st, limit: rect.maxX - col)
            }
            // escapes (hostile bytes spelt out) stand out from the text around them
            for run in TerminalTextBridge.quote(line.text).runs where col < rect.maxX {
                let runStyle: Style = run.isEscape && st != .match && st != .matchCurrent ? .escape : st
                col = grid.put(rect.y + 1 + row, col, ScreenText(run), runStyle, limit: rect.maxX - col)
            }
        }
    }
}
