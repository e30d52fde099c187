/// The panes that Tab moves the focus between (the scrollable ones).
enum FocusPane: Int, CaseIterable, Sendable {
    /// The log tail.
    case log
    /// The queue.
    case queue

    /// The next pane in Tab order.
    var next: FocusPane { self == .log ? .queue : .log }
}

/// What the user changed at run time (ordinary Swift state, not in any pool):
/// focus, scroll positions, overlays, the search being typed.
struct ViewState: Sendable {
    /// The focused pane.
    var focus: FocusPane = .log
    /// Log lines scrolled back from the bottom (0 follows new lines).
    var logScroll = 0
    /// Queue rows scrolled down from the top.
    var queueScroll = 0
    /// Whether the help overlay is shown.
    var showHelp = false
    /// Whether refreshes are paused.
    var paused = false
    /// Seconds between refreshes.
    var interval: Double
    /// The search text being typed, while the prompt is open.
    var prompt: String?
    /// Whether the terminal supports colour (and colour is wanted).
    var color = true

    /// Creates the state for a refresh interval.
    init(interval: Double) { self.interval = interval }

    /// The allowed refresh intervals, as `+`/`-` step through them.
    static let intervals: [Double] = [0.1, 0.2, 0.25, 0.5, 1, 2, 3, 5, 10, 15, 30, 60]

    /// The next longer (`+`) or shorter (`-`) interval.
    static func step(_ current: Double, longer: Bool) -> Double {
        if longer { return intervals.first(where: { $0 > current + 1e-9 }) ?? current }
        return intervals.last(where: { $0 < current - 1e-9 }) ?? current
    }
}
