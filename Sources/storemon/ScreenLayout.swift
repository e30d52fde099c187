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

    /// Computes the layout for a terminal of `width` x `height` cells, with up to
    /// `captionRows` caption rows above the status line (given only while the log and
    /// queue keep at least 3 rows each).
    static func compute(width: Int, height: Int, captionRows: Int = 0) -> ScreenLayout {
        var l = ScreenLayout(mode: .tooSmall, width: max(0, width), height: max(0, height))
        guard width >= minimumWidth, height >= minimumHeight else { return l }
        let rows: Int
        if height >= 34 && width >= 90 { rows = 3 } else if height >= 24 && width >= 60 { rows = 2 } else { rows = 1 }
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
        let top = 1 + 5 * rows
        var rest = height - 1 - top
        let captions = max(0, min(captionRows, 5, rest - 6))
        if captions > 0 {
            rest -= captions
            l.caption = Rect(x: 0, y: height - 1 - captions, width: width, height: captions)
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
