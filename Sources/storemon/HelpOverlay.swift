/// The help overlay (`?`, `h`, F1): the keys, in a box in the middle of the screen.
enum HelpOverlay {
    /// The lines of the help text.
    static let lines: [ScreenText] = [
        "storemon keys",
        "",
        "q  F10        quit",
        "?  h  F1      this help (any key closes it)",
        "space  p      pause / resume refreshing",
        ".             step: run the next phase of a refresh",
        "+  -          longer / shorter refresh interval",
        "r             clear the maxima and refresh now",
        "/             search the log tail (Enter runs it)",
        "n  N          next / previous match",
        "Esc           close the search or this help",
        "Tab           focus the log, queue or processes pane",
        "Up Down       scroll the focused pane a line",
        "PgUp PgDn     scroll it a page",
        "Home End      to the oldest / newest",
        "              (in the queue: move the selection)",
        "Left Right    scroll sideways",
        "Enter         open the selected message (b body,",
        "              l message log, Esc closes)",
        "f t d g x     freeze thaw deliver give-up remove",
        "a m           add recipient / mark delivered (y/n)",
        "c z s w       pools full/pairs/hidden, zoom, charts,",
        "              Exim processes",
        "D I           show dates / pids in the log",
        "",
        "Panes: each pool and its tainted twin side by side;",
        "block chain cells are proportional to block size,",
        "filled = used, the marked block is the current one.",
        "In main's chains the mark is a bar; the shade after it",
        "is what a reset gives back; freed cells fade after it.",
        "",
        "A refresh, phase by phase (p pauses, then . steps):",
        " mark      note where main's free space starts",
        " read log  new log lines into tainted main",
        " queue     rescan the queue into the message pools",
        " search    an open / search scans the tail",
        " snapshot  copy out what the screen shows",
        " reset     give back everything above the mark",
        "           (keep-one rule: a small next block stays)",
    ]

    /// Draws the overlay centred in `area`.
    static func draw(in area: Rect, grid: inout ScreenGrid) {
        let width = min(area.width - 2, (lines.map(\.columns).max() ?? 0) + 4)
        let height = min(area.height - 2, lines.count + 2)
        guard width > 10, height > 2 else { return }
        let box = Rect(x: area.x + (area.width - width) / 2, y: area.y + (area.height - height) / 2,
                       width: width, height: height)
        grid.fill(box, " ", .help)
        grid.hline(box.y, box.x, box.width, .help)
        grid.hline(box.maxY - 1, box.x, box.width, .help)
        grid.vline(box.y, box.x, box.height, .help)
        grid.vline(box.y, box.maxX - 1, box.height, .help)
        for (i, line) in lines.prefix(height - 2).enumerated() {
            grid.put(box.y + 1 + i, box.x + 2, line, i == 0 ? .bold : .help, limit: width - 4)
        }
    }
}
