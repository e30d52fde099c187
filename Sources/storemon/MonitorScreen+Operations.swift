import Foundation
import EximFormats
import StoremonCore

/// The monitor's operations (issue 12): the queue selection, the message overlay, actions
/// through Exim with their `y`/`n` question and address prompt, the delivery output pane,
/// pool collapse, zoom, charts and processes toggles, sideways scrolling, and a log that
/// stays on the same lines while new ones arrive.
extension MonitorScreen {
    /// Why actions are off (nil: they are allowed). Decided once, by `EximActions`.
    var actionsReason: String? { model.actions.availability.reason }

    /// The layout for the terminal's size and the user's choices.
    func layout(width: Int, height: Int) -> ScreenLayout {
        ScreenLayout.compute(width: width, height: height,
                             options: state.layoutOptions(processCount: view?.snapshot.processes.count ?? 0,
                                                          captionRows: CaptionModel(view?.snapshot, explain: state.explain)
                                                              .wrapped(width: max(1, width - 1)).count))
    }

    /// Body rows of the focused pane (or of the overlay / output pane over it).
    func focusedBodyRows(width: Int, height: Int) -> Int {
        if state.overlay != nil { return MessageOverlay.bodyRows(height: height) }
        let l = layout(width: width, height: height)
        switch state.focus {
        case .log: return l.log.bodyRows
        case .queue: return l.queue.bodyRows
        case .processes: return l.processes.bodyRows
        }
    }

    /// After a refresh: the selection follows its message, the scrolled-back log its lines.
    func afterNewView() {
        guard let view else { return }
        let nav = QueueNavigator(view.queue)
        navigator = nav
        state.selected = nav.reselect(id: state.selectedID, index: state.selected ?? 0)
        state.selectedID = state.selected.map { nav.ids[$0] }
        if let anchor = state.logAnchor {
            let tail = view.snapshot.log.tail
            if let index = MonitorScreen.tailIndex(of: anchor, in: tail) {
                state.logScroll = tail.count - 1 - index
            } else {
                // the line left the tail: stay at the oldest line kept
                state.logScroll = tail.count
                anchorLog()
            }
        }
    }

    /// Records which line the scrolled-back log shows at its bottom (nil: following).
    func anchorLog() {
        guard state.logScroll > 0, let tail = view?.snapshot.log.tail, !tail.isEmpty else {
            state.logAnchor = nil
            return
        }
        state.logAnchor = tail[max(0, tail.count - 1 - state.logScroll)].number
    }

