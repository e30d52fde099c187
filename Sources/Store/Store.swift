/// Exim's stacking-pool allocator (`store.c`), exact to the byte in what it counts and
/// prints, with O(1) taint lookup.
///
/// Ten paired pools (five kinds, each with a tainted twin) plus quoted pools, each a
/// chain of blocks carved by bumping a pointer. `mark()` and `reset(to:)` give back
/// everything allocated since the mark in the current pool and its tainted twin.
///
/// A `Store` is single-threaded, like Exim's process-wide store: it is not `Sendable`,
/// and one instance must only ever be used from one thread at a time. Many stores may
/// exist at once; each reserves its own address range (no memory until used) and
/// gives it back in `deinit`. Pointers it hands out are valid until a reset or release
/// passes them, or until the store itself goes away.
public final class Store {
    /// Settings fixed when the store is created.
    public struct Options: Sendable {
        /// Exim's `RESTRICTED_MEMORY`: every standard block is 4064 bytes and the order never grows.
        public var restrictedMemory: Bool
        /// Fill memory given back by reset and release (and freed blocks) with 0xF0, as
        /// Exim's test harness does, so stale reads show up.
        public var poisonOnRelease: Bool
        /// log2 of each pool's first reserved address range (default 26: 64 MiB per pool,
        /// 2 GiB for the store's 32 pools). Clamped to 20...36. The ranges are only
        /// address space (no memory until used); when a pool fills its range the store
        /// reserves a further one 16 times larger, so this is not a limit on a pool's size.
        /// Small values let very many stores live at once (a replay of 100,000 processes
        /// uses 20: 32 MiB a store).
        public var slotSizeLog2: Int
        /// Freed block bytes a pool keeps for reuse before handing pages back to the kernel.
        public var retainedBytesLimit: Int

        /// Options with Exim's defaults (no restricted memory, no poisoning).
        public init(restrictedMemory: Bool = false, poisonOnRelease: Bool = false,
                    slotSizeLog2: Int = 26, retainedBytesLimit: Int = 32 << 20) {
            self.restrictedMemory = restrictedMemory
            self.poisonOnRelease = poisonOnRelease
            self.slotSizeLog2 = slotSizeLog2
            self.retainedBytesLimit = retainedBytesLimit
        }
    }

    /// Exim's `ALIGNED_SIZEOF_STOREBLOCK` on LP64.
    @inlinable public static var headerSize: Int { 16 }
    /// Requests must be below this (Exim's `INT_MAX/2`): sizes 0...1_073_741_822 are legal.
    @inlinable public static var maxRequest: Int { 1_073_741_823 }
    @inlinable static var maxRequestU: UInt { 1_073_741_823 }
    /// How many quoters one store can hold.
    public static var quotedPoolLimit: Int { 22 }

    /// The options this store was created with.
    public let options: Options

    /// The raw storage and every pointer computation on it (see `StoreHandle`).
    @usableFromInline let handle: StoreHandle

    let space: AddressSpace

    // Exim's global counters (`pool_malloc`, `nonpool_malloc`, …).
    @exclusivity(unchecked) var poolMalloc = 0
    @exclusivity(unchecked) var maxPoolMalloc = 0
    @exclusivity(unchecked) var nonpoolMalloc = 0
    @exclusivity(unchecked) var maxNonpoolMalloc = 0
    @exclusivity(unchecked) var nonpoolBlocks = 0
    @exclusivity(unchecked) var maxNonpoolBlocks = 0
    /// Quoted pool slots, newest first (Exim prepends to `quoted_pools`).
    @exclusivity(unchecked) var quotedOrder: [Int] = []
    /// Live tracked mallocs: returned address -> size stored in Exim's prefix.
    @exclusivity(unchecked) var liveMallocs: [UInt: Int] = [:]
    /// True after `writeProtectConfig()`.
    @exclusivity(unchecked) var configProtected = false
    /// In a fork copy: the parent's tracked malloc address -> this store's copy.
    @exclusivity(unchecked) var forkedMallocs: [UInt: UInt] = [:]

    /// Replay support: when set, trace lines name this function and line instead of the
    /// Swift caller's (`#function` is cut at the first "(" either way). See `Store+Replay.swift`.
    @_spi(Replay) @exclusivity(unchecked) public var callSiteOverride: (function: String, line: Int)?

    /// Where trace lines go (Exim 4.96 `-d+memory` format, one line per call, no newline).
    /// nil (the default) turns tracing off; with a sink every operation takes the slow path.
    @exclusivity(unchecked) public var traceSink: ((String) -> Void)? {
        didSet { updateFlags() }
    }

    /// Creates an empty store: every pool at order 12 with no block, `currentPool` main.
    /// Throws `.outOfAddressSpace` if the address range cannot be reserved.
    public convenience init(options: Options = .init()) throws(StoreError) {
        self.init(options: options,
                  space: try AddressSpace(slotShift: options.slotSizeLog2, retainLimit: options.retainedBytesLimit))
    }

    /// A store over `space` with every pool empty (a fork copy then fills it in).
    init(options: Options, space: AddressSpace) {
        self.options = options
        self.space = space
        // an address space exists only where the taint arena does (its ranges are in it)
        handle = StoreHandle(first: space.first, arena: TaintArena.shared!, extraExtents: space.extents.count - 1)
        updateFlags()
    }

    deinit {
        handle.deallocate()
        for (addr, _) in liveMallocs {
            if let p = StoreHandle.address(addr) { freeRaw(p) }
        }
    }

