import Store
import StoremonCore

/// Draws one pool pane: name and taint label, figures, the block chain as cells
/// proportional to block size (used part filled, current block marked) and a sparkline
/// of bytes held over the last refreshes.
enum PoolPane {
    /// Draws `pool` into `rect` of `grid` (1, 2 or 3 rows, as the layout decided).
    static func draw(_ pool: PoolSnapshot, in rect: Rect, grid: inout ScreenGrid) {
        guard !rect.isEmpty else { return }
        let s = pool.statistics
        let inUse = s.chain.reduce(0) { $0 + max(0, $1.used) }
        let name = nameText(pool.kind)
        let x = rect.x, w = rect.width
        if rect.height == 1 {
            // main    clean  12K/32K ▂▃▅
            var col = grid.put(rect.y, x, name.padded(to: 8), .bold, limit: w)
            col = drawLabel(pool.isTainted, short: w < 34, y: rect.y, x: col, grid: &grid, limit: rect.maxX - col)
            col = grid.put(rect.y, col, " \(bytes: inUse)/\(bytes: s.bytes) ", .normal, limit: rect.maxX - col)
            drawSparkline(pool.history, y: rect.y, x: col, width: rect.maxX - col, grid: &grid)
            return
        }
        // header row
        var col = grid.put(rect.y, x, name.padded(to: 8), .bold, limit: w)
        col = drawLabel(pool.isTainted, short: false, y: rect.y, x: col, grid: &grid, limit: rect.maxX - col)
        let figures: ScreenText = " \(bytes: inUse) used / \(bytes: s.bytes) held  \(s.blocks) blk  order \(s.order)"
        col = grid.put(rect.y, col, figures, .normal, limit: rect.maxX - col)
        if rect.height == 2 {
            let sparkWidth = w >= 50 ? w / 4 : 0
            drawChain(s, tainted: pool.isTainted, y: rect.y + 1, x: x, width: w - sparkWidth - (sparkWidth > 0 ? 1 : 0), grid: &grid)
            if sparkWidth > 0 { drawSparkline(pool.history, y: rect.y + 1, x: rect.maxX - sparkWidth, width: sparkWidth, grid: &grid) }
            return
        }
        drawChain(s, tainted: pool.isTainted, y: rect.y + 1, x: x, width: w, grid: &grid)
        let maxima: ScreenText = "max \(bytes: s.maxBytes) \(s.maxBlocks) blk order \(s.maxOrder) "
        col = grid.put(rect.y + 2, x, maxima, .dim, limit: w)
        drawSparkline(pool.history, y: rect.y + 2, x: col, width: rect.maxX - col, grid: &grid)
    }

    /// The pool's name (a literal per kind).
    static func nameText(_ kind: PoolKind) -> ScreenText {
        switch kind {
        case .main: return "main"
        case .perm: return "perm"
        case .config: return "config"
        case .search: return "search"
        case .message: return "message"
        }
    }

    /// Draws the taint label ("clean" in green, "TAINTED" in red); returns the next column.
    static func drawLabel(_ tainted: Bool, short: Bool, y: Int, x: Int, grid: inout ScreenGrid, limit: Int) -> Int {
        if tainted {
            return grid.put(y, x, short ? "TAINT" : "TAINTED", .tainted, limit: limit)
        }
        return grid.put(y, x, short ? "clean" : "clean  ", .clean, limit: limit)
    }

    /// Cells per block, proportional to block length, at least one each; blocks that do
    /// not fit are left out (the caller shows how many).
    static func cellWidths(_ chain: [BlockStatistics], available: Int) -> [Int] {
        guard available > 0, !chain.isEmpty else { return [] }
        let shown = min(chain.count, available)
        let total = chain.prefix(shown).reduce(0) { $0 + max(1, $1.length) }
        var widths = [Int](repeating: 1, count: shown)
        var spare = available - shown
        if spare > 0 {
            // share the spare cells by length (largest remainder keeps the total exact)
            var parts: [(Int, Double)] = []
            var given = 0
            for i in 0..<shown {
                let exact = Double(spare) * Double(max(1, chain[i].length)) / Double(total)
                let whole = Int(exact)
                widths[i] += whole
                given += whole
                parts.append((i, exact - Double(whole)))
            }
            spare -= given
            for (i, _) in parts.sorted(by: { $0.1 > $1.1 }).prefix(spare) { widths[i] += 1 }
        }
        return widths
    }

    /// Draws the block chain: one run of cells per block, used part filled, a marker
    /// in front of the current block.
    static func drawChain(_ s: PoolStatistics, tainted: Bool, y: Int, x: Int, width: Int, grid: inout ScreenGrid) {
        guard width > 0 else { return }
        if s.chain.isEmpty {
            grid.put(y, x, "(no blocks)", .dim, limit: width)
            return
        }
        let g = grid.glyphs
        // one separator column per block (the edge, or the current marker)
        var available = width - s.chain.count
        var overflow: ScreenText = .empty
        var count = s.chain.count
        if available < count {
            // not every block fits: keep the newest that do, note the rest
            count = max(1, (width - 4) / 2)
            overflow = "+\(s.chain.count - count)"
            available = width - count - overflow.columns
        }
        let first = s.chain.count - count
        let blocks = Array(s.chain[first...])
        let widths = cellWidths(blocks, available: max(count, available))
        var col = x
        let end = x + width
        if !overflow.isEmpty { col = grid.put(y, col, overflow, .dim, limit: width) }
        for (i, block) in blocks.enumerated() where i < widths.count && col < end {
            let isCurrent = s.currentBlock == first + i
            grid.set(y, col, isCurrent ? g.current : g.blockEdge, isCurrent ? .current : .dim)
            col += 1
            let cells = widths[i]
            let filled = block.length > 0
                ? min(cells, Int((Double(cells) * Double(max(0, block.used)) / Double(block.length)).rounded(.up)))
                : 0
            for c in 0..<cells where col + c < end {
                let usedCell = c < filled
                grid.set(y, col + c, usedCell ? g.used : g.free,
                         usedCell ? (isCurrent ? .current : (tainted ? .usedTainted : .usedClean)) : .free)
            }
            col += cells
        }
    }

    /// Draws a sparkline of `values` (the newest at the right), scaled to their maximum.
    static func drawSparkline(_ values: [Int], y: Int, x: Int, width: Int, grid: inout ScreenGrid) {
        guard width > 0 else { return }
        let shown = values.suffix(width)
        let top = shown.max() ?? 0
        let levels = grid.glyphs.spark
        var col = x + (width - shown.count)
        for v in shown {
            let level = top > 0 ? min(levels.count - 1, (max(0, v) * (levels.count - 1) + top - 1) / top) : 0
            grid.set(y, col, levels[level], .spark)
            col += 1
        }
    }
}
