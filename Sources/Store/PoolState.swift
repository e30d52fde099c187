/// Internal: one block of a pool's chain, described outside the block itself.
///
/// Exim keeps `next` and `length` in a 16-byte header at the start of the block; here
/// the header's 16 bytes are still reserved in front of the data (so a get's offset
/// inside a block equals Exim's) but the chain lives in `PoolState.chain`, so reset and
/// release never write into (possibly write-protected) block memory.
struct BlockRecord {
    /// Address of the block (Exim's `storeblock *`); data starts 16 bytes later.
    var header: UnsafeMutableRawPointer
    /// Usable data bytes (Exim's `length`).
    var length: Int
    /// Bytes of address space the block occupies (length + 16, rounded up to pages).
    var physical: Int
    /// Bytes in use when the pool last moved off this block (statistics only).
    var used: Int
    /// True once the config pool's blocks were made read-only.
    var isProtected: Bool = false

    /// First data byte.
    var dataStart: UnsafeMutableRawPointer { header + Store.headerSize }
    /// One past the last data byte.
    var dataEnd: UnsafeMutableRawPointer { header + (Store.headerSize + length) }
}

/// Internal, unsafe: a pool descriptor (Exim's `pooldesc`) kept in raw storage so the
/// allocation fast path reads and writes it with no ARC and no exclusivity checks.
@usableFromInline
struct PoolState {
    /// Next free byte of the current block (a dummy address while the pool has no block).
    @usableFromInline var nextYield: UnsafeMutableRawPointer
    /// Bytes left in the current block; -1 until the first block, as in Exim.
    @usableFromInline var yieldLength: Int
    /// Exim's `store_last_get`: the latest get's address; nil after reset or release.
    @usableFromInline var lastGet: UnsafeMutableRawPointer?
    /// Data range of the current block (empty while the pool has no block).
    @usableFromInline var currentStart: UnsafeMutableRawPointer
    @usableFromInline var currentEnd: UnsafeMutableRawPointer
    /// True for the ten paired pools and for quoted pools created so far.
    @usableFromInline var isActive: Bool

    /// Index of the current block in `chain`, or -1.
    var current: Int = -1
    /// The block chain, oldest first (Exim's list from `chainbase`).
    var chain: [BlockRecord] = []
    /// Exim's `store_block_order` and its quirky high-water `maxorder`.
    var order = 12
    var maxOrder = 0
    /// Exim's per-pool statistics (bytes are length + 16 per block).
    var nbytes = 0
    var maxBytes = 0
    var nblocks = 0
    var maxBlocks = 0
    /// The quoter of a quoted pool.
    var quoter: Quoter?

    /// An empty pool; `dummy` is any address that is never a block's data.
    init(dummy: UnsafeMutableRawPointer, active: Bool) {
        nextYield = dummy
        yieldLength = -1
        lastGet = nil
        currentStart = dummy
        currentEnd = dummy
        isActive = active
    }
}

/// Internal, unsafe: per-store switches read by every fast path.
@usableFromInline
struct StoreControl {
    /// Exim's `store_pool` (0...4).
    @usableFromInline var currentPool: Int = 0
    /// Non-zero when tracing or poisoning: every operation takes the slow path.
    @usableFromInline var slowFlags: Int = 0
}
