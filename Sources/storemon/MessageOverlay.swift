import EximFormats
import StoremonCore

/// Draws the message overlay (Enter on a queued message): a box over the panes with the
/// `MessageOverlayModel`'s title on its top border, its lines, and the keys on its bottom
/// border (only when they fit whole).
enum MessageOverlay {
    /// The box for a screen of `width` x `height`: between the title bar and the status
    /// line, two columns in from each side when there is room.
    static func box(width: Int, height: Int) -> Rect {
        let margin = width >= 60 ? 2 : 0
        return Rect(x: margin, y: 1, width: width - 2 * margin, height: height - 2)
    }

    /// Rows of text the box shows.
    static func bodyRows(height: Int) -> Int { max(0, height - 4) }

    /// Draws `model` scrolled `scroll` rows down and `column` columns sideways.
    static func draw(_ model: MessageOverlayModel, scroll: Int, column: Int, actions: Bool,
                     width: Int, height: Int, grid: inout ScreenGrid) {
        let box = self.box(width: width, height: height)
        guard box.width > 10, box.height > 2 else { return }
        grid.fill(box, " ", .normal)
        grid.hline(box.y, box.x, box.width, .header)
        grid.hline(box.maxY - 1, box.x, box.width, .header)
        grid.vline(box.y, box.x, box.height, .header)
        grid.vline(box.y, box.maxX - 1, box.height, .header)
        let rows = box.height - 2
        let s = min(max(0, scroll), model.maxScroll(rows: rows))
        var position = ""
        if model.lines.count > rows { position = " \(s + 1)-\(min(model.lines.count, s + rows))/\(model.lines.count) " }
        let title = ScreenText(TerminalText(untainted: " " + model.title + " "))
        let end = grid.put(box.y, box.x + 2, title, .headerFocused, limit: box.width - 4)
        if !position.isEmpty {
            grid.putHint(box.y, from: end, in: Rect(x: box.x, y: box.y, width: box.width - 2, height: 1),
                         [ScreenText(TerminalText(untainted: position))], .header)
        }
        let hint = ScreenText(TerminalText(untainted: " " + model.hint(actions: actions) + " "))
        grid.putHint(box.maxY - 1, from: box.x + 1, in: Rect(x: box.x, y: box.maxY - 1, width: box.width - 2, height: 1),
                     [hint, " Esc close "], .header)
        for (i, line) in model.lines.dropFirst(s).prefix(rows).enumerated() {
            grid.putQuoted(box.y + 1 + i, box.x + 2, line, .normal, escapeStyle: .escape, skip: column,
                           limit: box.width - 4)
        }
    }
}

/// Draws the delivery output pane (`d`): Exim's `-v -M` output as it arrives, over the
/// lower part of the screen, with the command and its state in the border.
enum OutputPane {
    /// The box: the lower half between the title bar and the status line.
    static func box(width: Int, height: Int) -> Rect {
        let rows = max(4, (height - 2) / 2)
        return Rect(x: 0, y: height - 1 - rows, width: width, height: rows)
    }

    /// Draws `output` (following the newest lines).
    static func draw(_ output: ActionOutput, width: Int, height: Int, grid: inout ScreenGrid) {
        let box = self.box(width: width, height: height)
        guard box.height > 2, box.width > 10 else { return }
        grid.fill(box, " ", .normal)
        let back: ScreenText = output.scroll > 0 ? " [scrolled back \(output.scroll)]" : ""
        let title = back + " " + ScreenText(output.title) + " : " + ScreenText(output.state) + " "
        grid.fill(Rect(x: box.x, y: box.y, width: box.width, height: 1), " ", .headerFocused)
        let end = grid.put(box.y, box.x, title, .headerFocused, limit: box.width)
        grid.putHint(box.y, from: end, in: box, [" Esc close "], .headerFocused)
        let rows = box.height - 1
        let last = max(0, output.lines.count - max(0, output.scroll))
        for (i, line) in output.lines[..<last].suffix(rows).enumerated() {
            grid.putQuoted(box.y + 1 + i, box.x + 1, line, .normal, escapeStyle: .escape, limit: box.width - 1)
        }
        if output.lines.isEmpty { grid.put(box.y + 1, box.x + 1, "(no output yet)", .dim, limit: box.width - 1) }
    }
}

/// Draws the processes pane (`w`), like `exiwhat`: pid, age, what each Exim process is
/// doing (its title, quoted: any user can name a process).
enum ProcessesPane {
    /// Draws `processes` scrolled `scroll` rows down and `column` columns sideways.
    static func draw(_ processes: [EximProcess], scroll: Int, column: Int, focused: Bool, in rect: Rect,
                     grid: inout ScreenGrid) {
        guard !rect.isEmpty else { return }
        let header: [ScreenText] = ["\(processes.count) Exim processes (from /proc)"]
        let rows = grid.paneHeader(" Processes ", header, focused: focused, in: rect)
        guard rows > 0 else { return }
        if processes.isEmpty { return grid.paneNote("no exim or exim4 process is running", in: rect) }
        let s = min(max(0, scroll), max(0, processes.count - rows))
        for (i, p) in processes.dropFirst(s).prefix(rows).enumerated() {
            let y = rect.y + 1 + i
            let age = ScreenText(TerminalText(untainted: EximAge.columns(seconds: p.ageSeconds)))
            var col = grid.put(y, rect.x, ScreenText("\(p.pid)").leftPadded(to: 7) + " " + age + " ", .normal, limit: rect.width)
            if let inferred = p.inferredBy {
                col = grid.put(y, col, ScreenText(TerminalText(untainted: "[\(inferred)] ")), .dim, limit: rect.maxX - col)
            }
            if let activity = p.activity {
                col = grid.put(y, col, ScreenText(TerminalText(untainted: activity)) + ": ", .bold, limit: rect.maxX - col)
            }
            grid.putQuoted(y, col, TerminalTextBridge.quote(p.title), .normal, escapeStyle: .escape,
                           skip: column, limit: rect.maxX - col)
        }
    }
}

extension ScreenText {
    /// The text with spaces in front up to `width` columns.
    func leftPadded(to width: Int) -> ScreenText {
        let n = columns
        return n >= width ? self : ScreenText(TerminalText(untainted: String(repeating: " ", count: width - n))) + self
    }
}
