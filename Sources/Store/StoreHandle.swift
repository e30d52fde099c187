#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Internal, unsafe: the one type that owns a store's raw storage and does its pointer
/// arithmetic (swift-collections' `_UnsafeHandle` pattern).
///
/// A `Store` holds one handle. The handle owns the pool descriptors and the hot control
/// block (raw storage: no ARC, no exclusivity checks on the fast paths), knows the first
/// reserved range's bounds, and does every cursor bump, block-range test, chain walk,
/// cookie load and store, poisoning and byte copy. The `Store+Feature.swift` files call
/// its methods and never compute or dereference a raw address themselves; the other
/// unsafe files are `PoolState.swift` (the records in that storage) and
/// `AddressSpace.swift` (the reserved ranges).
///
/// It is a struct of pointers: copies share the storage; `deallocate()` ends it.
@usableFromInline
struct StoreHandle {
    @usableFromInline let pools: UnsafeMutablePointer<PoolState>
    @usableFromInline let control: UnsafeMutablePointer<StoreControl>
    /// The first reserved range's untainted slots (0...4): start and size.
    @usableFromInline let base: UInt
    @usableFromInline let span: UInt
    /// The first range's tainted and quoted slots (5...31, contiguous, in the taint
    /// arena): start and size.
    @usableFromInline let firstTaintedBase: UInt
    @usableFromInline let firstTaintedSpan: UInt
    /// log2 of one slot of the first range.
    @usableFromInline let slotShift: UInt
    /// The process's taint arena (every store's tainted and quoted slots): start and
    /// size. `isTainted` is one compare against these, for any address.
    @usableFromInline let taintBase: UInt
    @usableFromInline let taintSpan: UInt

    /// Storage for every pool slot, all empty, over the first range `first`, whose
    /// tainted part lies in `arena`.
    /// The dummy cursor is the range's last byte (of its last quoted slot): with `end` at
    /// it and `next` one past it, a pool without a block has an empty current range.
    init(first: AddressSpace.Extent, arena: TaintArena, extraExtents: Int) {
        base = first.base
        span = UInt(first.untaintedSize)
        firstTaintedBase = first.taintedBase
        firstTaintedSpan = UInt(first.taintedSize)
        slotShift = UInt(first.shift)
        taintBase = arena.base
        taintSpan = UInt(arena.size)
        let dummy = UnsafeMutableRawPointer(bitPattern: first.taintedBase + UInt(first.taintedSize - 1))!
        pools = .allocate(capacity: PoolSlot.count)
        for i in 0..<PoolSlot.count {
            (pools + i).initialize(to: PoolState(dummy: dummy, active: i < PoolSlot.firstQuotedSlot))
        }
        // 64-aligned, so the fields every get touches share one cache line.
        control = UnsafeMutableRawPointer.allocate(byteCount: MemoryLayout<StoreControl>.stride, alignment: 64)
            .bindMemory(to: StoreControl.self, capacity: 1)
        control.initialize(to: StoreControl(dummy: dummy))
        control.pointee.extraExtents = extraExtents
        // Mark stacks get storage at their first mark (the slow path): a store that never
        // marks costs nothing for them, and the fast paths never touch an empty stack's
        // storage (no checked mark matches depth 0).
    }

    /// Frees the storage (the store's `deinit`).
    func deallocate() {
        for k in 0..<PoolSlot.taintedOffset { markStack(k).pointee.free() }
        pools.deinitialize(count: PoolSlot.count)
        pools.deallocate()
        control.deinitialize(count: 1)
        UnsafeMutableRawPointer(control).deallocate()
    }

    // MARK: the storage, by name

    /// Pool descriptor `i` in place (read and modify without a copy).
    @inlinable
    subscript(pool i: Int) -> PoolState {
        unsafeAddress { UnsafePointer(pools + i) }
        nonmutating unsafeMutableAddress { pools + i }
    }

