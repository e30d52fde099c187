import Store

/// One of the ten paired pools as it stood at the end of a refresh's work
/// (before the reset), plus its recent history for a sparkline.
public struct PoolSnapshot: Sendable, Equatable {
    /// Exim's pool number, 0...9 (5...9 are the tainted twins of 0...4).
    public var index: Int
    /// The pool's kind (main, perm, config, search, message).
    public var kind: PoolKind
    /// Whether this is the tainted twin.
    public var isTainted: Bool
    /// Exim's figures for the pool: bytes, blocks, maxima, order, the block chain.
    public var statistics: PoolStatistics
    /// Bytes held (`statistics.bytes`) at the last refreshes, oldest first, at most
    /// `PoolSnapshot.historyLength` values, the last one being this refresh.
    public var history: [Int]
    /// Where the mark a reset of this pool would return to lies: main's and tainted main's
    /// refresh mark, the message pools' queue mark, the search pools' search mark; nil
    /// when the pool has no mark (or no block yet).
    public var mark: MarkPosition?
    /// What the pool's last reset gave back, while it is still shown (fading), or nil.
    public var freed: FreedRegion?

    /// How many refreshes a pool's history keeps (the sparkline's width).
    public static let historyLength = 120

    /// Creates a pool snapshot.
    public init(index: Int, kind: PoolKind, isTainted: Bool, statistics: PoolStatistics, history: [Int],
                mark: MarkPosition? = nil, freed: FreedRegion? = nil) {
        self.index = index
        self.kind = kind
        self.isTainted = isTainted
        self.statistics = statistics
        self.history = history
        self.mark = mark
        self.freed = freed
    }

    /// The pool's name as Exim prints it: `main`, `perm`, `config`, `search` or `message`
    /// (`PoolKind`'s description, Exim's `pooluse[]` word).
    public var name: String { kind.description }

    /// A label that makes the taint unmistakable, e.g. `main` or `tainted main`.
    public var label: String { isTainted ? "tainted " + name : name }
}

/// A quoted pool (Exim's per-quoter pools, which are never reset): its quoter and figures.
public struct QuotedPoolSnapshot: Sendable, Equatable {
    /// The quoter's name (e.g. a lookup type such as `mysql`).
    public var quoterName: String
    /// The quoter's number.
    public var quoterID: Int
    /// Exim's figures for the pool.
    public var statistics: PoolStatistics

    /// Creates a quoted pool snapshot.
    public init(quoterName: String, quoterID: Int, statistics: PoolStatistics) {
        self.quoterName = quoterName
        self.quoterID = quoterID
        self.statistics = statistics
    }
}
