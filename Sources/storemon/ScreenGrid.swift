import StoremonCore

/// A rectangle of character cells (the pure layout works in these).
struct Rect: Equatable, Sendable {
    /// Left column.
    var x: Int
    /// Top row.
    var y: Int
    /// Columns.
    var width: Int
    /// Rows.
    var height: Int

    /// A rectangle.
    init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x; self.y = y; self.width = max(0, width); self.height = max(0, height)
    }

    /// The empty rectangle.
    static let zero = Rect(x: 0, y: 0, width: 0, height: 0)

    /// Whether it covers no cell.
    var isEmpty: Bool { width <= 0 || height <= 0 }
    /// One past the right column.
    var maxX: Int { x + width }
    /// One past the bottom row.
    var maxY: Int { y + height }
    /// The rows of a pane below its header row.
    var bodyRows: Int { max(0, height - 1) }

    /// Whether two rectangles share a cell.
    func intersects(_ o: Rect) -> Bool {
        !isEmpty && !o.isEmpty && x < o.maxX && o.x < maxX && y < o.maxY && o.y < maxY
    }

    /// Whether `o` lies inside this rectangle.
    func contains(_ o: Rect) -> Bool {
        o.isEmpty || (o.x >= x && o.y >= y && o.maxX <= maxX && o.maxY <= maxY)
    }
}

/// One screen cell: the character drawn there and its style. A wide character
/// occupies its cell and the next one, which is marked `isContinuation`.
struct Cell: Equatable, Sendable {
    /// The character (a space for blank cells).
    var character: Character = " "
    /// How the cell is drawn.
    var style: Style = .normal
    /// The right half of a wide character (nothing is drawn there).
    var isContinuation = false
}

/// An in-memory screen: the panes draw into it, then the terminal copies it out.
/// Tests read it back as text rows.
struct ScreenGrid: Sendable {
    /// Columns.
    let width: Int
    /// Rows.
    let height: Int
    /// The glyph set in use.
    let glyphs: Glyphs
    /// Whether non-ASCII characters may be drawn (a UTF-8 locale).
    let unicode: Bool
    /// Cells, row by row.
    private(set) var cells: [Cell]

    /// A blank grid.
    init(width: Int, height: Int, unicode: Bool = true) {
        self.width = max(0, width)
        self.height = max(0, height)
        self.unicode = unicode
        self.glyphs = unicode ? .unicode : .ascii
        cells = Array(repeating: Cell(), count: self.width * self.height)
    }

    /// The cell at (row, column).
    subscript(y: Int, x: Int) -> Cell {
        cells[y * width + x]
    }

    /// Draws `text` at (y, x), clipped to `limit` columns (and the grid); returns the
    /// column after the last one drawn.
    @discardableResult
    mutating func put(_ y: Int, _ x: Int, _ text: ScreenText, _ style: Style = .normal, limit: Int = Int.max) -> Int {
        guard y >= 0, y < height else { return x }
        let end = min(width, x + max(0, min(limit, width)))
        var col = x
        for ch in text.content {
            var c = ch
            if !unicode, !(ch.isASCII) { c = "?" }
            let w = DisplayWidth.of(c)
            if w == 0 { continue }   // combining marks are dropped rather than misplaced
            if col + w > end { break }
            if col >= 0 {
                cells[y * width + col] = Cell(character: c, style: style)
                if w == 2 { cells[y * width + col + 1] = Cell(character: " ", style: style, isContinuation: true) }
            }
            col += w
        }
        return col
    }

    /// Sets one cell to a glyph (clipped to the grid).
    mutating func set(_ y: Int, _ x: Int, _ ch: Character, _ style: Style) {
        guard y >= 0, y < height, x >= 0, x < width else { return }
        cells[y * width + x] = Cell(character: ch, style: style)
    }

    /// Fills a rectangle with one character.
    mutating func fill(_ r: Rect, _ ch: Character = " ", _ style: Style = .normal) {
        for y in max(0, r.y)..<min(height, r.maxY) where r.x < width {
            for x in max(0, r.x)..<min(width, max(r.x, r.maxX)) {
                cells[y * width + x] = Cell(character: ch, style: style)
            }
        }
    }

    /// Draws a scrollable pane's header row: the bar, the title with the focus marker, then
    /// `parts` separated by spaces. Result: the rows left below it for the pane's body.
    mutating func paneHeader(_ title: ScreenText, _ parts: [ScreenText], focused: Bool, in rect: Rect) -> Int {
        let style: Style = focused ? .headerFocused : .header
        fill(Rect(x: rect.x, y: rect.y, width: rect.width, height: 1), " ", style)
        let col = put(rect.y, rect.x, title, style, limit: rect.width)
        if focused { set(rect.y, rect.x, glyphs.focus, style) }
        put(rect.y, col, ScreenText.joined(parts, separator: " "), style, limit: rect.maxX - col)
        return rect.bodyRows
    }

    /// Draws a dim note in a pane's first body row (no lines, no queue, a reason).
    mutating func paneNote(_ note: ScreenText, in rect: Rect) {
        put(rect.y + 1, rect.x + 1, note, .dim, limit: rect.width - 1)
    }

    /// Draws a horizontal rule.
    mutating func hline(_ y: Int, _ x: Int, _ length: Int, _ style: Style = .dim) {
        for i in 0..<max(0, length) { set(y, x + i, glyphs.hline, style) }
    }

    /// Draws a vertical rule.
    mutating func vline(_ y: Int, _ x: Int, _ length: Int, _ style: Style = .dim) {
        for i in 0..<max(0, length) { set(y + i, x, glyphs.vline, style) }
    }

    /// The grid as text rows (trailing spaces kept), for tests and debugging.
    var rows: [String] {
        (0..<height).map { y in
            var s = ""
            for x in 0..<width where !cells[y * width + x].isContinuation { s.append(cells[y * width + x].character) }
            return s
        }
    }
}
