import Store

/// A pool's block chain laid out in one row of columns: per shown block a boundary
/// column, then cells in proportion to the block's length (at least one), the used part
/// filled; the current block marked; `+N ` first when the N oldest blocks do not fit.
/// Computed once here; the curses pane and the plain frame only choose glyphs.
public struct ChainRow: Sendable, Equatable {
    /// One column of the row after the `+N ` prefix.
    public enum Cell: Sendable, Equatable {
        /// The first column of a block (a drawer puts a boundary or the current marker there).
        case edge(current: Bool)
        /// A cell that stands for used bytes of its block.
        case used(current: Bool)
        /// A cell that stands for free bytes of its block.
        case free(current: Bool)
        /// The cell where the pool's mark lies (`ChainOverlay.mark`).
        case mark(current: Bool)
        /// Used bytes above the mark: what a reset to it would give back.
        case reclaimable(current: Bool)
        /// Bytes the last reset gave back, `fade` frames ago (0 = just now; drawers dim
        /// it as it grows, up to `FreedRegion.fadeFrames - 1`).
        case freed(fade: Int)
        /// The first column of a block the last reset freed whole (a ghost after the chain).
        case ghostEdge(fade: Int)

        /// Whether the cell belongs to the pool's current block.
        public var isCurrent: Bool {
            switch self {
            case .edge(let c), .used(let c), .free(let c), .mark(let c), .reclaimable(let c): return c
            case .freed, .ghostEdge: return false
            }
        }
    }

    /// Blocks left out (the oldest) because they do not fit.
    public var hiddenBlocks: Int
    /// `+N ` when blocks are hidden (cut to the width when even that does not fit), else empty.
    public var prefix: String
    /// The columns after the prefix; `prefix.count + cells.count <= width`.
    public var cells: [Cell]
    /// True when the pool has no blocks at all (drawers show `ChainRow.emptyText`).
    public var isEmptyChain: Bool
    /// Which block (index into the chain) each cell belongs to.
    public var blockOfCell: [Int]

    /// What a drawer shows for a pool without blocks.
    public static let emptyText = "(empty)"

