import Store
import StoremonCore

/// Draws one pool pane from its `PoolPaneModel`: name and taint label, figures, the block
/// chain row and the sparkline of bytes held. The model did the arithmetic; this only
/// places glyphs and styles. The monitor and the replay view both draw pools with it.
enum PoolPane {
    /// Draws a pool snapshot (the monitor's, or a replay's) into `rect` of `grid`.
    static func draw(_ pool: PoolSnapshot, in rect: Rect, grid: inout ScreenGrid) {
        draw(PoolPaneModel(pool), in: rect, grid: &grid)
    }

    /// Draws `pool` into `rect` of `grid` (1, 2 or 3 rows, as the layout decided).
    static func draw(_ pool: PoolPaneModel, in rect: Rect, grid: inout ScreenGrid) {
        guard !rect.isEmpty else { return }
        let x = rect.x, w = rect.width
        // header: name, taint label, figures
        var col = grid.put(rect.y, x, ScreenText(TerminalText(untainted: pool.name)).padded(to: 8), .bold, limit: w)
        let short = rect.height == 1 && w < 34
        let label = ScreenText(TerminalText(untainted: pool.taintLabel(short: short)))
        col = grid.put(rect.y, col, label, pool.isTainted ? .tainted : .clean, limit: rect.maxX - col)
        if !pool.isTainted && !short { col = grid.put(rect.y, col, "  ", .clean, limit: rect.maxX - col) }
        if rect.height == 1 {
            // main    clean 12K/32K ▂▃▅
            col = grid.put(rect.y, col, " \(TerminalText(untainted: pool.compactFigures)) ", .normal, limit: rect.maxX - col)
            drawSparkline(pool, y: rect.y, x: col, width: rect.maxX - col, grid: &grid)
            return
        }
        grid.put(rect.y, col, " \(TerminalText(untainted: pool.figures))", .normal, limit: rect.maxX - col)
        if rect.height == 2 {
            let sparkWidth = w >= 50 ? w / 4 : 0
            drawChain(pool, y: rect.y + 1, x: x, width: w - sparkWidth - (sparkWidth > 0 ? 1 : 0), grid: &grid)
            if sparkWidth > 0 { drawSparkline(pool, y: rect.y + 1, x: rect.maxX - sparkWidth, width: sparkWidth, grid: &grid) }
            return
        }
        drawChain(pool, y: rect.y + 1, x: x, width: w, grid: &grid)
        col = grid.put(rect.y + 2, x, "\(TerminalText(untainted: pool.maxima)) ", .dim, limit: w)
        drawSparkline(pool, y: rect.y + 2, x: col, width: rect.maxX - col, grid: &grid)
    }

    /// Draws the block chain row: the `+N ` prefix dim, each block's edge (the current
    /// block's marker), its used cells in the taint's colour, its free cells; the mark's
    /// cell, the used cells above it (what a reset would give back) in another shade, and
    /// what the last reset gave back fading over the next frames.
    static func drawChain(_ pool: PoolPaneModel, y: Int, x: Int, width: Int, grid: inout ScreenGrid) {
        guard width > 0 else { return }
        let row = pool.chain(width: width)
        if row.isEmptyChain {
            grid.put(y, x, ScreenText(TerminalText(untainted: ChainRow.emptyText)), .dim, limit: width)
            return
        }
        let g = grid.glyphs
        var col = grid.put(y, x, ScreenText(TerminalText(untainted: row.prefix)), .dim, limit: width)
        for cell in row.cells {
            switch cell {
            case .edge(let current):
                grid.set(y, col, current ? g.current : g.blockEdge, current ? .current : .dim)
            case .used(let current):
                grid.set(y, col, g.used, current ? .current : (pool.isTainted ? .usedTainted : .usedClean))
            case .free:
                grid.set(y, col, g.free, .free)
            case .mark:
                grid.set(y, col, g.mark, .mark)
            case .reclaimable:
                grid.set(y, col, g.reclaimable, .reclaim)
            case .freed(let fade):
                let fresh = fade < FreedRegion.fadeFrames / 2
                grid.set(y, col, fresh ? g.freed : g.freedFading, fresh ? .freedFresh : .freedFading)
            case .ghostEdge(let fade):
                grid.set(y, col, g.ghostEdge, fade < FreedRegion.fadeFrames / 2 ? .freedFresh : .freedFading)
            }
            col += 1
        }
    }

    /// Draws the sparkline of bytes held (the newest at the right).
    static func drawSparkline(_ pool: PoolPaneModel, y: Int, x: Int, width: Int, grid: inout ScreenGrid) {
        guard width > 0 else { return }
        let levels = grid.glyphs.spark
        for (i, level) in pool.sparkline(width: width, levels: levels.count).enumerated() {
            grid.set(y, x + i, level.map { levels[$0] } ?? " ", .spark)
        }
    }
}
