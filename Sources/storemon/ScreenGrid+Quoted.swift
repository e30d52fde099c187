import StoremonCore

extension ScreenGrid {
    /// Draws quoted text at (y, x), `skip` columns scrolled sideways, at most `limit`
    /// columns: spelt-out escapes in `escapeStyle` (when given), the rest in `style`.
    /// Result: the column after the last one drawn.
    @discardableResult
    mutating func putQuoted(_ y: Int, _ x: Int, _ text: TerminalText, _ style: Style, escapeStyle: Style? = nil,
                            skip: Int = 0, limit: Int) -> Int {
        var col = x
        var toSkip = max(0, skip)
        let end = x + max(0, limit)
        for run in text.runs where col < end {
            var piece = ScreenText(run)
            if toSkip > 0 {
                let (rest, skipped) = piece.dropping(columns: toSkip)
                toSkip -= skipped
                piece = rest
                if piece.isEmpty { continue }
            }
            col = put(y, col, piece, run.isEscape ? (escapeStyle ?? style) : style, limit: end - col)
        }
        return col
    }

    /// Draws the first of `hints` that fits whole between `from` and the right edge of
    /// `rect`'s row `y`, right-aligned; a hint is never cut (none is drawn when none fits).
    mutating func putHint(_ y: Int, from: Int, in rect: Rect, _ hints: [ScreenText], _ style: Style) {
        // the screen's last cell is never written (it scrolls some terminals)
        let right = y == height - 1 ? min(rect.maxX, width - 1) : rect.maxX
        for hint in hints where !hint.isEmpty {
            let start = right - hint.columns
            if start >= from + 1 {
                put(y, start, hint, style, limit: hint.columns)
                return
            }
        }
    }
}