    /// Arguments: statistics with their chain (oldest block first), the columns to fill,
    /// and what to draw over the blocks (the mark, what the last reset freed). Result: the
    /// row. Invariant: never wider than `width`; every shown block has its edge and at
    /// least one cell; the newest blocks are the ones shown; blocks the last reset freed
    /// whole follow the chain as ghosts while `overlay.freed` is visible.
    public init(_ stats: PoolStatistics, width: Int, overlay: ChainOverlay = .none) {
        let chain = stats.chain
        let freed = overlay.freed.flatMap { $0.isVisible ? $0 : nil }
        let ghosts = freed?.blocks.filter { $0.wholeBlock && $0.index >= chain.count } ?? []
        let lengths = chain.map(\.length) + ghosts.map(\.length)
        let n = lengths.count
        hiddenBlocks = 0
        prefix = ""
        cells = []
        blockOfCell = []
        isEmptyChain = n == 0
        guard width > 0, n > 0 else { return }
        var shown = min(n, width / 2)
        while shown > 0 && shown < n && shown * 2 + "+\(n - shown) ".count > width { shown -= 1 }
        if shown < n {
            hiddenBlocks = n - shown
            prefix = "+\(hiddenBlocks) "
            if shown == 0 {
                prefix = String("+\(n)".prefix(width))
                return
            }
        }
        let first = n - shown
        let room = width - prefix.count - shown   // columns for cells, after one edge per block
        let widths = ChainRow.cellWidths(Array(lengths[first...]), available: room)
        cells.reserveCapacity(room + shown)
        for (k, cellCount) in widths.enumerated() {
            let index = first + k
            if index >= chain.count {
                // a block the last reset freed: a ghost, all of it given back
                let ghost = ghosts[index - chain.count]
                let fade = freed?.age ?? 0
                cells.append(.ghostEdge(fade: fade))
                blockOfCell.append(ghost.index)
                for _ in 0..<cellCount {
                    cells.append(.freed(fade: fade))
                    blockOfCell.append(ghost.index)
                }
                continue
            }
            let block = chain[index]
            let current = stats.currentBlock == index
            let fraction = block.length > 0 ? Double(min(max(0, block.used), block.length)) / Double(block.length) : 0
            var filled = Int((fraction * Double(cellCount)).rounded())
            if block.used > 0 && filled == 0 { filled = 1 }
            // the mark's cell, and which used cells lie above it
            var markCell: Int? = nil
            if let m = overlay.mark, m.block == index {
                markCell = block.length > 0 ? min(cellCount - 1, max(0, m.offset) * cellCount / block.length) : 0
            }
            func aboveMark(_ c: Int) -> Bool {
                guard let m = overlay.mark, overlay.shadesAboveMark else { return false }
                return index > m.block || (index == m.block && c > (markCell ?? cellCount))
            }
            // the cells whose bytes the last reset gave back
            var freedCells = 0..<0
            if let f = freed?.blocks.first(where: { $0.index == index }), block.length > 0 {
                let lo = min(cellCount, max(0, f.from) * cellCount / block.length)
                let hi = min(cellCount, (max(0, f.to) * cellCount + block.length - 1) / block.length)
                if hi > lo { freedCells = lo..<hi }
            }
            cells.append(.edge(current: current))
            blockOfCell.append(index)
            for c in 0..<cellCount {
                if c == markCell {
                    cells.append(.mark(current: current))
                } else if c < filled {
                    cells.append(aboveMark(c) ? .reclaimable(current: current) : .used(current: current))
                } else if freedCells.contains(c) {
                    cells.append(.freed(fade: freed?.age ?? 0))
                } else {
                    cells.append(.free(current: current))
                }
                blockOfCell.append(index)
            }
        }
    }

    /// Arguments: block lengths and the cells to share among them (at least one each).
    /// Result: cells per block, proportional to length, summing to exactly `available`
    /// (largest remainder), or one each when there are not enough.
    public static func cellWidths(_ lengths: [Int], available: Int) -> [Int] {
        guard !lengths.isEmpty else { return [] }
        var widths = [Int](repeating: 1, count: lengths.count)
        let spare = available - lengths.count
        guard spare > 0 else { return widths }
        let total = lengths.reduce(0) { $0 + max(1, $1) }
        var given = 0
        var remainders: [(Int, Double)] = []
        remainders.reserveCapacity(lengths.count)
        for (i, length) in lengths.enumerated() {
            let exact = Double(spare) * Double(max(1, length)) / Double(total)
            let whole = Int(exact)
            widths[i] += whole
            given += whole
            remainders.append((i, exact - Double(whole)))
        }
        for (i, _) in remainders.sorted(by: { $0.1 > $1.1 }).prefix(spare - given) { widths[i] += 1 }
        return widths
    }

    /// The row spelt in ASCII in exactly `width` columns: `|` starts each block (`>` the
    /// current one's), `#` used, `.` free, `=`/`-` used/free in the current block; `^` the
    /// mark, `~` used above it (a reset would give it back), `:` given back by the last
    /// reset (`,` when fading), `!` starts a block the last reset freed;
    /// `(empty)` for a pool without blocks.
    public func text(width: Int) -> String {
        var out = isEmptyChain ? ChainRow.emptyText : prefix
        for cell in cells {
            switch cell {
            case .edge: out += "|"
            case .used(let current): out += current ? "=" : "#"
            case .free(let current): out += current ? "-" : "."
            case .mark: out += "^"
            case .reclaimable: out += "~"
            case .freed(let fade): out += fade < 2 ? ":" : ","
            case .ghostEdge: out += "!"
            }
        }
        let n = out.count
        return n >= width ? String(out.prefix(width)) : out + String(repeating: " ", count: width - n)
    }
}
