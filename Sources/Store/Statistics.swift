/// One block of a pool's chain in a statistics snapshot.
public struct BlockStatistics: Sendable, Equatable {
    /// Usable data bytes (Exim's block `length`; Exim counts length + 16 per block).
    public var length: Int
    /// Bytes handed out from it (for the current block: up to the cursor).
    public var used: Int

    /// A block of `length` bytes with `used` of them in use.
    public init(length: Int, used: Int) {
        self.length = length
        self.used = used
    }
}

/// A snapshot of one pool (plain values: it outlives any reset).
public struct PoolStatistics: Sendable, Equatable {
    /// Exim's `nbytes`: bytes held in blocks, length + 16 each (may go negative in the config pool).
    public var bytes: Int
    /// Exim's `nblocks` (may go negative in the config pool).
    public var blocks: Int
    /// High-water mark of `bytes` (Exim's `maxbytes`).
    public var maxBytes: Int
    /// High-water mark of `blocks` (Exim's `maxblocks`).
    public var maxBlocks: Int
    /// Exim's `store_block_order`: log2 of the next standard block (12 until the first block).
    public var order: Int
    /// Exim's quirky high-water of the order (`if (order++ > maxorder) maxorder = order`).
    public var maxOrder: Int
    /// The block chain, oldest first (includes blocks kept after the current one).
    public var chain: [BlockStatistics]
    /// Index of the current block in `chain`, nil before the first block.
    public var currentBlock: Int?

    /// A snapshot with the given figures.
    public init(bytes: Int, blocks: Int, maxBytes: Int, maxBlocks: Int, order: Int, maxOrder: Int,
                chain: [BlockStatistics], currentBlock: Int?) {
        self.bytes = bytes
        self.blocks = blocks
        self.maxBytes = maxBytes
        self.maxBlocks = maxBlocks
        self.order = order
        self.maxOrder = maxOrder
        self.chain = chain
        self.currentBlock = currentBlock
    }

    /// Bytes handed out across the chain.
    public var usedBytes: Int { chain.reduce(0) { $0 + $1.used } }
}

/// A quoted pool in a statistics snapshot.
public struct QuotedPoolStatistics: Sendable, Equatable {
    /// The pool's quoter.
    public var quoter: Quoter
    /// The pool's figures.
    public var pool: PoolStatistics

    /// A quoted pool snapshot.
    public init(quoter: Quoter, pool: PoolStatistics) {
        self.quoter = quoter
        self.pool = pool
    }
}

/// A snapshot of the whole store: every pool plus Exim's global counters.
public struct StoreStatistics: Sendable, Equatable {
    /// The ten paired pools in Exim's order (`PoolID(index: i)`).
    public var pools: [PoolStatistics]
    /// Quoted pools, newest first (Exim's list order; index = the `Q<n>` of the exit lines).
    public var quoted: [QuotedPoolStatistics]
    /// Exim's `pool_malloc`: bytes of all pools, length + 16 per block (may go negative).
    public var poolMalloc: Int
    /// Exim's `max_pool_malloc` (the `npools` exit figure).
    public var maxPoolMalloc: Int
    /// Exim's `nonpool_malloc`, with its drift from pool blocks (may go negative).
    public var nonpoolMalloc: Int
    /// Exim's `max_nonpool_malloc`, updated only when a malloc happens.
    public var maxNonpoolMalloc: Int
    /// Exim's `n_nonpool_blocks`: tracked mallocs not yet freed.
    public var nonpoolBlocks: Int
    /// Exim's quirky `max_nonpool_blocks` (`if (n++ > max) max = n`).
    public var maxNonpoolBlocks: Int

    /// A snapshot with the given figures.
    public init(pools: [PoolStatistics], quoted: [QuotedPoolStatistics], poolMalloc: Int, maxPoolMalloc: Int,
                nonpoolMalloc: Int, maxNonpoolMalloc: Int, nonpoolBlocks: Int, maxNonpoolBlocks: Int) {
        self.pools = pools
        self.quoted = quoted
        self.poolMalloc = poolMalloc
        self.maxPoolMalloc = maxPoolMalloc
        self.nonpoolMalloc = nonpoolMalloc
        self.maxNonpoolMalloc = maxNonpoolMalloc
        self.nonpoolBlocks = nonpoolBlocks
        self.maxNonpoolBlocks = maxNonpoolBlocks
    }

    /// The snapshot of one paired pool.
    public subscript(pool: PoolID) -> PoolStatistics { pools[pool.index] }
}

extension Store {
    /// A value snapshot of every pool and counter, safe to keep after resets.
    public func statistics() -> StoreStatistics {
        StoreStatistics(
            pools: (0..<10).map(poolStatistics),
            quoted: quotedOrder.map { QuotedPoolStatistics(quoter: handle[pool: $0].quoter!, pool: poolStatistics($0)) },
            poolMalloc: poolMalloc, maxPoolMalloc: maxPoolMalloc,
            nonpoolMalloc: nonpoolMalloc, maxNonpoolMalloc: maxNonpoolMalloc,
            nonpoolBlocks: nonpoolBlocks, maxNonpoolBlocks: maxNonpoolBlocks)
    }

    /// Snapshot of pool slot `i`.
    func poolStatistics(_ i: Int) -> PoolStatistics {
        let ps = handle[pool: i]
        let yieldLength = handle.yieldLength(i)
        var chain = ps.chain.map { BlockStatistics(length: $0.length, used: $0.used) }
        if ps.current >= 0 { chain[ps.current].used = chain[ps.current].length - max(0, yieldLength) }
        return PoolStatistics(bytes: ps.nbytes, blocks: ps.nblocks, maxBytes: ps.maxBytes, maxBlocks: ps.maxBlocks,
                              order: ps.order, maxOrder: ps.maxOrder, chain: chain,
                              currentBlock: ps.current >= 0 ? ps.current : nil)
    }

    /// Exim's `store_exit` lines (`----Exit nonpool`, `npools`, ten pool lines, one per
    /// quoted pool newest first), exactly as Exim 4.96 prints them.
    public func exitLines() -> [String] {
        var out: [String] = []
        out.append("----Exit nonpool max: \(TraceFormat.num((maxNonpoolMalloc + 1023) / 1024, 3)) kB in \(maxNonpoolBlocks) blocks")
        out.append("----Exit npools  max: \(TraceFormat.num(maxPoolMalloc / 1024, 3)) kB")
        for i in 0..<10 {
            let p = handle[pool: i]
            let id = PoolID(index: i)!
            out.append("----Exit  pool \(TraceFormat.num(i, 2)) max: \(TraceFormat.num((p.maxBytes + 1023) / 1024, 3)) kB in \(p.maxBlocks) blocks at order \(p.maxOrder)\t\(id.isTainted ? "tainted" : "untainted") \(id.kind)")
        }
        for (n, i) in quotedOrder.enumerated() {
            let p = handle[pool: i]
            out.append("----Exit  pool Q\(n) max: \(TraceFormat.num((p.maxBytes + 1023) / 1024, 3)) kB in \(p.maxBlocks) blocks at order \(p.maxOrder)\ttainted quoted:\(p.quoter?.name ?? "")")
        }
        return out
    }

    /// Writes `exitLines()` to the trace sink (Exim's `store_exit` under `-d+memory`).
    public func traceExit() {
        guard let sink = traceSink else { return }
        for l in exitLines() { sink(l) }
    }
}
