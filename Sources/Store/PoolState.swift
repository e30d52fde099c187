/// Internal: fixed layout numbers (an enum, so they fold to constants).
@usableFromInline
enum Layout {
    /// Exim's `ALIGNED_SIZEOF_STOREBLOCK` on LP64: data starts this far into a block.
    @inlinable static var header: Int { 16 }
    /// Index of the first quoted-pool slot; quoted pools use slots 10...31.
    @inlinable static var firstQuotedSlot: Int { 10 }
}

/// Internal: one block of a pool's chain, described outside the block itself.
///
/// Exim keeps `next` and `length` in a 16-byte header at the start of the block; here
/// the header's 16 bytes are still reserved in front of the data (so a get's offset
/// inside a block equals Exim's) but the chain lives in `PoolState.chain`, so reset and
/// release never write into (possibly write-protected) block memory.
@usableFromInline
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
    @inline(__always) var dataStart: UnsafeMutableRawPointer { header + Layout.header }
    /// One past the last data byte.
    @inline(__always) var dataEnd: UnsafeMutableRawPointer { header + (Layout.header + length) }
}

/// Internal, unsafe: a pool's cursor, the only state the allocation fast path touches.
///
/// For the current pool and its tainted twin the authoritative copy lives in
/// `StoreControl` (at a fixed offset, which keeps the fast path's loads and stores at one
/// address the CPU can forward cheaply); for every other pool it lives in its
/// `PoolState`. `Store.cursor(_:)` returns the right one.
@usableFromInline
struct HotCursor {
    /// Next free byte of the current block (one past a dummy address while the pool has
    /// no block, so that `yieldLength` is -1 then, as in Exim).
    @usableFromInline var next: UnsafeMutableRawPointer
    /// One past the current block's last data byte (the dummy address before a block).
    @usableFromInline var end: UnsafeMutableRawPointer
    /// Exim's `store_last_get`: the latest get's address; nil after reset or release.
    @usableFromInline var lastGet: UnsafeMutableRawPointer?

    /// Exim's `yield_length`: bytes left in the current block (-1 before the first block).
    @inlinable var yieldLength: Int { end - next }

    /// The cursor of a pool with no block.
    init(dummy: UnsafeMutableRawPointer) {
        next = dummy + 1
        end = dummy
        lastGet = nil
    }
}

/// Internal, unsafe: a pool descriptor (Exim's `pooldesc`) kept in raw storage so the
/// allocation fast path reads and writes it with no ARC and no exclusivity checks.
@usableFromInline
struct PoolState {
    /// The cursor (stale while this pool is the current pool or its twin: see `HotCursor`).
    @usableFromInline var cursor: HotCursor
    /// First data byte of the current block (the dummy address before a block); the end is
    /// in the cursor.
    @usableFromInline var currentStart: UnsafeMutableRawPointer
    /// True for the ten paired pools and for quoted pools created so far.
    @usableFromInline var isActive: Bool

    /// Index of the current block in `chain`, or -1.
    @usableFromInline var current: Int = -1
    /// The block chain, oldest first (Exim's list from `chainbase`).
    @usableFromInline var chain: [BlockRecord] = []
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
        cursor = HotCursor(dummy: dummy)
        currentStart = dummy
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
    /// Authoritative cursors of pool `currentPool` and of its tainted twin.
    @usableFromInline var untainted: HotCursor
    @usableFromInline var tainted: HotCursor

    init(dummy: UnsafeMutableRawPointer) {
        untainted = HotCursor(dummy: dummy)
        tainted = HotCursor(dummy: dummy)
    }
}
