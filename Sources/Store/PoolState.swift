/// Internal: fixed layout numbers (an enum, so they fold to constants).
@usableFromInline
enum Layout {
    /// Exim's `ALIGNED_SIZEOF_STOREBLOCK` on LP64: data starts this far into a block.
    @inlinable static var header: Int { 16 }
}

/// Internal: the numbering of pool slots (Exim's pool indexes, then quoted pools).
///
/// Slots 0...4 are the untainted pools of the five kinds (`PoolKind.rawValue`), slot
/// `k + taintedOffset` is the tainted twin of kind `k`, and slots `firstQuotedSlot..<count`
/// hold quoted pools. Tainted and quoted slots are contiguous (`taintedOffset..<count`),
/// which is what makes `isTainted` one range check.
@usableFromInline
enum PoolSlot {
    /// Distance from an untainted pool to its tainted twin (Exim's `POOL_TAINT_BASE`).
    @inlinable static var taintedOffset: Int { 5 }
    /// Number of paired pools (Exim's `N_PAIRED_POOLS`).
    @inlinable static var pairedCount: Int { 10 }
    /// Index of the first quoted-pool slot.
    @inlinable static var firstQuotedSlot: Int { 10 }
    /// Slots in all: ten paired pools and 22 quoted pools.
    @inlinable static var count: Int { 32 }
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
    /// Kinds 0...4 only: the marks of this kind still valid, oldest first (see `MarkStack`;
    /// stale while this is the current pool: `Store.markStack(_:)` returns the right one).
    @usableFromInline var marks: MarkStack = MarkStack()

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
    /// The mark stack of `currentPool` (authoritative; parked in its `PoolState` when the
    /// current pool changes).
    @usableFromInline var marks: MarkStack = MarkStack()
    /// Serial number of the latest mark (0: none yet); each mark takes the next one.
    @usableFromInline var markSerial: UInt64 = 0
    /// Ranges reserved beyond the first (address lookups test the first inline, others only
    /// when this is non-zero).
    @usableFromInline var extraExtents: Int = 0

    init(dummy: UnsafeMutableRawPointer) {
        untainted = HotCursor(dummy: dummy)
        tainted = HotCursor(dummy: dummy)
    }
}

/// Internal, unsafe: the marks of one pool kind that are still valid, oldest first.
///
/// A reset to a mark gives back everything allocated after it, so it ends the validity of
/// every later mark of the same kind: valid marks form a stack. Each mark carries its
/// serial number and its depth in the stack; the reset pops it too, but its entry stays
/// in place until the next mark of the kind overwrites it, so a second reset to the same
/// mark (Exim allows it while the cookie is intact) still finds it. A mark is valid when
/// its depth is at most the stack's depth and the entry there still holds its serial
/// (serials are never reused). Push and check are O(1); the stack holds one entry per
/// cookie still allocated, so it is never larger than the cookies themselves. A reset to
/// a raw mark (`Mark(cookie:)`, no generation) empties the stack: the store cannot tell
/// which checked marks it gave back, so it refuses them all from then on (the safe way).
@usableFromInline
struct MarkStack {
    /// One valid mark: its serial number.
    @usableFromInline typealias Entry = UInt64
    @usableFromInline var entries: UnsafeMutablePointer<Entry>? = nil
    @usableFromInline var depth: Int = 0
    @usableFromInline var capacity: Int = 0

    /// Grows the storage (doubling) so one more entry fits.
    @usableFromInline @inline(never)
    mutating func grow() {
        let n = max(16, capacity * 2)
        let e = UnsafeMutablePointer<Entry>.allocate(capacity: n)
        if let old = entries {
            e.moveInitialize(from: old, count: depth)
            old.deallocate()
        }
        entries = e
        capacity = n
    }

    /// Frees the storage.
    mutating func free() {
        entries?.deallocate()
        entries = nil
        depth = 0
        capacity = 0
    }

    /// Entries in use: the stack, plus the popped entry just above it (still good for a
    /// second reset to that mark).
    var liveCount: Int { Swift.min(depth + 1, capacity) }

    /// A copy with its own storage (for a fork).
    func copy() -> MarkStack {
        var c = MarkStack()
        guard liveCount > 0, let entries else { return c }
        c.entries = .allocate(capacity: capacity)
        c.entries!.initialize(from: entries, count: liveCount)
        c.depth = depth
        c.capacity = capacity
        return c
    }
}