    /// The control block in place.
    @inlinable
    var state: StoreControl {
        unsafeAddress { UnsafePointer(control) }
        nonmutating unsafeMutableAddress { control }
    }

    /// The authoritative cursor of pool slot `i`: the hot copy in the control block for
    /// the current pool and its twin, else the one in the pool's descriptor.
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

    /// The authoritative block bounds of pool slot `i` (see `cursor(_:)`).
    @inlinable @inline(__always)
    func bounds(_ i: Int) -> UnsafeMutablePointer<BlockBounds> {
        let cur = control.pointee.currentPool
        if i == cur {
            return UnsafeMutableRawPointer(control).advanced(by: MemoryLayout<StoreControl>.offset(of: \.untaintedBounds)!)
                .assumingMemoryBound(to: BlockBounds.self)
        }
        if i == cur &+ PoolSlot.taintedOffset {
            return UnsafeMutableRawPointer(control).advanced(by: MemoryLayout<StoreControl>.offset(of: \.taintedBounds)!)
                .assumingMemoryBound(to: BlockBounds.self)
        }
        return UnsafeMutableRawPointer(pools + i).advanced(by: MemoryLayout<PoolState>.offset(of: \.bounds)!)
            .assumingMemoryBound(to: BlockBounds.self)
    }

    /// The authoritative mark stack of kind `k` (0...4): the hot copy in the control
    /// block for the current pool, else the one in the pool's descriptor.
    func markStack(_ k: Int) -> UnsafeMutablePointer<MarkStack> {
        if k == control.pointee.currentPool {
            return UnsafeMutableRawPointer(control).advanced(by: MemoryLayout<StoreControl>.offset(of: \.marks)!)
                .assumingMemoryBound(to: MarkStack.self)
        }
        return UnsafeMutableRawPointer(pools + k).advanced(by: MemoryLayout<PoolState>.offset(of: \.marks)!)
            .assumingMemoryBound(to: MarkStack.self)
    }

    /// Pushes `cookie` on kind `k`'s mark stack (growing it if needed); returns its depth.
    func pushMark(kind k: Int, cookie: UnsafeRawPointer) -> Int {
        let ms = markStack(k)
        ms.pointee.reserve(ms.pointee.depth + 2)
        return ms.pointee.push(cookie)
    }

    /// True if a mark of kind `k` at depth `d` with `cookie` is still valid.
    func marksHold(kind k: Int, depth d: Int, cookie: UnsafeRawPointer) -> Bool {
        markStack(k).pointee.holds(depth: d, cookie: cookie)
    }

    /// Pops kind `k`'s mark stack to depth `d` (`clearAll`: forgets every entry).
    func popMarks(kind k: Int, to d: Int, clearAll: Bool = false) {
        markStack(k).pointee.pop(to: d, clearAll: clearAll)
    }

    /// The number of valid marks of kind `k`.
    func markDepth(kind k: Int) -> Int { markStack(k).pointee.depth }

    /// Makes kind `new` current: the old pair's hot cursors and mark stack are parked in
    /// their descriptors, the new pair's fetched.
    func switchCurrent(to new: Int) {
        let old = control.pointee.currentPool
        guard old != new else { return }
        pools[old].cursor = control.pointee.untainted
        pools[old + PoolSlot.taintedOffset].cursor = control.pointee.tainted
        pools[old].bounds = control.pointee.untaintedBounds
        pools[old + PoolSlot.taintedOffset].bounds = control.pointee.taintedBounds
        control.pointee.untainted = pools[new].cursor
        control.pointee.tainted = pools[new + PoolSlot.taintedOffset].cursor
        control.pointee.untaintedBounds = pools[new].bounds
        control.pointee.taintedBounds = pools[new + PoolSlot.taintedOffset].bounds
        pools[old].marks = control.pointee.marks
        control.pointee.marks = pools[new].marks
        control.pointee.currentPool = new
    }

