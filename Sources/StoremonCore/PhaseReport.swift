import EximFormats
import Store

/// How one pool changed during a phase, from its statistics before and after (values).
public struct PoolChange: Sendable, Equatable {
    /// The pool.
    public var pool: PoolID
    /// Bytes in use before and after the phase.
    public var usedBefore: Int, usedAfter: Int
    /// Blocks in the chain before and after.
    public var blocksBefore: Int, blocksAfter: Int
    /// Bytes held (blocks with their headers) before and after.
    public var heldBefore: Int, heldAfter: Int

    /// Arguments: the pool, its statistics before and after the phase. Pure.
    public init(_ pool: PoolID, before: PoolStatistics, after: PoolStatistics) {
        self.pool = pool
        usedBefore = before.usedBytes
        usedAfter = after.usedBytes
        blocksBefore = before.chain.count
        blocksAfter = after.chain.count
        heldBefore = before.bytes
        heldAfter = after.bytes
    }

    /// Bytes the pool handed out during the phase (net).
    public var bytesGot: Int { max(0, usedAfter - usedBefore) }
    /// Bytes in use that the phase gave back (net).
    public var bytesGivenBack: Int { max(0, usedBefore - usedAfter) }
    /// Blocks added to the chain.
    public var blocksAdded: Int { max(0, blocksAfter - blocksBefore) }
    /// Blocks freed from the chain.
    public var blocksGivenBack: Int { max(0, blocksBefore - blocksAfter) }
    /// Held bytes (blocks and headers) given back.
    public var heldGivenBack: Int { max(0, heldBefore - heldAfter) }
    /// Whether anything changed.
    public var changed: Bool { usedBefore != usedAfter || blocksBefore != blocksAfter || heldBefore != heldAfter }
}

/// What one phase of a refresh did, in figures taken from `Store`'s statistics before and
/// after it (values, never the store's internals), plus what the phase itself counted.
public struct PhaseReport: Sendable, Equatable {
    /// The phase.
    public var phase: RefreshPhase
    /// The refresh it belongs to (1 for the first).
    public var refresh: Int
    /// The pools that changed, in Exim's order.
    public var changes: [PoolChange]
    /// Where the refresh's mark lies in main and tainted main (nil before the mark and
    /// after the reset; main's is the cookie, tainted main's the watermark).
    public var mainMark: MarkPosition?, taintedMainMark: MarkPosition?
    /// Read log: lines read. Snapshot: lines in the tail.
    public var lines: Int
    /// Queue: messages queued. Snapshot: messages shown.
    public var messages: Int
    /// Search: matches in the tail.
    public var matches: Int
    /// Reset: blocks kept after the mark's block by Exim's keep-one rule (main pools).
    public var blocksKept: Int
    /// Bytes in use above the mark in main and tainted main after the phase (0 after a reset).
    public var bytesAboveMark: Int

    /// A report with the given figures (the session makes them; tests may too).
    public init(phase: RefreshPhase, refresh: Int, changes: [PoolChange], mainMark: MarkPosition? = nil,
                taintedMainMark: MarkPosition? = nil, lines: Int = 0, messages: Int = 0, matches: Int = 0,
                blocksKept: Int = 0, bytesAboveMark: Int = 0) {
        self.phase = phase
        self.refresh = refresh
        self.changes = changes
        self.mainMark = mainMark
        self.taintedMainMark = taintedMainMark
        self.lines = lines
        self.messages = messages
        self.matches = matches
        self.blocksKept = blocksKept
        self.bytesAboveMark = bytesAboveMark
    }

    /// Arguments: statistics before and after a phase. Result: the changes of every
    /// paired pool that changed. Pure.
    public static func changes(before: StoreStatistics, after: StoreStatistics) -> [PoolChange] {
        var out: [PoolChange] = []
        for i in 0..<min(before.pools.count, after.pools.count) {
            let c = PoolChange(PoolID(index: i)!, before: before.pools[i], after: after.pools[i])
            if c.changed { out.append(c) }
        }
        return out
    }

    /// Arguments: main's (or tainted main's) statistics just after a reset. Result: the
    /// blocks left after the current one: the block Exim's keep-one rule kept (0 or 1;
    /// a reset frees every other block after the mark's). Pure.
    public static func blocksKept(afterReset stats: PoolStatistics) -> Int {
        guard let current = stats.currentBlock else { return 0 }
        return max(0, stats.chain.count - 1 - current)
    }

    /// Bytes got across the pools that changed.
    public var bytesGot: Int { changes.reduce(0) { $0 + $1.bytesGot } }
    /// Bytes in use given back across the pools.
    public var bytesGivenBack: Int { changes.reduce(0) { $0 + $1.bytesGivenBack } }
    /// Blocks added across the pools.
    public var blocksAdded: Int { changes.reduce(0) { $0 + $1.blocksAdded } }
    /// Blocks given back across the pools.
    public var blocksGivenBack: Int { changes.reduce(0) { $0 + $1.blocksGivenBack } }
    /// Held bytes given back across the pools.
    public var heldGivenBack: Int { changes.reduce(0) { $0 + $1.heldGivenBack } }

    /// The change of one pool, if it changed.
    public func change(of pool: PoolID) -> PoolChange? { changes.first { $0.pool == pool } }
}
