/// Where each part of the monitor goes for a terminal size: a pure function from
/// (width, height) to rectangles, kept apart from curses so it can be tested alone.
struct ScreenLayout: Equatable, Sendable {
    /// How much detail fits.
    enum Mode: Equatable, Sendable {
        /// Three rows per pool pane: header, block chain, maxima and sparkline.
        case full
        /// One or two rows per pool pane.
        case compact
        /// Below 40x12: only a one-line notice.
        case tooSmall
    }

    /// The smallest terminal that gets a layout.
    static let minimumWidth = 40
    /// The smallest terminal that gets a layout.
    static let minimumHeight = 12

    /// The detail level.
    var mode: Mode
    /// Terminal columns.
    var width: Int
    /// Terminal rows.
    var height: Int
    /// The title bar (top row).
    var title: Rect = .zero
    /// The ten pool panes, by Exim's pool index (0...4 left column, 5...9 right).
    var pools: [Rect] = []
    /// The column of the rule between untainted and tainted panes.
    var poolDivider: Int = 0
    /// Rows per pool pane (1, 2 or 3).
    var poolRows: Int = 0
    /// The log tail pane (its first row is the pane header).
    var log: Rect = .zero
    /// The queue pane (its first row is the pane header).
    var queue: Rect = .zero
    /// Whether log and queue stand side by side (wide terminals) rather than stacked.
    var sideBySide = false
    /// The status line (bottom row; the search prompt uses it too).
    var status: Rect = .zero
    /// Caption rows above the status line (`--explain`, `--poison`), empty when none fit.
    var caption: Rect = .zero
    /// The stripchart row (below the pools), empty when the charts are hidden.
    var charts: Rect = .zero
    /// The processes pane (its first row is the pane header), empty when hidden.
    var processes: Rect = .zero

    /// Computes the layout for a terminal of `width` x `height` cells (pools as the size
    /// allows, no charts, no processes pane, nothing zoomed).
    static func compute(width: Int, height: Int) -> ScreenLayout {
        compute(width: width, height: height, options: LayoutOptions())
    }

    /// Computes the layout for a terminal of `width` x `height` cells with the panes the
    /// user chose to show (`options`).
    static func compute(width: Int, height: Int, options: LayoutOptions) -> ScreenLayout {
        var l = ScreenLayout(mode: .tooSmall, width: max(0, width), height: max(0, height))
        guard width >= minimumWidth, height >= minimumHeight else { return l }
        var rows: Int
        if height >= 34 && width >= 90 { rows = 3 } else if height >= 24 && width >= 60 { rows = 2 } else { rows = 1 }
        switch options.pools {
        case .auto: break
        case .pairs: rows = 1
        case .hidden: rows = 0
        }
        if options.zoom != nil { rows = 0 }
        l.mode = rows == 3 ? .full : .compact
        l.poolRows = rows
        l.title = Rect(x: 0, y: 0, width: width, height: 1)
        l.status = Rect(x: 0, y: height - 1, width: width, height: 1)
        let left = (width - 1) / 2
        l.poolDivider = left
        let right = width - left - 1
        for i in 0..<10 {
            let row = i % 5
            let x = i < 5 ? 0 : left + 1
            l.pools.append(Rect(x: x, y: 1 + row * rows, width: i < 5 ? left : right, height: rows))
        }
        var top = 1 + 5 * rows
        if let zoom = options.zoom {
            let all = Rect(x: 0, y: 1, width: width, height: height - 2)
            switch zoom {
            case .log: l.log = all
            case .queue: l.queue = all
            case .processes: l.processes = all
            }
            return l
        }
        // the charts take a row of their own while log and queue keep 8 rows or more
        if options.charts, height - 1 - top - ScreenLayout.chartRows >= 8 {
            l.charts = Rect(x: 0, y: top, width: width, height: ScreenLayout.chartRows)
            top += ScreenLayout.chartRows
        }
        var rest = height - 1 - top
        // caption rows right above the status line, while log and queue keep 3 rows each
        let captions = max(0, min(options.captionRows, 5, rest - 6))
        if captions > 0 {
            rest -= captions
            l.caption = Rect(x: 0, y: height - 1 - captions, width: width, height: captions)
        }
        if options.processes {
            let processRows = min(max(3, options.processRows + 1), max(3, rest / 3))
            l.processes = Rect(x: 0, y: height - 1 - captions - processRows, width: width, height: processRows)
            rest -= processRows
        }
        if width >= 160 {
            l.sideBySide = true
            let logWidth = (width * 11) / 20
            l.log = Rect(x: 0, y: top, width: logWidth, height: rest)
            l.queue = Rect(x: logWidth + 1, y: top, width: width - logWidth - 1, height: rest)
        } else {
            let logRows = (rest + 1) / 2
            l.log = Rect(x: 0, y: top, width: width, height: logRows)
            l.queue = Rect(x: 0, y: top + logRows, width: width, height: rest - logRows)
        }
        return l
    }
}

/// What the user chose to show (keys `c`, `s`, `w`, `z`), for `ScreenLayout.compute`.
struct LayoutOptions: Equatable, Sendable {
    /// How the pool panes are shown.
    var pools: PoolDisplay = .auto
    /// Whether the stripchart row is shown.
    var charts = false
    /// Whether the processes pane is shown.
    var processes = false
    /// Body rows the processes pane would like (its process count).
    var processRows = 3
    /// The pane zoomed to the whole screen, if any.
    var zoom: FocusPane?
    /// Caption rows wanted above the status line (`--explain`, `--poison`).
    var captionRows = 0
}

/// How much room the pool panes get (`c` cycles it).
enum PoolDisplay: Equatable, Sendable {
    /// As the terminal's size allows: three, two or one rows per pool.
    case auto
    /// One line per pool pair (the pool beside its tainted twin).
    case pairs
    /// Not shown: log and queue get the room.
    case hidden

    /// The next state: full → one line per pair → hidden → full.
    var next: PoolDisplay {
        switch self {
        case .auto: return .pairs
        case .pairs: return .hidden
        case .hidden: return .auto
        }
    }
}

extension ScreenLayout {
    /// Rows of the stripchart row: a title row and four rows of bars.
    static let chartRows = 5
}
