import CNcurses
import CTermGuard
import EximTrace
import Foundation
import Glibc
import Store
import StoreReplay
import StoremonCore

/// The animated view of `storemon replay TRACE`: the same ten pool panes as the live
/// monitor, drawn from the selected process's replayed `Store`, with the current record,
/// the records just applied, and a process selector.
///
/// Keys: space/p pause, Right single-steps (and pauses), +/- speed, Tab/Shift-Tab select
/// a process (`a` follows the record's process again), ? help, q quit.
final class ReplayScreen {
    private let session: ReplaySession
    private let terminal: CursesTerminal
    private let traceName: String
    private var speed: Double
    private var paused = false
    private var showHelp = false
    private var follow = true
    private var selected: ObjectIdentifier?
    private var recent: [ScreenText] = []
    private var history: [ObjectIdentifier: [[Int]]] = [:]
    private var applied = 0

    /// How many recent records the record pane keeps.
    static let recentLimit = 200

    /// Whether a replay screen can be shown (stdout is a terminal).
    static var isAvailable: Bool { isatty(1) != 0 }

    /// Runs the animated replay until `q` or a signal; the caller prints the check summary
    /// afterwards. Throws `StartError` when the terminal cannot be used.
    /// - Parameters: `session` (the replay), `traceName` (shown in the title), `speed`
    ///   (memory records per second; 0 = as fast as the screen allows), `color`.
    static func run(_ session: ReplaySession, traceName: String, speed: Double, color: Bool = true) throws {
        let terminal: CursesTerminal
        do {
            terminal = try CursesTerminal(color: color && (ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty)
        } catch {
            throw StartError(description: error.description)
        }
        let screen = ReplayScreen(session: session, terminal: terminal, traceName: traceName, speed: speed)
        let signal = screen.loop()
        terminal.close()
        if signal != 0 {
            Glibc.signal(signal, SIG_DFL)
            raise(signal)
        }
    }

    private init(session: ReplaySession, terminal: CursesTerminal, traceName: String, speed: Double) {
        self.session = session
        self.terminal = terminal
        self.traceName = traceName
        self.speed = speed
    }

    /// The key and step loop; returns the signal that ended it, or 0 for `q`.
    private func loop() -> Int32 {
        var last = Date()
        var owed = 0.0
        draw()
        while true {
            let quit = tg_quit_requested()
            if quit != 0 { return quit }
            if let key = terminal.readKey(milliseconds: 50) {
                if terminal.isResize(key) { draw(); continue }
                if !handle(key) { return 0 }
                draw()
                continue
            }
            let now = Date()
            let elapsed = now.timeIntervalSince(last)
            last = now
            guard !paused, !session.isFinished else { continue }
            owed += speed > 0 ? elapsed * speed : 5000
            let steps = Int(owed)
            owed -= Double(steps)
            if steps > 0 {
                for _ in 0..<min(steps, 100_000) where stepOnce() == false { break }
                sample()
                draw()
            }
        }
    }

    /// Applies the next memory record; false at the end of the trace.
    @discardableResult
    private func stepOnce() -> Bool {
        guard session.stepMemory() != nil, let step = session.current else {
            if session.isFinished { paused = true }
            return false
        }
        applied += 1
        recent.append(describe(step))
        if recent.count > ReplayScreen.recentLimit { recent.removeFirst(recent.count - ReplayScreen.recentLimit) }
        return true
    }

    /// Records each process's bytes per pool for the sparklines (once per frame).
    private func sample() {
        for p in session.processes {
            let id = ObjectIdentifier(p)
            let stats = p.store.statistics()
            var h = history[id] ?? Array(repeating: [], count: 10)
            for i in 0..<min(10, stats.pools.count) {
                h[i].append(stats.pools[i].bytes)
                if h[i].count > PoolSnapshot.historyLength { h[i].removeFirst(h[i].count - PoolSnapshot.historyLength) }
            }
            history[id] = h
        }
    }

    /// One line about a record: trace line, pid, operation, pool, Exim's function and line.
    private func describe(_ step: ReplayStep) -> ScreenText {
        var t: ScreenText = "\(step.record.line)"
        if let pid = step.pid { t = t + " [\(pid)]" }
        t = t + " " + ScreenText(quoting: TaintedString(tainting: step.operation))
        if let pool = step.pool { t = t + " pool " + ScreenText(quoting: TaintedString(tainting: pool)) }
        if let site = step.site {
            t = t + " " + ScreenText(quoting: TaintedString(tainting: site.function)) + ":\(site.line)"
        }
        return t
    }

    /// The process whose pools are shown.
    private var shownProcess: ProcessReplay? {
        let all = session.processes
        if follow, let p = session.current?.process { return p }
        if let selected, let p = all.first(where: { ObjectIdentifier($0) == selected }) { return p }
        return session.current?.process ?? all.first
    }

    /// Handles a key; false means quit.
    private func handle(_ key: Int32) -> Bool {
        if showHelp {
            showHelp = false
            return key != Int32(UInt8(ascii: "q"))
        }
        switch key {
        case Int32(UInt8(ascii: "q")), KeyMap.f10: return false
        case Int32(UInt8(ascii: "?")), Int32(UInt8(ascii: "h")), KeyMap.f1: showHelp = true
        case Int32(UInt8(ascii: " ")), Int32(UInt8(ascii: "p")): paused.toggle()
        case KEY_RIGHT, Int32(UInt8(ascii: "s")):
            paused = true
            stepOnce()
            sample()
        case Int32(UInt8(ascii: "+")), Int32(UInt8(ascii: "=")):
            speed = speed <= 0 ? 0 : min(100_000, speed * 2)
        case Int32(UInt8(ascii: "-")), Int32(UInt8(ascii: "_")):
            speed = speed <= 0 ? 10_000 : max(1, speed / 2)
        case 9, KEY_BTAB:
            selectProcess(forward: key == 9)
        case Int32(UInt8(ascii: "a")):
            follow = true
        default: break
        }
        return true
    }

    /// Moves the process selector (and stops following the record's process).
    private func selectProcess(forward: Bool) {
        let all = session.processes
        guard !all.isEmpty else { return }
        let current = shownProcess.map { ObjectIdentifier($0) }
        let index = all.firstIndex { ObjectIdentifier($0) == current } ?? 0
        let next = (index + (forward ? 1 : all.count - 1)) % all.count
        selected = ObjectIdentifier(all[next])
        follow = false
    }

    /// Draws a frame.
    private func draw() {
        let (w, h) = terminal.size
        terminal.show(render(width: w, height: h))
    }

    /// Renders a frame into a grid (pure apart from reading the session).
    private func render(width: Int, height: Int) -> ScreenGrid {
        var grid = ScreenGrid(width: width, height: height, unicode: terminal.unicode)
        let layout = ScreenLayout.compute(width: width, height: height)
        if layout.mode == .tooSmall {
            ScreenRenderer.drawTooSmall(&grid)
            return grid
        }
        // title
        grid.fill(layout.title, " ", .bar)
        var col = grid.put(0, 0, "storemon replay", .bar, limit: width)
        let state: ScreenText = session.isFinished ? "  END OF TRACE" : (paused ? "  PAUSED" : "")
        col = grid.put(0, col, state, session.isFinished || paused ? .warning : .bar, limit: width - col)
        let speedText: ScreenText = speed > 0 ? "\(Int(speed)) records/s" : "full speed"
        col = grid.put(0, col, "  \(speedText)  \(applied) memory records  ", .bar, limit: width - col)
        grid.put(0, col, ScreenText(quoting: TaintedString(tainting: traceName)), .bar, limit: width - col)

        // pools of the shown process
        let process = shownProcess
        let id = process.map { ObjectIdentifier($0) }
        if let process {
            let stats = process.store.statistics()
            let h = id.flatMap { history[$0] } ?? Array(repeating: [], count: 10)
            for (i, rect) in layout.pools.enumerated() where i < stats.pools.count {
                let pool = PoolSnapshot(index: i, kind: PoolKind(rawValue: i % 5) ?? .main, isTainted: i >= 5,
                                        statistics: stats.pools[i], history: h[i])
                PoolPane.draw(pool, in: rect, grid: &grid)
            }
            grid.vline(layout.pools[0].y, layout.poolDivider, 5 * layout.poolRows)
        } else {
            grid.put(layout.pools[0].y, 1, "no memory record applied yet (Right steps, space runs)", .dim)
        }

        // records pane (the log rectangle): the current record last, highlighted
        let records = layout.log
        grid.fill(Rect(x: records.x, y: records.y, width: records.width, height: 1), " ", .header)
        grid.put(records.y, records.x, " Records (current last)", .header, limit: records.width)
        let rows = max(0, records.height - 1)
        for (i, line) in recent.suffix(rows).enumerated() {
            let isLast = i == min(rows, recent.count) - 1
            grid.put(records.y + 1 + i, records.x, line, isLast ? .matchCurrent : .normal, limit: records.width)
        }

        // process selector (the queue rectangle)
        let procs = layout.queue
        grid.fill(Rect(x: procs.x, y: procs.y, width: procs.width, height: 1), " ", .header)
        grid.put(procs.y, procs.x, follow ? " Processes (following the current record; Tab selects)"
                                          : " Processes (selected; a follows the current record)", .header, limit: procs.width)
        for (i, p) in session.processes.prefix(max(0, procs.height - 1)).enumerated() {
            let isShown = ObjectIdentifier(p) == id
            let pid: ScreenText = p.pid.map { "\($0)" } ?? "?"
            let ended: ScreenText = p.isTerminated ? " (exited)" : ""
            let stats = p.store.statistics()
            let bytes = stats.pools.reduce(0) { $0 + $1.bytes }
            let line: ScreenText = "  \(pid) \(ScreenText(quoting: TaintedString(tainting: p.purpose)))\(ended)  \(p.memoryRecords) records  \(bytes: bytes) in pools"
            grid.put(procs.y + 1 + i, procs.x, line, isShown ? .bold : .normal, limit: procs.width)
            if isShown { grid.set(procs.y + 1 + i, procs.x, grid.glyphs.focus, .bold) }
        }

        // status
        grid.fill(layout.status, " ", .bar)
        grid.put(layout.status.y, 0, " space pause | Right step | +/- speed | Tab process | ? help | q quit", .bar, limit: width)
        if showHelp { ReplayScreen.drawHelp(&grid) }
        return grid
    }

    /// The replay's help box.
    private static func drawHelp(_ grid: inout ScreenGrid) {
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
