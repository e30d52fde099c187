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

extension PoolState {
    /// True if the pool has a block and no block follows the current one.
    @inlinable var isLastBlockCurrent: Bool { current >= 0 && current &+ 1 == chain.count }
}

/// Internal, unsafe: a pool's cursor, the only state the allocation fast path touches.
///
/// For the current pool and its tainted twin the authoritative copy lives in
/// `StoreControl` (at a fixed offset, which keeps the fast path's loads and stores at one
/// address the CPU can forward cheaply); for every other pool it lives in its
/// `PoolState`. `StoreHandle.cursor(_:)` returns the right one.
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

/// Internal, unsafe: where a pool's current block starts and whether it is the chain's
/// last, read by the fast paths of reset, extend and release (not by get, so it is kept
/// apart from `HotCursor`: the control block's first cache line holds only what every
/// get touches). Lives beside the cursor, in `StoreControl` for the current pair.
@usableFromInline
struct BlockBounds {
    /// First data byte of the current block (the dummy address before a block).
    @usableFromInline var start: UnsafeMutableRawPointer
    /// True when the pool has a block and no block follows the current one (kept by
    /// `StoreHandle.syncChainEnd` after every change of the chain or the current block),
    /// so a reset inside the current block has no block to free or keep.
    @usableFromInline var atChainEnd: Bool = false

    init(dummy: UnsafeMutableRawPointer) { start = dummy }
}

/// Internal, unsafe: a pool descriptor (Exim's `pooldesc`) kept in raw storage so the
/// allocation fast path reads and writes it with no ARC and no exclusivity checks.
@usableFromInline
struct PoolState {
    /// The cursor (stale while this pool is the current pool or its twin: see `HotCursor`).
    @usableFromInline var cursor: HotCursor
    /// The current block's start (stale like `cursor`).
    @usableFromInline var bounds: BlockBounds
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
    /// stale while this is the current pool: `StoreHandle.markStack(_:)` returns the right one).
    @usableFromInline var marks: MarkStack = MarkStack()

    /// An empty pool; `dummy` is any address that is never a block's data.
    init(dummy: UnsafeMutableRawPointer, active: Bool) {
        cursor = HotCursor(dummy: dummy)
        bounds = BlockBounds(dummy: dummy)
        isActive = active
    }
}

/// Internal, unsafe: per-store switches read by every fast path.
@usableFromInline
struct StoreControl {
    /// Non-zero when tracing or poisoning: every operation takes the slow path.
    @usableFromInline var slowFlags: Int = 0
    /// Authoritative cursors of pool `currentPool` and of its tainted twin (with
    /// `slowFlags`, the first 56 bytes: one cache line, the control block is 64-aligned).
    @usableFromInline var untainted: HotCursor
    @usableFromInline var tainted: HotCursor
    /// Exim's `store_pool` (0...4).
    @usableFromInline var currentPool: Int = 0
    /// Authoritative block bounds of the current pair.
    @usableFromInline var untaintedBounds: BlockBounds
    @usableFromInline var taintedBounds: BlockBounds
    /// The mark stack of `currentPool` (authoritative; parked in its `PoolState` when the
    /// current pool changes).
    @usableFromInline var marks: MarkStack = MarkStack()
    /// Ranges reserved beyond the first (address lookups test the first inline, others only
    /// when this is non-zero).
    @usableFromInline var extraExtents: Int = 0

    init(dummy: UnsafeMutableRawPointer) {
        untainted = HotCursor(dummy: dummy)
        tainted = HotCursor(dummy: dummy)
        untaintedBounds = BlockBounds(dummy: dummy)
        taintedBounds = BlockBounds(dummy: dummy)
    }
}

/// Internal, unsafe: the marks of one pool kind that are still valid, oldest first.
///
/// A reset to a mark gives back everything allocated after it, so it ends the validity of
/// every later mark of the same kind: valid marks form a stack. Each entry is the cookie
/// address of the mark at that depth; a mark carries its depth. The stack is
/// `entries[0..<depth]`; `entries[depth]` may still hold the mark a reset just popped (a
/// second reset to it is Exim's, allowed while its cookie still holds its watermark), and
/// every entry above that is 0. A mark is valid when its depth is at most the stack's
/// depth and the entry there is its cookie. (Two marks with the same depth and cookie,
/// one made after a reset popped the other, are told apart by the watermark the cookie
/// holds; when that is equal too, resetting to either changes the store identically.)
/// Push and check are O(1); the stack holds one entry per cookie still allocated. A reset
/// to a raw mark (`Mark(cookie:)`, no depth) empties the stack: the store cannot tell
/// which checked marks it gave back, so it refuses them all from then on (the safe way).
@usableFromInline
struct MarkStack {
    @usableFromInline var entries: UnsafeMutablePointer<UInt>? = nil
    @usableFromInline var depth: Int = 0
    /// `capacity - 1`: a push at depth d needs d < pushLimit (entry d + 1 exists, so a
    /// reset can clear it).
    @usableFromInline var pushLimit: Int = 0
    var capacity: Int { entries == nil ? 0 : pushLimit + 1 }

    /// Grows the storage (at least doubling, zero-filled) to hold `n` entries.
    mutating func reserve(_ n: Int) {
        guard n > capacity else { return }
        let size = max(16, capacity * 2, n)
        let e = UnsafeMutablePointer<UInt>.allocate(capacity: size)
        e.initialize(repeating: 0, count: size)
        if let old = entries {
            e.update(from: old, count: capacity)
            old.deallocate()
        }
        entries = e
        pushLimit = size - 1
    }

    /// Frees the storage.
    mutating func free() {
        entries?.deallocate()
        entries = nil
        depth = 0
        pushLimit = 0
    }

    /// The cookie recorded at depth `d`, or 0 (outside the storage too).
    func entry(_ d: Int) -> UInt {
        guard let entries, d >= 0, d < capacity else { return 0 }
        return entries[d]
    }

    /// True if a mark at depth `d` with cookie `cookie` is still on the stack (or the one
    /// just popped).
    func holds(depth d: Int, cookie: UnsafeRawPointer) -> Bool {
        d <= depth && entry(d) == UInt(bitPattern: cookie)
    }

    /// Pushes `cookie` (the caller made room with `reserve`). Returns its depth.
    mutating func push(_ cookie: UnsafeRawPointer) -> Int {
        let d = depth
        entries![d] = UInt(bitPattern: cookie)
        depth = d + 1
        return d
    }

    /// Pops down to depth `d` (the mark there stays for a second reset; `d` 0 with
    /// `clearAll` forgets every entry, for a raw mark). Keeps every entry above 0.
    mutating func pop(to d: Int, clearAll: Bool = false) {
        guard let entries else { return }
        let from = clearAll ? 0 : d + 1
        if from <= depth { (entries + from).update(repeating: 0, count: depth - from + 1) }
        depth = d
    }

    /// A copy with its own storage, every entry passed through `map` (for a fork).
    func copy(_ map: (UInt) -> UInt) -> MarkStack {
        var c = MarkStack()
        guard let entries else { return c }
        c.reserve(capacity)
        for k in 0...depth where entries[k] != 0 { c.entries![k] = map(entries[k]) }
        c.depth = depth
        return c
    }
}
