/// Exim's block arithmetic on LP64 (exim-store.md sections 1, 3 and 4), as the replay
/// model uses it. All addresses are Exim's own, read from the trace.
enum EximArithmetic {
    /// `ALIGNED_SIZEOF_STOREBLOCK`: the block header.
    static let header = 16
    /// The `size_t` prefix `internal_store_malloc` adds.
    static let mallocPrefix = 8
    /// A pool's first order.
    static let firstOrder = 12
    /// `reset` lowers the order only while it is above this.
    static let orderFloor = 13
    /// `STOREPOOL_MIN_SIZE`: the keep-one rule's threshold.
    static let keepOneLimit = 256
    /// Page size of the config pool's `posix_memalign` blocks.
    static let pageSize: UInt64 = 4096

    /// Usable length of a standard block at `order`: 2^order − 2H.
    @inline(__always) static func standardLength(order: Int) -> Int { order >= 62 ? Int.max / 2 : (1 << order) - 2 * header }
    /// `mlength` (length + H) of a standard block at `order`.
    @inline(__always) static func standardMLength(order: Int) -> Int { standardLength(order: order) + header }
    /// Rounds up to Exim's 8-byte alignment.
    @inline(__always) static func round8(_ n: Int) -> Int { (n + 7) & ~7 }
    /// The order whose standard `--Malloc` size (2^o − 8) is `size`, if any.
    static func order(ofMallocSize size: Int) -> Int? {
        let chunk = size + mallocPrefix
        guard chunk > 0, chunk & (chunk - 1) == 0 else { return nil }
        return chunk.trailingZeroBitCount
    }
    /// The quirky high-water step `if (order++ > maxorder) maxorder = order`.
    @inline(__always) static func bump(order: inout Int, maxOrder: inout Int) {
        let old = order
        order += 1
        if old > maxOrder { maxOrder = order }
    }
}

/// One block of a replayed pool, in Exim's address space.
struct ModelBlock: Sendable {
    /// What the replay knows of the block.
    enum Kind: UInt8, Sendable {
        /// Allocated while the trace ran (or its end pinned): start and length exact.
        case known
        /// From before the trace, found by a first touch (section 19.4 item 1): an order-12
        /// block whose end lies in `endLo...endHi`.
        case floating
        /// From before the trace and full when it began (section 19.4 item 2): no traced
        /// pointer can lie in it; only its size counts.
        case closed
    }
    var kind: Kind
    /// Data start (known blocks); for floating blocks `endHi - length`.
    var start: UInt64
    /// Usable bytes (Exim's `length`).
    var length: Int
    /// Bounds of a floating block's end.
    var endLo: UInt64 = 0
    var endHi: UInt64 = 0

    /// `length + H`, what the counters move by.
    var mlength: Int { length + EximArithmetic.header }
    /// One past the last data byte (known blocks).
    var end: UInt64 { start &+ UInt64(truncatingIfNeeded: length) }

    static func known(start: UInt64, length: Int) -> ModelBlock { ModelBlock(kind: .known, start: start, length: length) }

    /// Whether `p` lies (or, for a floating block, may lie) in the block.
    func contains(_ p: UInt64, inclusiveEnd: Bool) -> Bool {
        switch kind {
        case .known:
            return p >= start && (p < end || (inclusiveEnd && p == end))
        case .floating:
            let lo = endLo &- UInt64(truncatingIfNeeded: length)
            return p >= lo && (p < endHi || (inclusiveEnd && p == endHi))
        case .closed:
            return false
        }
    }
}

/// One pool of a replayed process: Exim's `pooldesc` (section 3) over `ModelBlock`s.
struct PoolModel: Sendable {
    var chain: [ModelBlock] = []
    /// Index of `current_block` in `chain` (-1: none yet).
    var current = -1
    var nextYield: UInt64 = 0
    /// `yield_length` (meaningless while the current block is floating: use its end bounds).
    var yieldLength = -1
    var order = EximArithmetic.firstOrder
    var maxOrder = 0
    var nbytes = 0, maxBytes = 0, nblocks = 0, maxBlocks = 0
    /// Whether any record of the lineage's processes touched the pool (its start state is known).
    var touched = false
    /// After an address difference: where Exim's next yield is if the difference was real
    /// (the next get decides between a one-line blip and a real shift, reported once).
    var eximNext: UInt64?

    var currentIsFloating: Bool { current >= 0 && chain[current].kind == .floating }

    /// Counts a new block in the pool's figures (not the process totals).
    mutating func countNew(mlength: Int) {
        nbytes += mlength
        if nbytes > maxBytes { maxBytes = nbytes }
        nblocks += 1
        if nblocks > maxBlocks { maxBlocks = nblocks }
    }

    /// Links a new block after the current one (dropping any chain beyond it, as Exim's
    /// `current_block->next = newblock` does) and makes it current.
    mutating func link(_ b: ModelBlock) {
        if current >= 0, current + 1 < chain.count { chain.removeSubrange((current + 1)...) }
        chain.append(b)
        current = chain.count - 1
    }

    /// Index of the block holding `p`: the current block first, then the chain from its start.
    func locate(_ p: UInt64, inclusiveEnd: Bool) -> Int? {
        if current >= 0, chain[current].contains(p, inclusiveEnd: inclusiveEnd) { return current }
        for (i, b) in chain.enumerated() where b.kind == .known && b.contains(p, inclusiveEnd: inclusiveEnd) { return i }
        for (i, b) in chain.enumerated() where b.kind == .floating && b.contains(p, inclusiveEnd: inclusiveEnd) { return i }
        return nil
    }
}
