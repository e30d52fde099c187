import EximFormats
import Store

/// What a pool pane shows, computed from plain values (a `PoolSnapshot`, a quoted pool,
/// or statistics and a history from anywhere, such as a replay's snapshots): the name and
/// taint label, the figure texts, the block chain row and the sparkline levels. The
/// curses pane, the plain frame and the replay view draw this; none computes it again.
public struct PoolPaneModel: Sendable, Equatable {
    /// The pool's name as Exim prints it (`main`, ...), or `quoted <quoter>`.
    public var name: String
    /// Whether the pool holds tainted memory.
    public var isTainted: Bool
    /// Exim's figures for the pool, with its chain.
    public var statistics: PoolStatistics
    /// Bytes held at recent refreshes (oldest first), for the sparkline.
    public var history: [Int]
    /// Bytes in use: the used parts of the chain's blocks.
    public let usedBytes: Int
    /// What the chain row draws over the blocks: the mark and what the last reset freed.
    public var overlay: ChainOverlay

    /// A pane for any pool's statistics and history (and, optionally, its mark and what
    /// its last reset freed).
    public init(name: String, isTainted: Bool, statistics: PoolStatistics, history: [Int] = [],
                overlay: ChainOverlay = .none) {
        self.name = name
        self.isTainted = isTainted
        self.statistics = statistics
        self.history = history
        self.overlay = overlay
        usedBytes = statistics.chain.reduce(0) { $0 + max(0, $1.used) }
    }

    /// A pane for one of the ten paired pools.
    public init(kind: PoolKind, isTainted: Bool, statistics: PoolStatistics, history: [Int] = []) {
        self.init(name: kind.description, isTainted: isTainted, statistics: statistics, history: history)
    }

    /// A pane for a monitor (or replay) pool snapshot.
    public init(_ pool: PoolSnapshot) {
        self.init(name: pool.kind.description, isTainted: pool.isTainted, statistics: pool.statistics,
                  history: pool.history,
                  overlay: ChainOverlay(mark: pool.mark, freed: pool.freed, shadesAboveMark: pool.kind == .main))
    }

    /// A pane for a quoted pool (its memory is tainted: quoted pools hold quoted data).
    public init(_ quoted: QuotedPoolSnapshot) {
        self.init(name: "quoted " + quoted.quoterName, isTainted: true, statistics: quoted.statistics)
    }

    /// `main` or `tainted main`: the taint unmistakable in plain text.
    public var label: String { isTainted ? "tainted " + name : name }

    /// The taint label of a pane: `TAINTED` (`TAINT` when `short`) or `clean`.
    public func taintLabel(short: Bool) -> String {
        isTainted ? (short ? "TAINT" : "TAINTED") : "clean"
    }

    /// Bytes in use, Exim's short size form (`1.2K`).
    public var usedText: String { EximSize.short(usedBytes) }
    /// Bytes held (blocks and their headers), Exim's short size form.
    public var heldText: String { EximSize.short(statistics.bytes) }
    /// The high-water mark of bytes held, Exim's short size form.
    public var maxText: String { EximSize.short(statistics.maxBytes) }

    /// One-row figures: `1.2K/16K` (used / held).
    public var compactFigures: String { usedText + "/" + heldText }
    /// The header row's figures: `1.2K used / 16K held  2 blk  order 13`.
    public var figures: String {
        "\(usedText) used / \(heldText) held  \(statistics.blocks) blk  order \(statistics.order)"
    }
    /// The maxima: `max 32K 3 blk order 14`.
    public var maxima: String {
        "max \(maxText) \(statistics.maxBlocks) blk order \(statistics.maxOrder)"
    }
    /// The plain frame's columns: `  1.2K/   16K   2   32K  13` (used/held, blocks, max, order).
    public var columnFigures: String {
        func right(_ s: String, _ w: Int) -> String { s.count >= w ? s : String(repeating: " ", count: w - s.count) + s }
        return right(usedText, 6) + "/" + right(heldText, 6) + " " + right(String(statistics.blocks), 3) + " "
            + right(maxText, 5) + " " + right(String(statistics.order), 3)
    }
    /// The header of `columnFigures`.
    public static let columnHeader = "  USED/  HELD BLK   MAX ORD"

    /// The block chain in `width` columns, with the mark and the freed cells drawn over it.
    public func chain(width: Int) -> ChainRow { ChainRow(statistics, width: width, overlay: overlay) }

    /// The mark's position, `2+88`, or `-` when the pool has none (the plain frame's MARK column).
    public var markText: String { overlay.mark?.compactText ?? "-" }
    /// Bytes in use above the mark (what a reset to it would give back), or nil without a mark.
    public var bytesAboveMark: Int? { overlay.mark?.bytesInUseAbove(in: statistics) }

    /// The sparkline of bytes held in `width` columns (see `Sparkline.levels`).
    public func sparkline(width: Int, levels: Int = 8) -> [Int?] {
        Sparkline.levels(history, width: width, levels: levels)
    }
}
