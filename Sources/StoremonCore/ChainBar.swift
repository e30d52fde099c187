import Store

/// A pool's block chain as a row of cells: each block gets cells in proportion to its
/// length (at least one), the used part filled, the current block marked. The screen
/// colours the cells; `text` spells them for plain output.
public enum ChainBar {
    /// One cell of the bar.
    public struct Cell: Sendable, Equatable {
        /// Index into the chain of the block this cell belongs to; nil for the `+N` overflow cells.
        public var block: Int?
        /// Whether the cell stands for used bytes of its block.
        public var filled: Bool
        /// Whether its block is the pool's current block.
        public var isCurrent: Bool
        /// Whether the cell is the first of its block (a drawer may put a boundary there).
        public var startsBlock: Bool
    }

    /// Lays out a chain in `width` cells (fewer when the chain is empty: then no cells).
    /// When there are more blocks than cells allow, the newest blocks are shown and the
    /// rest are left to the `+N` that `text` prints.
    public static func cells(_ stats: PoolStatistics, width: Int) -> [Cell] {
        cells(stats, width: width, minimum: 1)
    }

    static func cells(_ stats: PoolStatistics, width: Int, minimum: Int) -> [Cell] {
        // arguments: statistics with chain oldest first, `minimum` cells per block;
        // result: exactly `width` cells when the chain is not empty;
        // invariant: every shown block has at least `minimum` cells.
        let chain = stats.chain
        guard width >= minimum, minimum > 0, !chain.isEmpty else { return [] }
        let shown = min(chain.count, width / minimum)
        let firstShown = chain.count - shown
        let blocks = Array(chain[firstShown...])
        let total = max(1, blocks.reduce(0) { $0 + max(0, $1.length) })
        // Proportional widths, `minimum` cells each, remainder by largest fraction.
        var widths = blocks.map { _ in minimum }
        var spare = width - shown * minimum
        if spare > 0 {
            let shares = blocks.map { Double(max(0, $0.length)) / Double(total) * Double(spare) }
            for i in widths.indices { widths[i] += Int(shares[i]) }
            spare = width - widths.reduce(0, +)
            let order = blocks.indices.sorted { shares[$0] - Double(Int(shares[$0])) > shares[$1] - Double(Int(shares[$1])) }
            var k = 0
            while spare > 0 && !order.isEmpty { widths[order[k % order.count]] += 1; spare -= 1; k += 1 }
        }
        var result: [Cell] = []
        for (i, block) in blocks.enumerated() {
            let index = firstShown + i
            let n = widths[i]
            let fraction = block.length > 0 ? Double(min(max(0, block.used), block.length)) / Double(block.length) : 0
            var filled = Int((fraction * Double(n)).rounded())
            if block.used > 0 && filled == 0 { filled = 1 }
            for c in 0..<n {
                result.append(Cell(block: index, filled: c < filled, isCurrent: stats.currentBlock == index, startsBlock: c == 0))
            }
        }
        return result
    }

    /// The bar as plain text in exactly `width` columns: `|` starts each block, `#` used,
    /// `.` free, `=`/`-` used/free in the current block; `+N` first when N older blocks
    /// do not fit. Empty pools give `(empty)`.
    public static func text(_ stats: PoolStatistics, width: Int) -> String {
        guard width > 0 else { return "" }
        if stats.chain.isEmpty { return pad("(empty)", width) }
        // Each block needs two columns (its '|' and one cell); older blocks that do not
        // fit are summed up as "+N ".
        var prefix = ""
        var shown = stats.chain.count
        if shown * 2 > width {
            for _ in 0..<3 {
                prefix = "+\(stats.chain.count - shown) "
                shown = max(0, (width - prefix.count) / 2)
            }
            prefix = "+\(stats.chain.count - shown) "
            if prefix.count > width { return pad("+\(stats.chain.count)", width) }
        }
        let room = width - prefix.count
        let hiddenBlocks = stats.chain.count - shown
        var visible = stats
        visible.chain = Array(stats.chain.suffix(shown))
        visible.currentBlock = stats.currentBlock.map { $0 - hiddenBlocks }
        // Each block starts with '|', which takes one of its cells.
        var out = prefix
        for cell in cells(visible, width: room, minimum: 2) {
            if cell.startsBlock { out += "|"; continue }
            out += cell.isCurrent ? (cell.filled ? "=" : "-") : (cell.filled ? "#" : ".")
        }
        return pad(out, width)
    }

    private static func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? String(s.prefix(width)) : s + String(repeating: " ", count: width - s.count)
    }
}
