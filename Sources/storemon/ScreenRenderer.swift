import Foundation
import Store
import StoremonCore

/// Draws a whole frame (title, ten pool panes, log, queue, status line, overlays) from a
/// snapshot and the view state into a grid. Pure: no curses here.
enum ScreenRenderer {
    /// The program's version, shown in the title and by `--version`.
    static let version: StaticString = "0.1.0"

    /// Renders one frame of `width` x `height` from the panes' models (nil before the
    /// first refresh), the view state and the run state.
    static func render(_ view: MonitorViewModel?, state: ViewState, run: RunState,
                       width: Int, height: Int, unicode: Bool) -> ScreenGrid {
        var grid = ScreenGrid(width: width, height: height, unicode: unicode)
        let captions = CaptionModel(view?.snapshot, explain: state.explain).wrapped(width: max(1, width - 1))
        let layout = ScreenLayout.compute(width: width, height: height, captionRows: captions.count)
        if layout.mode == .tooSmall {
            drawTooSmall(&grid)
            return grid
        }
        drawTitle(paused: run.paused, nextStep: view?.snapshot.nextStep, rect: layout.title, grid: &grid)
        if let view {
            for (i, rect) in layout.pools.enumerated() where i < view.pools.count {
                PoolPane.draw(view.pools[i], in: rect, grid: &grid)
            }
            grid.vline(layout.pools[0].y, layout.poolDivider, 5 * layout.poolRows)
            LogPane.draw(view.log, scroll: state.logScroll, focused: state.focus == .log, in: layout.log, grid: &grid)
            QueuePane.draw(view.queue, scroll: state.queueScroll, focused: state.focus == .queue,
                           in: layout.queue, grid: &grid)
            if layout.sideBySide { grid.vline(layout.log.y, layout.log.maxX, layout.log.height) }
        } else {
            grid.put(layout.pools[0].y, 1, "reading the log and the queue...", .dim)
        }
        for (i, line) in captions.prefix(layout.caption.height).enumerated() {
            grid.put(layout.caption.y + i, 1, ScreenText(line), .caption, limit: max(0, layout.caption.width - 1))
        }
        drawStatus(StatusModel(view?.snapshot, run: run), prompt: state.prompt, rect: layout.status, grid: &grid)
        if state.showHelp { HelpOverlay.draw(in: Rect(x: 0, y: 0, width: width, height: height), grid: &grid) }
        return grid
    }

    /// The one-line notice for terminals below 40x12.
    static func drawTooSmall(_ grid: inout ScreenGrid) {
        guard grid.height > 0 else { return }
        let full: ScreenText = "terminal too small (\(grid.width)x\(grid.height), need \(ScreenLayout.minimumWidth)x\(ScreenLayout.minimumHeight)); q quits"
        let short: ScreenText = "too small: need \(ScreenLayout.minimumWidth)x\(ScreenLayout.minimumHeight)"
        grid.put(0, 0, full.columns <= grid.width ? full : short, .warning)
    }

    /// The title bar: program, version, clock, pause flag, key hints.
    static func drawTitle(paused: Bool, nextStep: RefreshPhase? = nil, rect: Rect, grid: inout ScreenGrid) {
        grid.fill(rect, " ", .bar)
        var col = grid.put(rect.y, rect.x, "storemon \(literal: version)  Exim store pools: clean | TAINTED", .bar, limit: rect.width)
        if paused { col = grid.put(rect.y, col + 2, " PAUSED ", .warning, limit: rect.maxX - col - 2) }
        if paused, let nextStep {
            // step mode: what the next `.` runs
            col = grid.put(rect.y, col + 1, " . runs \(TerminalText(untainted: nextStep.name)) ", .warning, limit: rect.maxX - col - 1)
        }
        let hint: ScreenText = rect.width >= 100 ? "F1/? help  / search  p pause  q quit " : "? help  q quit "
        if rect.maxX - col > hint.columns + 1 {
            grid.put(rect.y, rect.maxX - hint.columns, hint, .bar)
        }
    }

    /// The status line, or the search prompt while one is open.
    static func drawStatus(_ status: StatusModel, prompt: String?, rect: Rect, grid: inout ScreenGrid) {
        grid.fill(rect, " ", .bar)
        if let prompt {
            let col = grid.put(rect.y, rect.x, "Search log: ", .bar, limit: rect.width)
            let end = grid.put(rect.y, col, ScreenText(TerminalText(untainted: prompt)), .bar, limit: rect.maxX - col)
            grid.put(rect.y, end, "_   (Enter search, Esc cancel)", .bar, limit: rect.maxX - end)
            return
        }
        grid.put(rect.y, rect.x, " " + ScreenText(status.joined(separator: " | ")), .bar, limit: rect.width)
    }
}
