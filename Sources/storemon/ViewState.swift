import EximFormats
import StoremonCore

/// The panes that Tab moves the focus between (the scrollable ones).
enum FocusPane: Int, CaseIterable, Sendable {
    /// The log tail.
    case log
    /// The queue.
    case queue
    /// The Exim processes (when shown).
    case processes

    /// The next pane in Tab order: log → queue → processes (when shown) → log.
    func next(processesShown: Bool) -> FocusPane {
        switch self {
        case .log: return .queue
        case .queue: return processesShown ? .processes : .log
        case .processes: return .log
        }
    }
}

/// An action waiting for its `y`/`n` in the status line.
struct PendingAction: Sendable {
    /// What to run.
    var action: EximAction
    /// On which message.
    var id: MessageID
}

/// The address prompt of `a` (add recipient) and `m` (mark delivered).
struct AddressPrompt: Sendable {
    /// Whether the address is added (`a`) or marked delivered (`m`).
    var adds: Bool
    /// On which message.
    var id: MessageID
    /// The text typed so far.
    var text: String
    /// Why the last address entered was refused, or nil.
    var problem: String?

    /// The action for the typed address.
    var action: EximAction { adds ? .addRecipient(text) : .markDelivered(text) }
}

/// The output pane of a running (or finished) `d` delivery: Exim's lines as they arrive.
struct ActionOutput: Sendable {
    /// The pane's title (`exim -v -M ID`).
    var title: TerminalText
    /// The lines so far (bounded by `EximActions.outputLimit`).
    var lines: [TerminalText] = []
    /// Rows scrolled back from the newest line (0 follows the output).
    var scroll = 0
    /// `running`, or the result's summary once it ended.
    var state: TerminalText
}

/// What the user changed in the view (ordinary Swift state, not in any pool): focus,
/// scroll positions, overlays, the search being typed. The interval and the pause are
/// the session's `RunState` (StoremonCore), not kept here.
struct ViewState: Sendable {
    /// The focused pane.
    var focus: FocusPane = .log
    /// Log lines scrolled back from the bottom (0 follows new lines).
    var logScroll = 0
    /// While scrolled back: the number of the newest line shown, so the view stays on the
    /// same lines while new ones arrive.
    var logAnchor: Int?
    /// Queue rows scrolled down from the top.
    var queueScroll = 0
    /// The selected message's index in the queue, or nil (empty queue).
    var selected: Int?
    /// The selected message's id (the selection follows it across refreshes).
    var selectedID: String?
    /// Columns scrolled sideways in the log, queue, processes and overlay (Left/Right).
    var logColumn = 0
    /// See `logColumn`.
    var queueColumn = 0
    /// See `logColumn`.
    var processColumn = 0
    /// Process rows scrolled down from the top.
    var processScroll = 0
    /// The message overlay (Enter), or nil.
    var overlay: MessageOverlayModel?
    /// Overlay lines scrolled down from the top.
    var overlayScroll = 0
    /// See `logColumn`.
    var overlayColumn = 0
    /// The delivery output pane (`d`), or nil.
    var output: ActionOutput?
    /// The action waiting for `y`/`n`.
    var confirm: PendingAction?
    /// The address prompt of `a`/`m`.
    var addressPrompt: AddressPrompt?
    /// A note for the status line (an action's result, why actions are off), until the next key.
    var note: TerminalText?
    /// Whether the note is an error (drawn as a warning).
    var noteIsError = false
    /// How the pool panes are shown (`c`).
    var pools: PoolDisplay = .auto
    /// Whether the stripchart row is shown (`s`).
    var showCharts = true
    /// Whether the processes pane is shown (`w`).
    var showProcesses = false
    /// Whether the focused pane fills the screen (`z`).
    var zoomed = false
    /// Whether log lines show their date (`D`).
    var showDate = false
    /// Whether log lines show Exim's process id (`I`).
    var showPid = false
    /// Whether the help overlay is shown.
    var showHelp = false
    /// The search text being typed, while the prompt is open.
    var prompt: String?
    /// Whether the terminal supports colour (and colour is wanted).
    var color = true
    /// `--explain`: narrate the refresh phases under the panes.
    var explain = false

    /// The layout options these choices ask for (with `captionRows` caption rows above
    /// the status line: `--explain`, `--poison`).
    func layoutOptions(processCount: Int, captionRows: Int = 0) -> LayoutOptions {
        LayoutOptions(pools: pools, charts: showCharts, processes: showProcesses,
                      processRows: processCount, zoom: zoomed ? focus : nil, captionRows: captionRows)
    }
}