    // MARK: fast paths (inlined into callers)

    /// Carves `size` bytes (rounded up to 8) from the current pool's cursor (`tainted`:
    /// its twin's) if the current block has room; nil otherwise (nothing changed).
    @inlinable @inline(__always)
    func bumpCurrent(_ size: Int, tainted: Bool) -> UnsafeMutableRawPointer? {
        let c = control
        if tainted {
            let r = c.pointee.tainted.next
            let n = r + ((size &+ 7) & ~7)
            guard _fastPath(n <= c.pointee.tainted.end) else { return nil }
            c.pointee.tainted.next = n
            c.pointee.tainted.lastGet = r
            return r
        }
        let r = c.pointee.untainted.next
        let n = r + ((size &+ 7) & ~7)
        guard _fastPath(n <= c.pointee.untainted.end) else { return nil }
        c.pointee.untainted.next = n
        c.pointee.untainted.lastGet = r
        return r
    }

    /// `bumpCurrent` for any pool slot `i`.
    @inlinable @inline(__always)
    func bump(_ size: Int, pool i: Int) -> UnsafeMutableRawPointer? {
        let c = cursor(i)
        let r = c.pointee.next
        let n = r + ((size &+ 7) & ~7)
        guard _fastPath(n <= c.pointee.end) else { return nil }
        c.pointee.next = n
        c.pointee.lastGet = r
        return r
    }

    /// True when every operation must take the slow path (tracing or poisoning).
    @inlinable @inline(__always)
    var isSlow: Bool { control.pointee.slowFlags != 0 }

    /// 0 for an untainted request (or a prototype outside the taint arena), 1 for a
    /// tainted one (or a prototype in the first range's tainted slots), 2 for a quoted
    /// prototype or a tainted one elsewhere (the slow path sorts it out). O(1).
    @inlinable @inline(__always)
    func taintClass(_ taint: Taint) -> Int {
        switch taint {
        case .untainted: return 0
        case .tainted: return 1
        case .like(let p):
            guard isTainted(p) else { return 0 }
            let off = UInt(bitPattern: p) &- firstTaintedBase
            guard off < firstTaintedSpan else { return 2 }
            return PoolSlot.taintedOffset &+ Int(truncatingIfNeeded: off &>> slotShift) < PoolSlot.firstQuotedSlot ? 1 : 2
        }
    }

    /// True if `p` lies in the taint arena (the tainted or quoted slots of any store):
    /// one subtract and one unsigned compare.
    @inlinable @inline(__always)
    func isTainted(_ p: UnsafeRawPointer) -> Bool {
        UInt(bitPattern: p) &- taintBase < taintSpan
    }

    /// The slot whose first-range part holds `p`; nil outside the first range.
    @inlinable @inline(__always)
    func slotInFirstRange(_ p: UnsafeRawPointer) -> Int? {
        let off = UInt(bitPattern: p) &- base
        if off < span { return Int(truncatingIfNeeded: off &>> slotShift) }
        let t = UInt(bitPattern: p) &- firstTaintedBase
        return t < firstTaintedSpan ? PoolSlot.taintedOffset &+ Int(truncatingIfNeeded: t &>> slotShift) : nil
    }

    /// Exim's `store_mark` in place: 8 bytes from the current pool (the cookie) holding the
    /// twin's cursor (the watermark), pushed on the current kind's mark stack. nil (nothing
    /// changed) when either block or the stack is full.
    @inlinable @inline(__always)
    func pushMark() -> Store.Mark? {
        let c = control
        let r = c.pointee.untainted.next
        let n = r + 8
        let w = c.pointee.tainted.next
        let d = c.pointee.marks.depth
        guard _fastPath(n <= c.pointee.untainted.end && w <= c.pointee.tainted.end && d < c.pointee.marks.pushLimit)
        else { return nil }
        c.pointee.untainted.next = n
        c.pointee.untainted.lastGet = r
        c.pointee.tainted.lastGet = w
        r.storeBytes(of: UInt(bitPattern: w), as: UInt.self)
        c.pointee.marks.entries.unsafelyUnwrapped[d] = UInt(bitPattern: r)
        c.pointee.marks.depth = d &+ 1
        return Store.Mark(cookie: r, depth: d, watermark: UInt(bitPattern: w))
    }

