import CTermGuard
import Foundation
import StoremonCore

/// The live monitor: a timeout-based key loop that runs a refresh cycle every interval,
/// draws the snapshot, and handles keys and resizes (ncurses turns SIGWINCH into
/// KEY_RESIZE; no handler of our own).
final class MonitorScreen {
    let model: MonitorModel
    let terminal: CursesTerminal
    var state = ViewState()
    /// The panes' models for the last snapshot (built once per refresh or search change).
    var view: MonitorViewModel?
    /// The queue's message rows for the selection (built with `view`).
    var navigator: QueueNavigator?
    /// The action running in the background, if any (its output goes to `state.output`).
    var running: EximActionRun?
    var nextRefresh = Date()

    /// Creates the screen over an opened terminal; the interval and pause are the model's.
    init(model: MonitorModel, terminal: CursesTerminal, explain: Bool = false) {
        self.model = model
        self.terminal = terminal
        self.state.color = terminal.color
        self.state.explain = explain
    }

    /// How the screen ended.
    enum Outcome: Equatable {
        /// `q` or F10.
        case quit
        /// SIGINT, SIGTERM or SIGHUP asked to stop.
        case signal(Int32)
        /// A refresh failed (the store refused): the reason.
        case failed(String)
        /// The terminal hung up (its input ended and it is a terminal).
        case inputEnded
    }

    var failure: String?

    /// Runs until `q`, F10 or a signal asks to quit, or a refresh fails.
    func run() -> Outcome {
        doRefresh()
        draw()
        while true {
            if let failure { return .failed(failure) }
            let quit = tg_quit_requested()
            if quit != 0 { return .signal(quit) }
            if terminal.input == .hungUp { return .inputEnded }
            // short waits: ncurses may sit out a whole timeout before it reports a resize
            // (KEY_RESIZE comes with the next getch), so never wait more than 100 ms
            let untilRefresh = nextRefresh.timeIntervalSinceNow
            let wait = model.run.paused ? 100 : Int(max(0, min(0.1, untilRefresh)) * 1000)
            if pollAction() { draw() }
            if let key = terminal.readKey(milliseconds: wait) {
                if terminal.isResize(key) { draw(); continue }
                if !handle(key) { return .quit }
                draw()
                continue
            }
            if !model.run.paused && Date() >= nextRefresh {
                doRefresh()
                draw()
            }
        }
    }

    /// One refresh cycle (after clearing the maxima, for `r`); schedules the next one.
    func doRefresh(clearingMaxima: Bool = false) {
        let s: Snapshot
        do {
            s = clearingMaxima ? try model.refreshClearingMaxima() : try model.refresh()
        } catch {
            failure = "refresh failed: \(error)"
            return
        }
        view = MonitorViewModel(s, recipientLimit: QueuePane.maxAddresses, reusing: view)
        nextRefresh = Date().addingTimeInterval(model.run.interval)
        afterNewView()
    }

    /// `.`: runs the next phase of the refresh (pausing first) and shows the state after it.
    private func doStep() {
        model.run.paused = true
        do {
            let step = try model.step()
            view = MonitorViewModel(step.snapshot, recipientLimit: QueuePane.maxAddresses, reusing: view)
        } catch {
            failure = "refresh phase failed: \(error)"
            return
        }
        afterNewView()
    }

    /// Draws the current snapshot at the terminal's size.
    func draw() {
        let (w, h) = terminal.size
        clampScroll(width: w, height: h)
        terminal.show(ScreenRenderer.render(view, state: state, run: model.run,
                                            width: w, height: h, unicode: terminal.unicode,
                                            extras: FrameExtras(navigator: navigator, actionsReason: actionsReason)))
    }

    /// Handles one key; false means quit.
    private func handle(_ key: Int32) -> Bool {
        state.note = nil
        if handleOperations(key) { return true }
        if let text = state.prompt {
            switch KeyMap.editPrompt(text, key: key) {
            case .editing(let t): state.prompt = t
            case .cancel: state.prompt = nil
            case .submit(let query):
                state.prompt = nil
                if query.isEmpty { break }
                do {
                    view = view?.with(search: try model.search(query))
                } catch {
                    failure = "search failed: \(error)"
                }
                followSearch()
            }
            return true
        }
        let action = KeyMap.action(for: key, helpShown: state.showHelp, searchOpen: view?.snapshot.search != nil)
        let (w, h) = terminal.size
        let page = max(1, focusedBodyRows(width: w, height: h) - 1)
        switch action {
        case .quit: return false
        case .help: state.showHelp = true
        case .closeOverlay: state.showHelp = false
        case .pause:
            model.run.paused.toggle()
            if !model.run.paused { nextRefresh = Date() }
        case .stepPhase:
            doStep()
        case .longerInterval, .shorterInterval:
            model.run.step(longer: action == .longerInterval)
            nextRefresh = Date().addingTimeInterval(model.run.interval)
        case .refreshNow:
            doRefresh(clearingMaxima: true)
        case .openSearch: state.prompt = ""
        case .nextMatch, .previousMatch:
            view = view?.with(search: model.moveMatch(forward: action == .nextMatch))
            followSearch()
        case .closeSearch:
            do { try model.closeSearch() } catch { failure = "closing the search failed: \(error)" }
            view = view?.with(search: nil)
        case .focusNext: state.focus = state.focus.next(processesShown: state.showProcesses)
        case .openMessage, .act, .cyclePools, .toggleZoom, .toggleCharts, .toggleProcesses,
             .toggleDate, .togglePid, .scrollColumns:
            operation(action, page: page)
        case .scrollLines(let n): scroll(by: n)
        case .scrollPage(let n): scroll(by: n * page)
        case .scrollHome: scroll(by: Int.min / 2)
        case .scrollEnd: scroll(by: Int.max / 2)
        case .none: break
        }
        return true
    }

    /// Scrolls the focused pane by `n` rows (positive: towards newer log lines / later messages).
    func scroll(by n: Int) {
        switch state.focus {
        case .log:
            state.logScroll = max(0, state.logScroll - n)   // log scroll counts back from the bottom
            anchorLog()
        case .queue: moveSelection(by: n)
        case .processes: state.processScroll = max(0, state.processScroll + n)
        }
    }

    /// Keeps scroll positions within what the panes can show.
    private func clampScroll(width: Int, height: Int) {
        let layout = self.layout(width: width, height: height)
        guard let view, layout.mode != .tooSmall else { return }
        if !layout.log.isEmpty {
            state.logScroll = min(state.logScroll, view.log.maxScroll(rows: layout.log.bodyRows))
        }
        if !layout.queue.isEmpty {
            let rows = layout.queue.bodyRows
            state.queueScroll = navigator.map { nav in
                state.selected.map { nav.scroll(showing: $0, scroll: state.queueScroll, visible: rows) }
                    ?? min(state.queueScroll, nav.rowCount)
            } ?? 0
            state.queueScroll = min(state.queueScroll, view.queue.maxScroll(rows: rows))
        }
        if let overlay = state.overlay {
            state.overlayScroll = min(state.overlayScroll, overlay.maxScroll(rows: MessageOverlay.bodyRows(height: height)))
        }
    }

    /// Scrolls the log so the current match is in view.
    func followSearch() {
        let (w, h) = terminal.size
        let rows = layout(width: w, height: h).log.bodyRows
        guard let scroll = view?.log.scrollShowingCurrentMatch(rows: rows, scroll: state.logScroll) else { return }
        state.logScroll = scroll
        anchorLog()
        if state.zoomed && state.focus != .log { state.zoomed = false }
        state.focus = .log
    }
}
