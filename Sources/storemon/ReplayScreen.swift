import CNcurses
import CTermGuard
import EximTrace
import Foundation
import Glibc
import Store
import StoreReplay
import StoremonCore

/// What the replay view shows besides the snapshot: the controller's state.
struct ReplayViewState {
    var traceName: String
    var speed: Double
    var paused = false
    var showHelp = false
    /// Follow the current record's process, or show the selected one.
    var follow = true
    var selected: Int?
    /// Recent records (already quoted), oldest first.
    var recent: [ScreenText] = []
    /// Per process id: bytes per pool sampled once a frame (sparklines).
    var history: [Int: [[Int]]] = [:]
    /// Waiting for more input from a live pipe.
    var waitingForInput = false
    /// The last lines of the command's own stdout (`--exec`), quoted.
    var commandOutput: [ScreenText] = []
}

/// Draws one frame of `storemon replay` from a `ReplaySnapshot` (plain values from the one
/// replay engine) and the controller's state: pure, no engine, no live store, nothing lazy.
/// (Kept apart from the controller so it can move onto StoremonCore's pane models.)
enum ReplayView {
    static func render(_ snap: ReplaySnapshot, _ ui: ReplayViewState, width: Int, height: Int, unicode: Bool) -> ScreenGrid {
        var grid = ScreenGrid(width: width, height: height, unicode: unicode)
        let layout = ScreenLayout.compute(width: width, height: height)
        if layout.mode == .tooSmall {
            ScreenRenderer.drawTooSmall(&grid)
            return grid
        }
        // title
        grid.fill(layout.title, " ", .bar)
        var col = grid.put(0, 0, "storemon replay", .bar, limit: width)
        let state: ScreenText = snap.isFinished ? "  END OF TRACE (q quits)" : (ui.paused ? "  PAUSED" : (ui.waitingForInput ? "  waiting for input" : ""))
        col = grid.put(0, col, state, snap.isFinished || ui.paused ? .warning : .bar, limit: width - col)
        let speedText: ScreenText = ui.speed > 0 ? "\(Int(ui.speed)) records/s" : "full speed"
        col = grid.put(0, col, "  \(speedText)  \(snap.memoryRecords) memory records  \(snap.lineMismatches) mismatching  ", .bar, limit: width - col)
        grid.put(0, col, ScreenText(quoting: TaintedString(tainting: ui.traceName)), .bar, limit: width - col)

        // pools of the shown process
        let shown = shownProcess(snap, ui)
        if let p = shown {
            let h = ui.history[p.id] ?? Array(repeating: [], count: 10)
            for (i, rect) in layout.pools.enumerated() where i < p.pools.count {
                let pool = PoolSnapshot(index: i, kind: PoolKind(rawValue: i % 5) ?? .main, isTainted: i >= 5,
                                        statistics: p.pools[i], history: i < h.count ? h[i] : [])
                PoolPane.draw(pool, in: rect, grid: &grid)
            }
            grid.vline(layout.pools[0].y, layout.poolDivider, 5 * layout.poolRows)
        } else {
            grid.put(layout.pools[0].y, 1, snap.isFinished ? "every process has ended (q quits)" : "no memory record applied yet (Right steps, space runs)", .dim)
        }

        // records pane: the current record last, highlighted; the command's output after it
        let records = layout.log
        grid.fill(Rect(x: records.x, y: records.y, width: records.width, height: 1), " ", .header)
        grid.put(records.y, records.x, ui.commandOutput.isEmpty ? " Records (current last)" : " Records (current last), then the command's output", .header, limit: records.width)
        let rows = max(0, records.height - 1)
        let outRows = ui.commandOutput.isEmpty ? 0 : min(ui.commandOutput.count, rows / 3)
        let recRows = rows - outRows
        let recent = ui.recent.suffix(recRows)
        for (i, line) in recent.enumerated() {
            let isLast = i == recent.count - 1
            grid.put(records.y + 1 + i, records.x, line, isLast ? .matchCurrent : .normal, limit: records.width)
        }
        for (i, line) in ui.commandOutput.suffix(outRows).enumerated() {
            grid.put(records.y + 1 + recRows + i, records.x, "│ " + line, .dim, limit: records.width)
        }

        // process list
        let procs = layout.queue
        grid.fill(Rect(x: procs.x, y: procs.y, width: procs.width, height: 1), " ", .header)
        grid.put(procs.y, procs.x, ui.follow ? " Processes: \(snap.liveProcesses) live (following the current record; Tab selects)"
                                             : " Processes: \(snap.liveProcesses) live (selected; a follows the current record)", .header, limit: procs.width)
        for (i, p) in snap.processes.prefix(max(0, procs.height - 1)).enumerated() {
            let isShown = p.id == shown?.id
            let pid: ScreenText = p.pid.map { "\($0)" } ?? "?"
            let line: ScreenText = "  \(pid) \(ScreenText(quoting: TaintedString(tainting: p.purpose)))  \(p.records) records  \(bytes: p.bytesInPools) in pools"
            grid.put(procs.y + 1 + i, procs.x, line, isShown ? .bold : .normal, limit: procs.width)
            if isShown { grid.set(procs.y + 1 + i, procs.x, grid.glyphs.focus, .bold) }
        }

        // status: keys, then the check summary so far
        grid.fill(layout.status, " ", .bar)
        let keys: ScreenText = " space pause | Right step | +/- speed | Tab process | ? help | q quit | "
        let c2 = grid.put(layout.status.y, 0, keys, .bar, limit: width)
        grid.put(layout.status.y, c2, ScreenText(quoting: TaintedString(tainting: snap.summary)), .bar, limit: width - c2)
        if ui.showHelp { drawHelp(&grid) }
        return grid
    }