    /// Exim's `store_reset` in place, for the common case only: `mark` is the top of the
    /// current kind's mark stack, its cookie still holds its watermark, both addresses lie
    /// in the current blocks and no block follows either. Moves the two cursors, pops the
    /// mark (its entry stays for a second reset) and returns true; false (nothing changed)
    /// in every other case, which the slow path decides.
    @inlinable @inline(__always)
    func popMarkInPlace(_ mark: Store.Mark) -> Bool {
        let c = control
        let cookie = mark.cookie
        let d = mark.depth
        guard _fastPath(d &+ 1 == c.pointee.marks.depth
                        && c.pointee.marks.entries.unsafelyUnwrapped[d] == UInt(bitPattern: cookie)
                        && cookie >= c.pointee.untaintedBounds.start && cookie + 8 <= c.pointee.untainted.end
                        && c.pointee.untaintedBounds.atChainEnd && c.pointee.taintedBounds.atChainEnd) else { return false }
        let wv = cookie.load(as: UInt.self)
        guard _fastPath(wv == mark.watermark), let w = UnsafeMutableRawPointer(bitPattern: wv),
              _fastPath(w >= c.pointee.taintedBounds.start && w <= c.pointee.tainted.end) else { return false }
        c.pointee.tainted.lastGet = nil
        c.pointee.tainted.next = w + ((c.pointee.tainted.end - w) & 7)
        c.pointee.untainted.lastGet = nil
        c.pointee.untainted.next = cookie + ((c.pointee.untainted.end - cookie) & 7)
        c.pointee.marks.entries.unsafelyUnwrapped[d &+ 1] = 0
        c.pointee.marks.depth = d
        return true
    }

    /// Exim's `store_extend` in place when `p` lies in its pool's current block: nil if it
    /// does not (or the sizes are bad: the slow path decides), else whether it grew.
    @inlinable @inline(__always)
    func extendInPlace(_ p: UnsafeMutableRawPointer, pool i: Int, from oldSize: Int, to newSize: Int) -> Bool? {
        let c = cursor(i)
        guard _fastPath(p >= bounds(i).pointee.start && p < c.pointee.end
                        && oldSize >= 0 && newSize >= oldSize && newSize < Store.maxRequest) else { return nil }
        return grow(p, pool: i, from: oldSize, to: newSize)
    }

    /// Grows the latest allocation `p` of pool `i` (sizes already checked): false if `p`
    /// is not the latest or the block has no room.
    @inlinable @inline(__always)
    func grow(_ p: UnsafeMutableRawPointer, pool i: Int, from oldSize: Int, to newSize: Int) -> Bool {
        let c = cursor(i)
        let rOld = (oldSize &+ 7) & ~7
        if p + rOld != c.pointee.next || newSize &- oldSize > c.pointee.yieldLength &+ (rOld &- oldSize) { return false }
        c.pointee.next = p + ((newSize &+ 7) & ~7)
        return true
    }

    /// True if `p` lies in pool `i`'s current block (half-open).
    @inlinable @inline(__always)
    func isInCurrentBlock(_ p: UnsafeRawPointer, pool i: Int) -> Bool {
        let c = cursor(i)
        return p >= UnsafeRawPointer(bounds(i).pointee.start) && p < UnsafeRawPointer(c.pointee.end)
    }

