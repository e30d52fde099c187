/// The panes that Tab moves the focus between (the scrollable ones).
enum FocusPane: Int, CaseIterable, Sendable {
    /// The log tail.
    case log
    /// The queue.
    case queue

    /// The next pane in Tab order.
    var next: FocusPane { self == .log ? .queue : .log }
}

/// What the user changed in the view (ordinary Swift state, not in any pool): focus,
/// scroll positions, overlays, the search being typed. The interval and the pause are
/// the session's `RunState` (StoremonCore), not kept here.
struct ViewState: Sendable {
    /// The focused pane.
    var focus: FocusPane = .log
    /// Log lines scrolled back from the bottom (0 follows new lines).
    var logScroll = 0
    /// Queue rows scrolled down from the top.
    var queueScroll = 0
    /// Whether the help overlay is shown.
    var showHelp = false
    /// The search text being typed, while the prompt is open.
    var prompt: String?
    /// Whether the terminal supports colour (and colour is wanted).
    var color = true
    /// `--explain`: narrate the refresh phases under the panes.
    var explain = false
}