    /// Exim's `store_pool`: the kind of pool plain gets, marks and resets use. Always one
    /// of the five kinds; the tainted twin is chosen per request by its `Taint`.
    public var currentPool: PoolKind {
        get { PoolKind(rawValue: handle.state.currentPool)! }
        set { handle.switchCurrent(to: newValue.rawValue) }
    }

    func updateFlags() {
        handle.state.slowFlags = (traceSink != nil ? 1 : 0) | (options.poisonOnRelease ? 2 : 0)
    }

    // MARK: allocation fast path

    /// Pool index for a request of `taint` class made while the base pool is `kind`:
    /// `kind`, its tainted twin, or a quoted pool's slot when the prototype lies in a
    /// quoted pool (Exim's quoter-for-address rule). O(1).
    @inlinable @inline(__always)
    func poolIndex(for taint: Taint, kind: Int) -> Int {
        switch taint {
        case .untainted: return kind
        case .tainted: return kind &+ PoolSlot.taintedOffset
        case .like(let p):
            // not this store's: tainted or not by where it lies (another store's tainted memory is tainted)
            guard let slot = owningSlot(of: p) else { return handle.isTainted(p) ? kind &+ PoolSlot.taintedOffset : kind }
            if slot >= PoolSlot.firstQuotedSlot { return handle[pool: slot].isActive ? slot : kind &+ PoolSlot.taintedOffset }
            return slot >= PoolSlot.taintedOffset ? kind &+ PoolSlot.taintedOffset : kind
        }
    }

    /// Exim's `store_get`: `size` bytes (rounded up to 8, 8-aligned) from the current pool,
    /// or its tainted twin when `taint` says so, or a quoted pool when the prototype is
    /// quoted. A size of 0 returns the watermark without using space.
    /// Throws `.badSize` for a negative size or one of 2^30 - 1 or more (nothing moves),
    /// `.outOfAddressSpace` when the pool's range is full.
    @inlinable
    public func get(_ size: Int, _ taint: Taint = .untainted,
                    function: StaticString = #function, line: Int = #line) throws(StoreError) -> UnsafeMutableRawPointer {
        let h = handle
        if _fastPath(!h.isSlow && UInt(bitPattern: size) < Store.maxRequestU) {
            switch h.taintClass(taint) {
            case 0: if let r = h.bumpCurrent(size, tainted: false) { return r }
            case 1: if let r = h.bumpCurrent(size, tainted: true) { return r }
            default: break
            }
        }
        return try getSlow(size, pool: poolIndex(for: taint, kind: h.state.currentPool), site: CallSite(function, line))
    }

    /// Exim's `store_get_perm`: like `get`, but from the perm pool (or its twin, or a
    /// quoted pool for a quoted prototype) whatever `currentPool` is.
    @inlinable
    public func getPerm(_ size: Int, _ taint: Taint = .untainted,
                        function: StaticString = #function, line: Int = #line) throws(StoreError) -> UnsafeMutableRawPointer {
        let index = poolIndex(for: taint, kind: PoolKind.perm.rawValue)
        if _fastPath(!handle.isSlow && UInt(bitPattern: size) < Store.maxRequestU), let r = handle.bump(size, pool: index) {
            return r
        }
        return try getSlow(size, pool: index, site: CallSite(function, line))
    }

    // MARK: taint, O(1)

    /// True if `p` lies in a tainted or quoted pool's address range, of this store or of
    /// any other in the process. O(1): one subtract and one unsigned compare, however far
    /// the stores have grown, because every store's tainted and quoted slots are carved
    /// from one reserved range (the taint arena, see the catalogue's "Address space").
    /// Agrees with Exim's block walk (`isTaintedByWalk`) for every address inside a live
    /// block of this store; addresses in the arena but outside any live block (freed or
    /// never used), and another store's tainted memory, also count as tainted, the safe
    /// direction: nothing tainted is ever laundered through a second store.
    @inlinable
    public func isTainted(_ p: UnsafeRawPointer) -> Bool {
        handle.isTainted(p)
    }

    /// The slot (pool index) whose reserved ranges hold `p`, active or not, or nil for an
    /// address outside the store. The one place that maps an address to its pool: O(1)
    /// for the first range, a short search of further ranges otherwise. An inactive
    /// slot's current block is an empty range, so fast paths need no separate check;
    /// `owningPool(of:)` adds the check.
    @inlinable @inline(__always)
    func owningSlot(of p: UnsafeRawPointer) -> Int? {
        if let slot = handle.slotInFirstRange(p) { return slot }
        return handle.state.extraExtents == 0 ? nil : owningSlotInFurtherRanges(p)
    }

    /// The part of `owningSlot` for stores that reserved more than one range.
    @usableFromInline @inline(never)
    func owningSlotInFurtherRanges(_ p: UnsafeRawPointer) -> Int? {
        space.locate(UInt(bitPattern: p))?.slot
    }

    /// The pool (slot index) whose reserved ranges hold `p`, if that pool is in use;
    /// nil otherwise. O(1).
    @inlinable @inline(__always)
    func owningPool(of p: UnsafeRawPointer) -> Int? {
        guard let slot = owningSlot(of: p), handle[pool: slot].isActive else { return nil }
        return slot
    }

    /// `isTainted` for a `Taint` prototype (`.tainted` is tainted, `.untainted` is not).
    @inlinable
    public func isTainted(_ taint: Taint) -> Bool {
        switch taint {
        case .untainted: return false
        case .tainted: return true
        case .like(let p): return isTainted(p)
        }
    }
}