    /// Exim's `store_release_above` on pool `i`'s cursor (`p` in its current block): the
    /// cursor moves to `p` rounded up to 8 from the block end. Returns the bytes given back.
    @inlinable @inline(__always) @discardableResult
    func releaseAbove(_ p: UnsafeRawPointer, pool i: Int) -> Int {
        let c = cursor(i)
        let old = c.pointee.yieldLength
        let newLength = c.pointee.end - UnsafeMutableRawPointer(mutating: p)
        c.pointee.lastGet = nil
        c.pointee.next = UnsafeMutableRawPointer(mutating: p) + (newLength & 7)
        return c.pointee.yieldLength - old
    }

    // MARK: cursors and blocks (slow paths)

    /// Bytes left in pool `i`'s current block (Exim's `yield_length`; -1 before a block).
    @inline(__always)
    func yieldLength(_ i: Int) -> Int { cursor(i).pointee.yieldLength }
    /// Where pool `i`'s next get starts.
    @inline(__always)
    func nextYield(_ i: Int) -> UnsafeMutableRawPointer { cursor(i).pointee.next }
    /// Exim's `store_last_get` of pool `i`.
    @inline(__always)
    func lastGet(_ i: Int) -> UnsafeMutableRawPointer? { cursor(i).pointee.lastGet }

    /// Carves `rounded` bytes (a multiple of 8 the current block has room for) from pool `i`.
    @inline(__always)
    func carve(_ i: Int, rounded: Int) -> UnsafeMutableRawPointer {
        let c = cursor(i)
        let r = c.pointee.next
        c.pointee.lastGet = r
        c.pointee.next = r + rounded
        return r
    }

    /// Records how much of the current block is in use before pool `i` moves off it.
    @inline(__always)
    func leaveCurrent(_ i: Int) {
        let cur = pools[i].current
        if cur >= 0 { pools[i].chain[cur].used = pools[i].chain[cur].length - max(0, yieldLength(i)) }
    }

    /// Makes chain block `k` of pool `i` current with all of its data free.
    @inline(__always)
    func makeCurrent(_ i: Int, _ k: Int) {
        setCurrentRange(i, k)
        cursor(i).pointee.next = pools[i].chain[k].dataStart
    }

    /// Points pool `i`'s current block at chain block `k` without moving the cursor.
    @inline(__always)
    func setCurrentRange(_ i: Int, _ k: Int) {
        let b = pools[i].chain[k]
        pools[i].current = k
        bounds(i).pointee.start = b.dataStart
        cursor(i).pointee.end = b.dataEnd
        syncChainEnd(i)
    }

    /// Brings pool `i`'s `atChainEnd` up to date; called after every change of its chain
    /// or current block.
    @inline(__always)
    func syncChainEnd(_ i: Int) {
        bounds(i).pointee.atChainEnd = pools[i].isLastBlockCurrent
    }

    /// Exim's reset of pool `i`'s cursor to `ptr` in chain block `k` (found by the
    /// caller): `ptr` rounded up to 8 from the block end, the block current, `lastGet`
    /// cleared, the freed bytes poisoned when `poison`. Returns the bytes given back.
    @inline(__always)
    func resetCursor(_ i: Int, to ptr: UnsafeMutableRawPointer, block k: Int, poison: Bool) -> Int {
        let c = cursor(i)
        c.pointee.lastGet = nil
        let block = pools[i].chain[k]
        let newLength = block.dataEnd - ptr
        if poison && !block.isProtected { memset(ptr, 0xF0, newLength) }
        let oldYield = c.pointee.yieldLength
        if k != pools[i].current { leaveCurrent(i) }
        setCurrentRange(i, k)
        c.pointee.next = ptr + (newLength % 8)
        return c.pointee.yieldLength - oldYield
    }

    /// Index of the block of pool `i` whose data holds `p` (half-open, or with the end
    /// included as reset tests), searching the chain from its start.
    @inline(__always)
    func blockIndex(pool i: Int, containing p: UnsafeRawPointer, inclusiveEnd: Bool) -> Int? {
        pools[i].chain.firstIndex { $0.contains(p, inclusiveEnd: inclusiveEnd) }
    }

