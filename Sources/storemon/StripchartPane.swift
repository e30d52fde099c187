import StoremonCore

/// Draws the stripchart row (`s`), like eximon's: one chart per series side by side, each
/// a label row (`title xN value`, eximon's scale notation) over bars auto-scaled to the
/// series' full scale, the newest sample at the right. Charts that do not fit are left
/// out (the label row says how many).
enum StripchartPane {
    /// Narrowest chart drawn.
    static let minimumWidth = 14

    /// Draws `charts` into `rect` (a label row and `rect.height - 1` bar rows).
    static func draw(_ charts: [StripchartSeries], in rect: Rect, grid: inout ScreenGrid) {
        guard !rect.isEmpty, rect.height >= 2 else { return }
        grid.fill(rect, " ", .normal)
        if charts.isEmpty { return }
        let fit = max(1, min(charts.count, (rect.width + 1) / (minimumWidth + 1)))
        let width = (rect.width - (fit - 1)) / fit
        let barRows = rect.height - 1
        let levels = grid.glyphs.spark
        for (k, chart) in charts.prefix(fit).enumerated() {
            let x = rect.x + k * (width + 1)
            let w = k == fit - 1 ? rect.maxX - x : width
            let label = ScreenText(TerminalText(untainted: chart.label(maxColumns: w)))
            grid.put(rect.y, x, label, .bold, limit: w)
            let heights = chart.heights(width: w, levels: barRows * levels.count)
            for (col, h) in heights.enumerated() {
                guard let h else { continue }
                let full = h / levels.count          // whole rows filled
                let part = h % levels.count          // the top row's level
                for r in 0..<barRows {
                    let y = rect.maxY - 1 - r
                    if r < full { grid.set(y, x + col, levels[levels.count - 1], .spark) }
                    else if r == full { grid.set(y, x + col, levels[part], .spark) }
                }
            }
            if k < fit - 1 { grid.vline(rect.y, x + w, rect.height) }
        }
        if fit < charts.count {
            let more: ScreenText = " +\(charts.count - fit) "
            grid.putHint(rect.y, from: rect.maxX - more.columns - 1, in: rect, [more], .dim)
        }
    }
}