    /// The process whose pools are shown.
    static func shownProcess(_ snap: ReplaySnapshot, _ ui: ReplayViewState) -> ProcessSnapshot? {
        if !ui.follow, let sel = ui.selected, let p = snap.processes.first(where: { $0.id == sel }) { return p }
        if let c = snap.currentProcessID, let p = snap.processes.first(where: { $0.id == c }) { return p }
        return snap.processes.first
    }

    /// One line about a record: trace line, pid, operation, pool, Exim's function and line (quoted).
    static func describe(_ r: RecordSummary) -> ScreenText {
        var t: ScreenText = "\(r.line)"
        if let pid = r.pid { t = t + " [\(pid)]" }
        t = t + " " + ScreenText(quoting: TaintedString(tainting: r.operation))
        if let pool = r.pool { t = t + " pool " + ScreenText(quoting: TaintedString(tainting: pool)) }
        if let f = r.function { t = t + " " + ScreenText(quoting: TaintedString(tainting: f)) + ":\(r.sourceLine ?? 0)" }
        return t
    }

    static func drawHelp(_ grid: inout ScreenGrid) {
        let lines: [ScreenText] = [
            "storemon replay keys",
            "",
            "space  p      pause / run",
            "Right  s      apply one memory record (pauses)",
            "+  -          faster / slower",
            "Tab           next process (Shift-Tab previous)",
            "a             follow the current record's process",
            "q  F10        quit (the check summary follows)",
        ]
        let w = min(grid.width - 2, 52), h = min(grid.height - 2, lines.count + 2)
        guard w > 10, h > 2 else { return }
        let box = Rect(x: (grid.width - w) / 2, y: (grid.height - h) / 2, width: w, height: h)
        grid.fill(box, " ", .help)
        for (i, line) in lines.prefix(h - 2).enumerated() {
            grid.put(box.y + 1 + i, box.x + 2, line, i == 0 ? .bold : .help, limit: w - 4)
        }
    }
}

/// The animated view's controller: reads keys (from the controlling terminal when stdin is
/// the trace), steps the session without blocking on a live pipe, samples snapshots and
/// draws them. At the end of input the final state stays until `q`; waiting is idle.
final class ReplayScreen {
    private let session: ReplaySession
    private let terminal: CursesTerminal
    private var ui: ReplayViewState
    private var snap: ReplaySnapshot
    /// The command's stdout (`--exec`), drained elsewhere; read each frame.
    private let commandOutput: (() -> [String])?

    /// How many recent records the record pane keeps.
    static let recentLimit = 200

    /// Whether a replay screen can be shown (stdout is a terminal).
    static var isAvailable: Bool { isatty(1) != 0 }