    /// Index of the block of pool `i` whose data starts at `dataStart`.
    @inline(__always)
    func blockIndex(pool i: Int, startingAt dataStart: UnsafeRawPointer) -> Int? {
        pools[i].chain.firstIndex { UnsafeRawPointer($0.dataStart) == dataStart }
    }

    /// Bytes from `p` to the end of pool `i`'s current block.
    @inline(__always)
    func bytesToBlockEnd(from p: UnsafeRawPointer, pool i: Int) -> Int {
        UnsafeRawPointer(cursor(i).pointee.end) - p
    }

    /// The chain index of the block reset would use for `p` in pool `i`: the current
    /// block if it holds `p` (end included), else the first from the chain's start that
    /// does. nil if none (Exim dies with "internal error").
    @inline(__always)
    func resetBlockIndex(_ i: Int, _ p: UnsafeRawPointer) -> Int? {
        let cur = pools[i].current
        guard cur >= 0 else { return nil }
        if pools[i].chain[cur].contains(p, inclusiveEnd: true) { return cur }
        return blockIndex(pool: i, containing: p, inclusiveEnd: true)
    }

    /// The block of pool `i` holding `p`, current block first (Exim's order); nil if none.
    @inline(__always)
    func locateBlock(pool i: Int, _ p: UnsafeRawPointer, inclusiveEnd: Bool) -> Int? {
        let cur = pools[i].current
        if cur >= 0, pools[i].chain[cur].contains(p, inclusiveEnd: inclusiveEnd) { return cur }
        return blockIndex(pool: i, containing: p, inclusiveEnd: inclusiveEnd)
    }

    /// True if the 8 bytes of a cookie at `p` lie inside chain block `k` of pool `i`.
    @inline(__always)
    func holdsCookie(pool i: Int, block k: Int, _ p: UnsafeRawPointer) -> Bool {
        p + 8 <= UnsafeRawPointer(pools[i].chain[k].dataEnd)
    }

    /// Bytes from the data start of chain block `k` of pool `i` to `p`.
    func offset(of p: UnsafeRawPointer, pool i: Int, block k: Int) -> Int {
        p - UnsafeRawPointer(pools[i].chain[k].dataStart)
    }

    /// Whether `p + length` stays inside the block `p` lies in (`dataEnd` its end).
    static func fits(_ p: UnsafeRawPointer, length: Int, before dataEnd: UInt) -> Bool {
        UInt(bitPattern: p) + UInt(length) <= dataEnd
    }

    /// Bytes of chain block `k` of pool `i` in use: up to the cursor for the current
    /// block, else as recorded when the pool left it.
    @inline(__always)
    func usedBytes(pool i: Int, block k: Int) -> Int {
        k == pools[i].current ? nextYield(i) - pools[i].chain[k].dataStart : pools[i].chain[k].used
    }

    /// The run of blocks `first...last` of pool `i`'s chain that lie back to back in
    /// memory ending at `last` (for one release call), going no lower than `floor`.
    @inline(__always)
    func contiguousRun(pool i: Int, endingAt last: Int, above floor: Int) -> (first: Int, bytes: Int) {
        var first = last
        var bytes = pools[i].chain[last].physical
        while first - 1 > floor,
              pools[i].chain[first - 1].header + pools[i].chain[first - 1].physical == pools[i].chain[first].header {
            first -= 1
            bytes += pools[i].chain[first].physical
        }
        return (first, bytes)
    }

