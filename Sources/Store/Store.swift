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

    @usableFromInline let pools: UnsafeMutablePointer<PoolState>
    @usableFromInline let control: UnsafeMutablePointer<StoreControl>
    /// Start and size of the first reserved range; `slotShift` = log2 of one pool's range
    /// there. Further ranges (see `AddressSpace`) are looked up only when
    /// `control.extraExtents` is non-zero.
    @usableFromInline let base: UInt
    @usableFromInline let span: UInt
    @usableFromInline let slotShift: UInt
    /// Tainted slots 5...31 of the first range are contiguous, from this offset to `span`.
    @usableFromInline let taintOffset: UInt

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
        let shift = space.first.shift
        let b = space.first.base
        self.base = b
        self.span = UInt(space.first.size)
        self.slotShift = UInt(shift)
        self.taintOffset = UInt(PoolSlot.taintedOffset) << UInt(shift)
        pools = .allocate(capacity: PoolSlot.count)
        // The dummy cursor is the first range's last byte: with `end` at it and `next` one
        // past it, a pool without a block has an empty current range.
        let dummy = UnsafeMutableRawPointer(bitPattern: b + UInt(space.first.size - 1))!
        for i in 0..<PoolSlot.count {
            (pools + i).initialize(to: PoolState(dummy: dummy, active: i < PoolSlot.firstQuotedSlot))
        }
        control = .allocate(capacity: 1)
        control.initialize(to: StoreControl(dummy: dummy))
        control.pointee.extraExtents = space.extents.count - 1
        updateFlags()
    }

    deinit {
        for k in 0..<PoolSlot.taintedOffset { markStack(k).pointee.free() }
        pools.deinitialize(count: PoolSlot.count)
        pools.deallocate()
        control.deinitialize(count: 1)
        control.deallocate()
        for (addr, _) in liveMallocs {
            if let p = UnsafeMutableRawPointer(bitPattern: addr) { freeRaw(p) }
        }
    }

    /// Exim's `store_pool`: the kind of pool plain gets, marks and resets use. Always one
    /// of the five kinds; the tainted twin is chosen per request by its `Taint`.
    public var currentPool: PoolKind {
        get { PoolKind(rawValue: control.pointee.currentPool)! }
        set {
            let old = control.pointee.currentPool, new = newValue.rawValue
            guard old != new else { return }
            // The hot cursors follow the current pair: park the old pair's, fetch the new.
            pools[old].cursor = control.pointee.untainted
            pools[old + PoolSlot.taintedOffset].cursor = control.pointee.tainted
            control.pointee.untainted = pools[new].cursor
            control.pointee.tainted = pools[new + PoolSlot.taintedOffset].cursor
            // The current kind's mark stack lives in `control` too.
            pools[old].marks = control.pointee.marks
            control.pointee.marks = pools[new].marks
            control.pointee.currentPool = new
        }
    }

    /// The authoritative cursor of pool slot `i`: the hot copy in `control` for the
    /// current pool and its twin, else the one in the pool's descriptor.
    @inlinable @inline(__always)
    func cursor(_ i: Int) -> UnsafeMutablePointer<HotCursor> {
        let cur = control.pointee.currentPool
        if i == cur {
            return UnsafeMutableRawPointer(control).advanced(by: MemoryLayout<StoreControl>.offset(of: \.untainted)!)
                .assumingMemoryBound(to: HotCursor.self)
        }
        if i == cur &+ PoolSlot.taintedOffset {
            return UnsafeMutableRawPointer(control).advanced(by: MemoryLayout<StoreControl>.offset(of: \.tainted)!)
                .assumingMemoryBound(to: HotCursor.self)
        }
        return UnsafeMutableRawPointer(pools + i).advanced(by: MemoryLayout<PoolState>.offset(of: \.cursor)!)
            .assumingMemoryBound(to: HotCursor.self)
    }

    /// The authoritative mark stack of kind `k` (0...4): the hot copy in `control` for
    /// the current pool, else the one in the pool's descriptor.
    func markStack(_ k: Int) -> UnsafeMutablePointer<MarkStack> {
        if k == control.pointee.currentPool {
            return UnsafeMutableRawPointer(control).advanced(by: MemoryLayout<StoreControl>.offset(of: \.marks)!)
                .assumingMemoryBound(to: MarkStack.self)
        }
        return UnsafeMutableRawPointer(pools + k).advanced(by: MemoryLayout<PoolState>.offset(of: \.marks)!)
            .assumingMemoryBound(to: MarkStack.self)
    }

    func updateFlags() {
        control.pointee.slowFlags = (traceSink != nil ? 1 : 0) | (options.poisonOnRelease ? 2 : 0)
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
            guard let slot = owningSlot(of: p) else { return kind }
            if slot >= PoolSlot.firstQuotedSlot { return pools[slot].isActive ? slot : kind &+ PoolSlot.taintedOffset }
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
        let c = control
        if _fastPath(c.pointee.slowFlags == 0 && UInt(bitPattern: size) < Store.maxRequestU) {
            switch taintClass(taint) {
            case 0:
                let r = c.pointee.untainted.next
                let n = r + ((size &+ 7) & ~7)
                if _fastPath(n <= c.pointee.untainted.end) {
                    c.pointee.untainted.next = n
                    c.pointee.untainted.lastGet = r
                    return r
                }
            case 1:
                let r = c.pointee.tainted.next
                let n = r + ((size &+ 7) & ~7)
                if _fastPath(n <= c.pointee.tainted.end) {
                    c.pointee.tainted.next = n
                    c.pointee.tainted.lastGet = r
                    return r
                }
            default: break
            }
        }
        return try getSlow(size, pool: poolIndex(for: taint, kind: c.pointee.currentPool), site: CallSite(function, line))
    }

    /// 0 for an untainted request, 1 for a tainted one, 2 for a quoted prototype or one
    /// outside the first range (the slow path sorts it out). O(1).
    @inlinable @inline(__always)
    func taintClass(_ taint: Taint) -> Int {
        switch taint {
        case .untainted: return 0
        case .tainted: return 1
        case .like(let p):
            let off = UInt(bitPattern: p) &- base
            guard off < span else { return control.pointee.extraExtents == 0 ? 0 : 2 }
            let slot = Int(truncatingIfNeeded: off >> slotShift)
            return slot < PoolSlot.taintedOffset ? 0 : slot < PoolSlot.firstQuotedSlot ? 1 : 2
        }
    }

    /// Exim's `store_get_perm`: like `get`, but from the perm pool (or its twin, or a
    /// quoted pool for a quoted prototype) whatever `currentPool` is.
    @inlinable
    public func getPerm(_ size: Int, _ taint: Taint = .untainted,
                        function: StaticString = #function, line: Int = #line) throws(StoreError) -> UnsafeMutableRawPointer {
        let index = poolIndex(for: taint, kind: PoolKind.perm.rawValue)
        if _fastPath(control.pointee.slowFlags == 0 && UInt(bitPattern: size) < Store.maxRequestU) {
            let c = cursor(index)
            let r = c.pointee.next
            let n = r + ((size &+ 7) & ~7)
            if _fastPath(n <= c.pointee.end) {
                c.pointee.next = n
                c.pointee.lastGet = r
                return r
            }
        }
        return try getSlow(size, pool: index, site: CallSite(function, line))
    }

    // MARK: taint, O(1)

    /// True if `p` lies in a tainted or quoted pool's address range. O(1): one subtract
    /// and two compares for an address in the first range, and for any address while the
    /// store has its first range only (every store until a
    /// pool outgrows its first range); one more range check per further range after that
    /// (at most `AddressSpace.maxExtents`, 8). Agrees with Exim's block walk
    /// (`isTaintedByWalk`) for every address inside a live block; addresses in a tainted
    /// range but outside any live block (freed or never used) also count as tainted,
    /// the safe direction.
    @inlinable
    public func isTainted(_ p: UnsafeRawPointer) -> Bool {
        let off = UInt(bitPattern: p) &- base
        let inTaintedSlots = off &- taintOffset < span &- taintOffset
        if _fastPath(off < span) { return inTaintedSlots }
        return _slowPath(control.pointee.extraExtents != 0) && isTaintedInFurtherRanges(p)
    }

    /// The part of `isTainted` for stores that reserved more than one range.
    @usableFromInline @inline(never)
    func isTaintedInFurtherRanges(_ p: UnsafeRawPointer) -> Bool {
        space.isTaintedSlot(UInt(bitPattern: p))
    }

    /// The slot (pool index) whose reserved ranges hold `p`, active or not, or nil for an
    /// address outside the store. The one place that maps an address to its pool: O(1)
    /// for the first range, a short search of further ranges otherwise. An inactive
    /// slot's current block is an empty range, so fast paths need no separate check;
    /// `owningPool(of:)` adds the check.
    @inlinable @inline(__always)
    func owningSlot(of p: UnsafeRawPointer) -> Int? {
        let off = UInt(bitPattern: p) &- base
        if _fastPath(off < span) { return Int(truncatingIfNeeded: off >> slotShift) }
        return control.pointee.extraExtents == 0 ? nil : owningSlotInFurtherRanges(p)
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
        guard let slot = owningSlot(of: p), pools[slot].isActive else { return nil }
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