    /// Runs the animated replay until `q` or a signal; the caller prints the check summary
    /// afterwards. Keys are read from `keyboard` (a descriptor on the terminal). Throws
    /// `StartError` when the terminal cannot be used.
    static func run(_ session: ReplaySession, traceName: String, speed: Double, keyboard: Int32,
                    commandOutput: (() -> [String])? = nil, color: Bool = true) throws {
        let terminal: CursesTerminal
        do {
            terminal = try CursesTerminal(color: color && (ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty, input: keyboard)
        } catch {
            throw StartError(description: error.description)
        }
        let screen = ReplayScreen(session: session, terminal: terminal, traceName: traceName, speed: speed, commandOutput: commandOutput)
        let signal = screen.loop()
        terminal.close()
        if signal != 0 {
            Glibc.signal(signal, SIG_DFL)
            raise(signal)
        }
    }

    private init(session: ReplaySession, terminal: CursesTerminal, traceName: String, speed: Double, commandOutput: (() -> [String])?) {
        self.session = session
        self.terminal = terminal
        ui = ReplayViewState(traceName: traceName, speed: speed)
        snap = session.snapshot()
        self.commandOutput = commandOutput
    }

    /// The key and step loop; returns the signal that ended it, or 0 for `q`.
    private func loop() -> Int32 {
        var last = Date()
        var owed = 0.0
        draw()
        while true {
            let quit = tg_quit_requested()
            if quit != 0 { return quit }
            // Idle while paused or at the end: wait for a key (a second at a time, for signals).
            let idle = ui.paused || session.isFinished
            if let key = terminal.readKey(milliseconds: idle ? 1000 : (ui.waitingForInput ? 100 : 20)) {
                if terminal.isResize(key) { draw(); continue }
                if !handle(key) { return 0 }
                draw()
                continue
            }
            let now = Date()
            let elapsed = now.timeIntervalSince(last)
            last = now
            if idle {
                if refreshCommandOutput() { draw() }
                continue
            }
            owed += ui.speed > 0 ? elapsed * ui.speed : 20_000
            owed = min(owed, 100_000)
            let steps = Int(owed)
            owed -= Double(steps)
            var applied = 0
            var blocked = false
            while applied < steps {
                switch stepOnce() {
                case .applied: applied += 1
                case .wouldBlock: blocked = true
                case .end: blocked = true
                }
                if blocked { break }
            }
            if blocked { owed = 0 }
            let wasWaiting = ui.waitingForInput
            ui.waitingForInput = blocked && !session.isFinished
            if applied > 0 || session.isFinished || wasWaiting != ui.waitingForInput || refreshCommandOutput() {
                snap = session.snapshot()
                sample()
                draw()
            }
        }
    }

    private enum StepResult { case applied, wouldBlock, end }

    /// Applies records up to the next memory record, without blocking.
    private func stepOnce() -> StepResult {
        while true {
            switch session.stepIfReady() {
            case .wouldBlock: return .wouldBlock
            case .end: return .end
            case .applied(let r):
                guard r.event.isMemory, let summary = session.replay.currentSummary else { continue }
                ui.recent.append(ReplayView.describe(summary))
                if ui.recent.count > ReplayScreen.recentLimit { ui.recent.removeFirst(ui.recent.count - ReplayScreen.recentLimit) }
                return .applied
            }
        }
    }

    /// Takes the command's latest output lines; true when they changed.
    private func refreshCommandOutput() -> Bool {
        guard let commandOutput else { return false }
        let lines = commandOutput().suffix(50).map { ScreenText(quoting: TaintedString(tainting: $0)) }
        if lines.count == ui.commandOutput.count, lines.last == ui.commandOutput.last { return false }
        ui.commandOutput = Array(lines)
        return true
    }

    /// Records each shown process's bytes per pool for the sparklines (once per frame).
    private func sample() {
        for p in snap.processes.prefix(16) {
            var h = ui.history[p.id] ?? Array(repeating: [], count: 10)
            for i in 0..<min(10, p.pools.count) {
                h[i].append(p.pools[i].bytes)
                if h[i].count > PoolSnapshot.historyLength { h[i].removeFirst(h[i].count - PoolSnapshot.historyLength) }
            }
            ui.history[p.id] = h
        }
        if ui.history.count > 256 {
            let live = Set(snap.processes.map(\.id))
            ui.history = ui.history.filter { live.contains($0.key) }
        }
    }

    /// Handles a key; false means quit.
    private func handle(_ key: Int32) -> Bool {
        if ui.showHelp {
            ui.showHelp = false
            return key != Int32(UInt8(ascii: "q"))
        }
        switch key {
        case Int32(UInt8(ascii: "q")), Int32(UInt8(ascii: "Q")), KeyMap.f10: return false
        case Int32(UInt8(ascii: "?")), Int32(UInt8(ascii: "h")), KeyMap.f1: ui.showHelp = true
        case Int32(UInt8(ascii: " ")), Int32(UInt8(ascii: "p")): ui.paused.toggle()
        case KEY_RIGHT, Int32(UInt8(ascii: "s")):
            ui.paused = true
            _ = stepOnce()
            snap = session.snapshot()
            sample()
        case Int32(UInt8(ascii: "+")), Int32(UInt8(ascii: "=")):
            ui.speed = ui.speed <= 0 ? 0 : min(100_000, ui.speed * 2)
        case Int32(UInt8(ascii: "-")), Int32(UInt8(ascii: "_")):
            ui.speed = ui.speed <= 0 ? 10_000 : max(1, ui.speed / 2)
        case 9, KEY_BTAB:
            selectProcess(forward: key == 9)
        case Int32(UInt8(ascii: "a")):
            ui.follow = true
        default: break
        }
        return true
    }

    /// Moves the process selector (and stops following the record's process).
    private func selectProcess(forward: Bool) {
        let all = snap.processes
        guard !all.isEmpty else { return }
        let current = ReplayView.shownProcess(snap, ui)?.id
        let index = all.firstIndex { $0.id == current } ?? 0
        let next = (index + (forward ? 1 : all.count - 1)) % all.count
        ui.selected = all[next].id
        ui.follow = false
    }

    /// Draws a frame.
    private func draw() {
        let (w, h) = terminal.size
        terminal.show(ReplayView.render(snap, ui, width: w, height: h, unicode: terminal.unicode))
    }
}