    /// Copies every pool descriptor, both hot cursors and the mark stacks into `child`
    /// (a fresh handle over `reloc.to`), every address relocated (a fork copy).
    func copyState(into child: StoreHandle, _ reloc: Relocation) {
        for k in 0..<PoolSlot.taintedOffset { child.markStack(k).pointee.free() }
        for i in 0..<PoolSlot.count {
            var ps = pools[i]
            ps.cursor = reloc.cursor(ps.cursor)
            ps.bounds = reloc.bounds(ps.bounds)
            for k in ps.chain.indices { ps.chain[k].header = reloc.address(ps.chain[k].header) }
            ps.marks = MarkStack()
            child.pools[i] = ps
        }
        var ctl = control.pointee
        ctl.untainted = reloc.cursor(ctl.untainted)
        ctl.tainted = reloc.cursor(ctl.tainted)
        ctl.untaintedBounds = reloc.bounds(ctl.untaintedBounds)
        ctl.taintedBounds = reloc.bounds(ctl.taintedBounds)
        ctl.marks = MarkStack()
        child.control.pointee = ctl
        for k in 0..<PoolSlot.taintedOffset {
            child.markStack(k).pointee = markStack(k).pointee.copy(reloc.word)
        }
    }

    // MARK: mark cookies

    /// The word a cookie holds (the tainted twin's watermark).
    static func cookieWord(_ cookie: UnsafeRawPointer) -> UInt { cookie.load(as: UInt.self) }

    /// Stores `watermark` in the cookie at `cookie`.
    static func setCookie(_ cookie: UnsafeMutableRawPointer, _ watermark: UnsafeRawPointer) {
        cookie.storeBytes(of: UInt(bitPattern: watermark), as: UInt.self)
    }

    /// The address a cookie word names (nil for 0).
    static func watermarkAddress(_ w: UInt) -> UnsafeMutableRawPointer? { UnsafeMutableRawPointer(bitPattern: w) }

    /// True if `p` is 8-aligned.
    static func isWordAligned(_ p: UnsafeRawPointer) -> Bool { UInt(bitPattern: p) & 7 == 0 }

    // MARK: raw bytes

    /// Fills `bytes` at `p` with 0xF0 (Exim's test-harness poison).
    static func poison(_ p: UnsafeMutableRawPointer, bytes: Int) { memset(p, 0xF0, bytes) }

    /// Copies `bytes` from `src` to `dst` (ranges may overlap).
    static func move(_ dst: UnsafeMutableRawPointer, from src: UnsafeRawPointer, bytes: Int) {
        if bytes > 0 { memmove(dst, src, bytes) }
    }

    /// Appends `source` and a NUL after the NUL-terminated text at `destination`.
    static func appendCString(_ source: UnsafeRawBufferPointer, to destination: UnsafeMutableRawPointer) {
        let end = strlen(destination.assumingMemoryBound(to: CChar.self))
        if let s = source.baseAddress, source.count > 0 { memmove(destination + end, s, source.count) }
        (destination + end + source.count).storeBytes(of: 0, as: UInt8.self)
    }

    /// Exim's `store_malloc` memory: a C block of `total` bytes whose first 8 hold `total`;
    /// the caller's address is 8 bytes in. nil if C `malloc` fails.
    static func mallocWithPrefix(_ total: Int) -> UnsafeMutableRawPointer? {
        guard let raw = Glibc.malloc(total) else { return nil }
        raw.storeBytes(of: total, as: Int.self)
        return raw + 8
    }

    /// Frees memory from `mallocWithPrefix` (the caller's address).
    static func freeWithPrefix(_ p: UnsafeMutableRawPointer) { Glibc.free(p - 8) }

    /// The caller's address of a tracked malloc recorded as `key`.
    static func address(_ key: UInt) -> UnsafeMutableRawPointer? { UnsafeMutableRawPointer(bitPattern: key) }
}

extension BlockRecord {
    /// True if `p` lies in the block's data (half-open, or with the end included).
    @inline(__always) func contains(_ p: UnsafeRawPointer, inclusiveEnd: Bool = false) -> Bool {
        let s = UnsafeRawPointer(dataStart), e = UnsafeRawPointer(dataEnd)
        return p >= s && (p < e || (inclusiveEnd && p == e))
    }
}
