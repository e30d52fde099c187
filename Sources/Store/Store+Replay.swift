/// Replay support (`@_spi(Replay) import Store`): what a tool needs to drive this store from a real Exim
/// `-d+memory` trace and reproduce Exim's figures.
///
/// * `cursor(of:)` / `cursor(ofQuoter:)`: a pool's next-yield address and bytes left,
///   to place the allocations a trace shows.
/// * `blockLocation(containing:inclusiveEnd:)`: the block holding an address (its pool,
///   data start, length); `inclusiveEnd: true` is the test reset uses.
/// * `releaseBlock(startingAt:)`: Exim's `store_release_3` on its own (what newblock
///   does after its get): prints `-Release` and `----Free`.
/// * `Store.Mark(cookie:)`: a mark from the cookie address a traced `Mrk` produced.
/// * `seedNonpoolCounters(...)`: the non-pool figures a trace cannot show (Exim's
///   start-up mallocs before debug output began).
/// * `callSiteOverride` (declared on `Store`): print a traced function name and line.
/// * `getQuoted(_:like:quoterID:)`: Exim 4.96's numeric quoter.

/// Where an address lies: its pool and its block.
@_spi(Replay)
public struct BlockLocation: Sendable, Equatable {
    /// The owning pool.
    public var owner: PoolOwner
    /// Index of the block in the pool's chain (oldest first).
    public var index: Int
    /// First data byte of the block (its header is 16 bytes before).
    public var dataStart: UInt
    /// Usable data bytes.
    public var length: Int
    /// True if this is the pool's current block.
    public var isCurrent: Bool

    /// One past the last data byte.
    public var dataEnd: UInt { dataStart + UInt(length) }
}

extension Store {
    /// A pool's cursor: where its next get starts and how many bytes its current block
    /// has left (`nextYield` nil and -1 before the pool's first block).
    @_spi(Replay)
    public func cursor(of pool: PoolID) -> (nextYield: UnsafeMutableRawPointer?, yieldLength: Int) {
        cursor(slot: pool.index)
    }

    /// The cursor of the quoted pool with `quoter.id`; nil if there is no such pool.
    @_spi(Replay)
    public func cursor(ofQuoter quoter: Quoter) -> (nextYield: UnsafeMutableRawPointer?, yieldLength: Int)? {
        quotedSlot(id: quoter.id).map { cursor(slot: $0) }
    }

    func cursor(slot i: Int) -> (nextYield: UnsafeMutableRawPointer?, yieldLength: Int) {
        handle[pool: i].current >= 0 ? (handle.nextYield(i), handle.yieldLength(i)) : (nil, -1)
    }

    /// The block whose data holds `p`: half-open range by default, end included with
    /// `inclusiveEnd` (as reset tests). Among blocks of the owning pool, the current block
    /// wins, then the first from the chain's start. nil if no live block holds it.
    @_spi(Replay)
    public func blockLocation(containing p: UnsafeRawPointer, inclusiveEnd: Bool = false) -> BlockLocation? {
        guard let i = owningPool(of: p) else { return nil }
        guard let k = handle.locateBlock(pool: i, p, inclusiveEnd: inclusiveEnd) else { return nil }
        let ps = handle[pool: i]
        let b = ps.chain[k]
        let owner: PoolOwner = i < PoolSlot.firstQuotedSlot ? .paired(PoolID(index: i)!) : .quoted(ps.quoter!)
        return BlockLocation(owner: owner, index: k, dataStart: UInt(bitPattern: b.dataStart), length: b.length,
                             isCurrent: k == ps.current)
    }

    /// Exim's `store_release_3` for the pool that owns `dataStart`: releases the block
    /// whose data starts there unless it is the pool's first or current block.
    /// Returns whether a block was released.
    @_spi(Replay) @discardableResult
    public func releaseBlock(startingAt dataStart: UnsafeRawPointer,
                             function: StaticString = #function, line: Int = #line) -> Bool {
        guard let i = owningPool(of: dataStart) else { return false }
        return releaseBlock(pool: i, dataStart: dataStart, site: CallSite(function, line))
    }

    /// Sets Exim's non-pool counters to values from before a trace began (Exim 4.96
    /// starts with 7 blocks, high-water 8, for example). Pool counters are not touched.
    @_spi(Replay)
    public func seedNonpoolCounters(malloc: Int, maxMalloc: Int, blocks: Int, maxBlocks: Int) {
        nonpoolMalloc = malloc
        maxNonpoolMalloc = maxMalloc
        nonpoolBlocks = blocks
        maxNonpoolBlocks = maxBlocks
    }
}
