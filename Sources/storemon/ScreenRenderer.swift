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
                       width: Int, height: Int, unicode: Bool, extras: FrameExtras = FrameExtras()) -> ScreenGrid {
        var grid = ScreenGrid(width: width, height: height, unicode: unicode)
        let captions = CaptionModel(view?.snapshot, explain: state.explain).wrapped(width: max(1, width - 1))
        let layout = ScreenLayout.compute(width: width, height: height,
                                          options: state.layoutOptions(processCount: view?.snapshot.processes.count ?? 0,
                                                                       captionRows: captions.count))
        if layout.mode == .tooSmall {
            drawTooSmall(&grid)
            return grid
        }
        drawTitle(paused: run.paused, nextStep: view?.snapshot.nextStep, rect: layout.title, grid: &grid,
                  hints: titleHints(state: state, actionsAllowed: extras.actionsReason == nil))
        if let view {
            if layout.poolRows > 0 {
                for (i, rect) in layout.pools.enumerated() where i < view.pools.count {
                    PoolPane.draw(view.pools[i], in: rect, grid: &grid)
                }
                grid.vline(layout.pools[0].y, layout.poolDivider, 5 * layout.poolRows)
            }
            StripchartPane.draw(view.snapshot.charts, in: layout.charts, grid: &grid)
            LogPane.draw(view.log, scroll: state.logScroll, focused: state.focus == .log, in: layout.log, grid: &grid,
                         options: LogPane.Options(column: state.logColumn, date: state.showDate, pid: state.showPid))
            QueuePane.draw(view.queue, selection: QueuePane.Selection(scroll: state.queueScroll, column: state.queueColumn,
                                                                      selected: state.selected, navigator: extras.navigator),
                           focused: state.focus == .queue, in: layout.queue, grid: &grid)
            if layout.sideBySide && !layout.log.isEmpty && !layout.queue.isEmpty {
                grid.vline(layout.log.y, layout.log.maxX, layout.log.height)
            }
            ProcessesPane.draw(view.snapshot.processes, scroll: state.processScroll, column: state.processColumn,
                               focused: state.focus == .processes, in: layout.processes, grid: &grid)
        } else {
            grid.put(1, 1, "reading the log and the queue...", .dim)
        }
        for (i, line) in captions.prefix(layout.caption.height).enumerated() {
            grid.put(layout.caption.y + i, 1, ScreenText(line), .caption, limit: max(0, layout.caption.width - 1))
        }
        if let output = state.output { OutputPane.draw(output, width: width, height: height, grid: &grid) }
        if let overlay = state.overlay {
            MessageOverlay.draw(overlay, scroll: state.overlayScroll, column: state.overlayColumn,
                                actions: extras.actionsReason == nil, width: width, height: height, grid: &grid)
        }
        drawStatus(StatusModel(view?.snapshot, run: run), state: state, rect: layout.status, grid: &grid)
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
    static func drawTitle(paused: Bool, nextStep: RefreshPhase? = nil, rect: Rect, grid: inout ScreenGrid,
                          hints: [ScreenText]? = nil) {
        grid.fill(rect, " ", .bar)
        var col = grid.put(rect.y, rect.x, "storemon \(literal: version)  Exim store pools: clean | TAINTED", .bar, limit: rect.width)
        if paused { col = grid.put(rect.y, col + 2, " PAUSED ", .warning, limit: rect.maxX - col - 2) }
        if paused, let nextStep {
            // step mode: what the next `.` runs
            col = grid.put(rect.y, col + 1, " . runs \(TerminalText(untainted: nextStep.name)) ", .warning, limit: rect.maxX - col - 1)
        }
        // the first hint that fits whole (none when none does): never a cut one
        grid.putHint(rect.y, from: col, in: rect,
                     hints ?? ["F1/? help  / search  p pause  q quit ", "? help  q quit "], .bar)
    }

    /// The title bar's key hints for what has the focus, longest first.
    static func titleHints(state: ViewState, actionsAllowed: Bool) -> [ScreenText] {
        let general: [ScreenText] = ["F1/? help  / search  p pause  q quit ", "? help  q quit "]
        if state.overlay != nil { return ["b body  l msglog  Esc close  ? help ", "Esc close "] }
        switch state.focus {
        case .queue:
            let acts: ScreenText = actionsAllowed ? "Enter view  f t d g x a m act" : "Enter view  (actions off)"
            return [acts + "  ? help  q quit ", acts + " ", "Enter view  ? help ", "? help "]
        case .log, .processes:
            return ["Tab queue  c pools  s charts  w procs  z zoom  F1/? help  q quit ", ] + general
        }
    }

    /// The status line: the address prompt, an action's `y`/`n` question, the search
    /// prompt, a note (an action's result, why actions are off), else the figures.
    static func drawStatus(_ status: StatusModel, state: ViewState, rect: Rect, grid: inout ScreenGrid) {
        if let p = state.addressPrompt {
            grid.fill(rect, " ", .warning)
            let label: ScreenText = p.adds ? "Add recipient to \(TerminalText(untainted: p.id.description)): " : "Mark delivered in \(TerminalText(untainted: p.id.description)): "
            let col = grid.put(rect.y, rect.x, label, .warning, limit: rect.width)
            let end = grid.put(rect.y, col, ScreenText(TerminalText(untainted: p.text)), .warning, limit: rect.maxX - col)
            grid.put(rect.y, end, "_", .warning, limit: rect.maxX - end)
            let hint: [ScreenText] = p.problem.map { ["  " + ScreenText(TerminalText(untainted: $0)) + " (Esc cancels)", "  " + ScreenText(TerminalText(untainted: $0))] }
                ?? ["  (Enter, Esc cancels)"]
            grid.putHint(rect.y, from: end + 1, in: rect, hint, .warning)
            return
        }
        if let c = state.confirm {
            grid.fill(rect, " ", .warning)
            var question: ScreenText = "\(TerminalText(untainted: c.action.name)) \(TerminalText(untainted: c.id.description))"
            if let a = c.action.address { question = question + " " + ScreenText(TerminalText(untainted: a)) }
            let end = grid.put(rect.y, rect.x, question + "? y/n", .warning, limit: rect.width)
            let irreversible: ScreenText = c.action == .remove ? "  (cannot be undone)" : c.action == .giveUp ? "  (sends a bounce)" : ""
            grid.putHint(rect.y, from: end, in: rect, [irreversible], .warning)
            return
        }
        if let prompt = state.prompt {
            drawStatus(status, prompt: prompt, rect: rect, grid: &grid)
            return
        }
        if let note = state.note {
            grid.fill(rect, " ", state.noteIsError ? .warning : .bar)
            grid.put(rect.y, rect.x, " " + ScreenText(note), state.noteIsError ? .warning : .bar, limit: rect.width)
            return
        }
        drawStatus(status, prompt: nil, rect: rect, grid: &grid)
    }

    /// The status line, or the search prompt while one is open.
    static func drawStatus(_ status: StatusModel, prompt: String?, rect: Rect, grid: inout ScreenGrid) {
        grid.fill(rect, " ", .bar)
        if let prompt {
            let col = grid.put(rect.y, rect.x, "Search log: ", .bar, limit: rect.width)
            let end = grid.put(rect.y, col, ScreenText(TerminalText(untainted: prompt)), .bar, limit: rect.maxX - col)
            grid.put(rect.y, end, "_", .bar, limit: rect.maxX - end)
            grid.putHint(rect.y, from: end + 1, in: rect, ["   (Enter search, Esc cancel)"], .bar)
            return
        }
        grid.put(rect.y, rect.x, " " + ScreenText(status.joined(separator: " | ")), .bar, limit: rect.width)
    }
}

/// What a frame needs besides the models and the view state.
struct FrameExtras {
    /// The queue's message rows (for the selection), nil before the first refresh.
    var navigator: QueueNavigator?
    /// Why actions are off, nil when they are allowed.
    var actionsReason: String?
}