    /// Binary search for a line number in the tail (numbers ascend).
    static func tailIndex(of number: Int, in tail: [LogTailLine]) -> Int? {
        var lo = 0, hi = tail.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if tail[mid].number < number { lo = mid + 1 } else { hi = mid }
        }
        return lo < tail.count && tail[lo].number == number ? lo : nil
    }

    /// Moves the queue selection: a message for Up/Down and Home/End, a page of rows for
    /// PgUp/PgDn.
    func moveSelection(by n: Int) {
        guard let nav = navigator, nav.count > 0 else { return }
        let from = state.selected ?? 0
        let to = abs(n) == 1 || abs(n) >= Int.max / 4 ? nav.moved(from, byMessages: n) : nav.moved(from, byRows: n)
        state.selected = to
        state.selectedID = nav.ids[to]
    }

    /// Keys for the prompts, the overlay and the output pane; true when the key was theirs.
    func handleOperations(_ key: Int32) -> Bool {
        if state.showHelp { return false }
        if let pending = state.confirm {
            guard let yes = KeyMap.answer(key) else { return true }   // only y or n answer
            state.confirm = nil
            if yes { start(pending) } else { note("\(pending.action.name) \(pending.id): not done") }
            return true
        }
        if let prompt = state.addressPrompt {
            switch KeyMap.editPrompt(prompt.text, key: key) {
            case .editing(let t):
                state.addressPrompt?.text = t
                state.addressPrompt?.problem = nil
            case .cancel: state.addressPrompt = nil
            case .submit(let text):
                let address = text.trimmingCharacters(in: .whitespaces)
                if let why = EximAction.problem(withAddress: address) {
                    state.addressPrompt?.text = address
                    state.addressPrompt?.problem = why
                } else {
                    state.addressPrompt = nil
                    let p = AddressPrompt(adds: prompt.adds, id: prompt.id, text: address)
                    state.confirm = PendingAction(action: p.action, id: p.id)
                }
            }
            return true
        }
        if state.prompt != nil { return false }
        if let overlay = state.overlay {
            let page = max(1, MessageOverlay.bodyRows(height: terminal.size.height) - 1)
            switch KeyMap.overlayKey(key) {
            case .close: state.overlay = nil
            case .body: reloadOverlay(page: MessageOverlayModel.toggled(overlay.page, to: .body), keepScroll: false)
            case .messageLog: reloadOverlay(page: MessageOverlayModel.toggled(overlay.page, to: .messageLog), keepScroll: false)
            case .act(let a): requestAction(a, id: overlay.id)
            case .scroll(let action):
                switch action {
                case .scrollLines(let n): state.overlayScroll = max(0, state.overlayScroll + n)
                case .scrollPage(let n): state.overlayScroll = max(0, state.overlayScroll + n * page)
                case .scrollHome: state.overlayScroll = 0
                case .scrollEnd: state.overlayScroll = overlay.lines.count
                case .scrollColumns(let n): state.overlayColumn = min(4096, max(0, state.overlayColumn + n))
                default: break
                }
            case .none: break
            }
            return true
        }
        if let output = state.output, key != 32 {   // space still pauses
            let rows = max(1, OutputPane.box(width: terminal.size.width, height: terminal.size.height).height - 1)
            let page = max(1, rows - 1)
            let most = max(0, output.lines.count - rows)   // the first page
            func scroll(_ n: Int) { state.output?.scroll = min(most, max(0, output.scroll + n)) }
            switch KeyMap.overlayKey(key) {
            case .close:
                state.output = nil
                if running != nil { note("the delivery goes on; its result will show in the status line") }
            case .scroll(.scrollLines(let n)): scroll(-n)     // back from the newest line
            case .scroll(.scrollPage(let n)): scroll(-n * page)
            case .scroll(.scrollHome): state.output?.scroll = most
            case .scroll(.scrollEnd): state.output?.scroll = 0
            default: return false
            }
            return true
        }
        return false
    }

    /// The operations keys of the main screen.
    func operation(_ action: KeyAction, page: Int) {
        switch action {
        case .openMessage:
            guard let id = state.selectedID else { return note("the queue is empty: no message to open") }
            state.overlayScroll = 0
            state.overlayColumn = 0
            state.overlay = model.messageOverlay(id: id, page: .message)
        case .act(let a):
            guard let id = state.selectedID else { return note("the queue is empty: no message to act on") }
            requestAction(a, id: id)
        case .cyclePools:
            state.pools = state.pools.next
            switch state.pools {
            case .auto: note("pool panes: full")
            case .pairs: note("pool panes: one line per pair")
            case .hidden: note("pool panes: hidden (c shows them)")
            }
        case .toggleZoom: state.zoomed.toggle()
        case .toggleCharts: state.showCharts.toggle()
        case .toggleProcesses:
            state.showProcesses.toggle()
            model.readsProcesses = state.showProcesses
            if !state.showProcesses && state.focus == .processes { state.focus = .log }
            if state.showProcesses { doRefresh() }
        case .toggleDate: state.showDate.toggle()
        case .togglePid: state.showPid.toggle()
        case .scrollColumns(let n):
            func moved(_ c: Int) -> Int { min(4096, max(0, c + n)) }
            switch state.focus {
            case .log: state.logColumn = moved(state.logColumn)
            case .queue: state.queueColumn = moved(state.queueColumn)
            case .processes: state.processColumn = moved(state.processColumn)
            }
        default: break
        }
    }

    /// An action key on message `id`: asks `y`/`n` (after the address for `a`/`m`), or
    /// says why actions are off.
    func requestAction(_ key: ActionKey, id text: String) {
        if let reason = actionsReason { return note("actions are off: " + reason, error: true) }
        guard let id = MessageID(text) else { return note("not a message id: \(text)", error: true) }
        if running != nil { return note("an action is still running; wait for its result", error: true) }
        if let action = key.action {
            state.confirm = PendingAction(action: action, id: id)
        } else {
            state.addressPrompt = AddressPrompt(adds: key == .addRecipient, id: id, text: "")
        }
    }

    /// Starts a confirmed action in the background.
    func start(_ pending: PendingAction) {
        let line = model.actions.commandLine(pending.action, on: pending.id).joined(separator: " ")
        running = model.actions.start(pending.action, on: pending.id)
        note("running " + line)
        if pending.action == .deliver {
            state.output = ActionOutput(title: TerminalText(untainted: line), state: TerminalText(untainted: "running"))
        }
    }

    /// Takes the running action's new output and, once it ended, its result (then refreshes
    /// so the queue shows what Exim did). True when something changed on screen.
    func pollAction() -> Bool {
        guard let run = running else { return false }
        var changed = false
        let lines = run.takeLines()
        if !lines.isEmpty, state.output != nil {
            state.output!.lines += lines
            let limit = EximActions.outputLimit
            if state.output!.lines.count > limit { state.output!.lines.removeFirst(state.output!.lines.count - limit) }
            changed = true
        }
        guard let result = run.result else { return changed }
        running = nil
        switch result {
        case .success(let r):
            state.note = r.summary
            state.noteIsError = !r.succeeded
            if r.action == .deliver { state.output?.state = r.summary }
        case .failure(let e):
            note(e.description, error: true)
            state.output?.state = TerminalText(untainted: e.description)
        }
        doRefresh()
        if let overlay = state.overlay, overlay.id == run.id.description {
            reloadOverlay(page: overlay.page, keepScroll: true)
        }
        return true
    }

    /// Reads the overlay's message again (after an action, or for another page).
    func reloadOverlay(page: MessageOverlayModel.Page, keepScroll: Bool) {
        guard let overlay = state.overlay else { return }
        state.overlay = model.messageOverlay(id: overlay.id, page: page)
        if !keepScroll { state.overlayScroll = 0; state.overlayColumn = 0 }
    }

    /// Puts a sentence in the status line until the next key.
    func note(_ text: String, error: Bool = false) {
        state.note = TerminalText(untainted: text)
        state.noteIsError = error
    }
}
