#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Internal, unsafe: the address ranges one `Store` reserves, each cut into equal slots.
///
/// Slot `i` of every range holds blocks of pool `i` (0...9 paired, 10... quoted). A store
/// starts with one small range (`Store.Options.slotSizeLog2`, 64 MiB a slot by default)
/// and reserves a further, larger range (an *extent*, 16 times the slot size of the last
/// one, or as large as one request needs) only when a pool's slot is full; at most
/// `maxExtents` of them. So a process can hold very many small stores, and one store can
/// still grow a pool to many GiB.
///
/// Each range is in two parts. The untainted slots (0...4) are one read-write
/// `MAP_NORESERVE` mapping of the store's own: no commit charge and no memory until a
/// page is touched (and neighbouring ones merge into one kernel mapping, so
/// `vm.max_map_count`, 65530 by default, is no limit). The tainted and quoted slots
/// (5...31) are carved from the process's `TaintArena`, so every tainted byte of every
/// store lies in one range and `isTainted` is one compare.
///
/// Freed block memory is kept for reuse (first-fit free list with coalescing; a block
/// freed at the top just lowers the slot's top) and handed back to the kernel
/// (`MADV_DONTNEED`) only when a slot retains more than `retainLimit` freed bytes, so
/// reset cycles cost no system calls while a long run's resident size stays flat.
final class AddressSpace {
    /// A free range inside a slot (offsets from the slot's start, page multiples).
    struct FreeRange: Equatable { var offset: Int; var size: Int }

    /// Book-keeping of one slot of one extent.
    struct Slot {
        var top = 0          // bytes handed out by bumping (everything above is free)
        var dirtyTop = 0     // highest `top` since the last trim (pages that may hold data)
        var free: [FreeRange] = []   // sorted by offset, coalesced, all below `top`
        var freeDirty = 0    // bytes in `free` not yet handed back to the kernel
    }

    /// One reserved range: `slotCount` slots of `1 << shift` bytes, the untainted ones
    /// from `base`, the tainted and quoted ones from `taintedBase` (in the taint arena).
    struct Extent {
        let base: UInt
        let taintedBase: UInt
        let shift: Int
        var slotSize: Int { 1 << shift }
        /// Bytes of the untainted part (slots 0..<taintedOffset).
        var untaintedSize: Int { PoolSlot.taintedOffset << shift }
        /// Bytes of the tainted part (slots taintedOffset..<slotCount).
        var taintedSize: Int { (AddressSpace.slotCount - PoolSlot.taintedOffset) << shift }
        /// Index of the slot holding address `a`, or nil outside this range.
        @inline(__always) func slot(of a: UInt) -> Int? {
            let u = a &- base
            if u < UInt(untaintedSize) { return Int(truncatingIfNeeded: u &>> UInt(shift)) }
            let t = a &- taintedBase
            return t < UInt(taintedSize) ? PoolSlot.taintedOffset &+ Int(truncatingIfNeeded: t &>> UInt(shift)) : nil
        }
        /// Start address of slot `i`.
        @inline(__always) func slotBase(_ i: Int) -> UInt {
            i < PoolSlot.taintedOffset ? base + UInt(i << shift)
                                       : taintedBase + UInt((i - PoolSlot.taintedOffset) << shift)
        }
    }

    /// Pools per range: 10 paired + 22 quoted.
    static var slotCount: Int { PoolSlot.count }
    /// Most ranges one store reserves (the first plus growth).
    static var maxExtents: Int { 8 }
    /// Slot sizes: at least 1 MiB, at most 64 GiB (a 2 TiB range).
    static var minShift: Int { 20 }
    static var maxShift: Int { 36 }
    /// Each further range has slots this many times (as a power of two) larger.
    static var growthShift: Int { 4 }

    let page: Int
    let retainLimit: Int
    /// The ranges, oldest first (extent 0 is the one the stores' fast paths test inline).
    /// (Class storage without exclusivity checks: a store is single-threaded and no
    /// access here overlaps another.)
    @exclusivity(unchecked) private(set) var extents: [Extent] = []
    /// Slot book-keeping, `slotCount` per extent, in extent order.
    @exclusivity(unchecked) var slots: [Slot] = []

    /// Reserves the first range, `slotCount << shift` bytes.
    /// Result: an address space with every slot empty; throws `.outOfAddressSpace` if
    /// `mmap` fails.
    init(slotShift: Int, retainLimit: Int) throws(StoreError) {
        self.page = Int(sysconf(Int32(_SC_PAGESIZE)))
        self.retainLimit = max(0, retainLimit)
        try addExtent(shift: min(AddressSpace.maxShift, max(AddressSpace.minShift, slotShift)))
    }

    deinit {
        for e in extents {
            munmap(UnsafeMutableRawPointer(bitPattern: e.base), e.untaintedSize)
            TaintArena.shared?.giveBack(e.taintedBase, bytes: e.taintedSize)
        }
    }

    /// Maps one more range with slots of `1 << shift` bytes: its untainted part with
    /// `mmap`, its tainted part from the taint arena. Throws `.outOfAddressSpace`
    /// (nothing changed) if there are `maxExtents` already, or either part is refused.
    private func addExtent(shift: Int) throws(StoreError) {
        guard extents.count < AddressSpace.maxExtents else { throw .outOfAddressSpace(errno: 0) }
        guard let arena = TaintArena.shared else { throw .outOfAddressSpace(errno: ENOMEM) }
        let untainted = PoolSlot.taintedOffset << shift
        let tainted = (AddressSpace.slotCount - PoolSlot.taintedOffset) << shift
        let p = mmap(nil, untainted, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0)
        guard let p, p != MAP_FAILED else { throw .outOfAddressSpace(errno: errno) }
        var failure: Int32 = 0
        guard let t = arena.carve(tainted, failure: &failure) else {
            munmap(p, untainted)
            throw .outOfAddressSpace(errno: failure)
        }
        extents.append(Extent(base: UInt(bitPattern: p), taintedBase: t, shift: shift))
        slots.append(contentsOf: repeatElement(Slot(), count: AddressSpace.slotCount))
    }

    /// The first range (the one fast paths test inline).
    var first: Extent { extents[0] }

    /// Start address of slot `i` of extent `e`.
    @inline(__always) func slotBase(_ e: Int, _ i: Int) -> UnsafeMutableRawPointer {
        UnsafeMutableRawPointer(bitPattern: extents[e].slotBase(i))!
    }

    /// Rounds `n` up to whole pages.
    @inline(__always) func pageRounded(_ n: Int) -> Int { (n + page - 1) & ~(page - 1) }

    /// The extent and slot whose range holds `a`, or nil outside every range. O(extents).
    @inline(__always) func locate(_ a: UInt) -> (extent: Int, slot: Int)? {
        for e in extents.indices {
            if let s = extents[e].slot(of: a) { return (e, s) }
        }
        return nil
    }

    /// Hands out `bytes` (a page multiple) of read-write memory for pool `i`, page-aligned.
    /// First fit in the slot's free lists (oldest range first), else bump a slot's top,
    /// else reserve a further range. Invariant kept: ranges in a free list and in use
    /// never overlap. Throws `.outOfAddressSpace` (nothing changed) when no range has
    /// room and no further range can be reserved.
    func allocate(slot i: Int, bytes: Int) throws(StoreError) -> UnsafeMutableRawPointer {
        for e in extents.indices {
            let s = e * AddressSpace.slotCount + i
            if let k = slots[s].free.firstIndex(where: { $0.size >= bytes }) {
                let r = slots[s].free[k]
                if r.size == bytes { slots[s].free.remove(at: k) } else {
                    slots[s].free[k].offset += bytes
                    slots[s].free[k].size -= bytes
                }
                slots[s].freeDirty = max(0, slots[s].freeDirty - bytes)
                return slotBase(e, i) + r.offset
            }
        }
        for e in extents.indices where bytes <= extents[e].slotSize - slots[e * AddressSpace.slotCount + i].top {
            return bump(e, i, bytes)
        }
        // Every range's slot is full: a larger range, big enough for this request.
        var shift = min(AddressSpace.maxShift, extents[extents.count - 1].shift + AddressSpace.growthShift)
        while shift < AddressSpace.maxShift && (1 << shift) < bytes { shift += 1 }
        guard bytes <= 1 << shift else { throw .outOfAddressSpace(errno: 0) }
        try addExtent(shift: shift)
        return bump(extents.count - 1, i, bytes)
    }

    /// Takes `bytes` from the top of slot `i` of extent `e` (the caller checked the room).
    private func bump(_ e: Int, _ i: Int, _ bytes: Int) -> UnsafeMutableRawPointer {
        let s = e * AddressSpace.slotCount + i
        let top = slots[s].top
        slots[s].top = top + bytes
        slots[s].dirtyTop = max(slots[s].dirtyTop, top + bytes)
        return slotBase(e, i) + top
    }

    /// Gives back `bytes` at `p` (earlier returned by `allocate` for pool `i`).
    /// A range at the top lowers the top (and swallows free ranges that then touch it);
    /// any other range joins the free list, merged with its neighbours. When the slot
    /// retains more than `retainLimit` freed bytes they go back to the kernel.
    func release(slot i: Int, at p: UnsafeMutableRawPointer, bytes: Int) {
        guard let (e, _) = locate(UInt(bitPattern: p)) else { return }
        let s = e * AddressSpace.slotCount + i
        let off = p - slotBase(e, i)
        if off + bytes == slots[s].top {
            slots[s].top = off
            while let last = slots[s].free.last, last.offset + last.size == slots[s].top {
                slots[s].top = last.offset
                slots[s].freeDirty = max(0, slots[s].freeDirty - last.size)
                slots[s].free.removeLast()
            }
        } else {
            var lo = 0, hi = slots[s].free.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if slots[s].free[mid].offset < off { lo = mid + 1 } else { hi = mid }
            }
            slots[s].free.insert(FreeRange(offset: off, size: bytes), at: lo)
            if lo + 1 < slots[s].free.count, off + bytes == slots[s].free[lo + 1].offset {
                slots[s].free[lo].size += slots[s].free[lo + 1].size
                slots[s].free.remove(at: lo + 1)
            }
            if lo > 0, slots[s].free[lo - 1].offset + slots[s].free[lo - 1].size == off {
                slots[s].free[lo - 1].size += slots[s].free[lo].size
                slots[s].free.remove(at: lo)
            }
            slots[s].freeDirty += bytes
        }
        if slots[s].freeDirty + (slots[s].dirtyTop - slots[s].top) > retainLimit { trim(e, i) }
    }

    /// Hands every freed page of slot `i` of extent `e` back to the kernel (the mapping
    /// stays read-write; the pages read as zero when touched again).
    func trim(_ e: Int, _ i: Int) {
        let s = e * AddressSpace.slotCount + i
        let b = slotBase(e, i)
        for r in slots[s].free { _ = madvise(b + r.offset, r.size, MADV_DONTNEED) }
        let top = slots[s].top, dirty = slots[s].dirtyTop
        if dirty > top { _ = madvise(b + top, dirty - top, MADV_DONTNEED) }
        slots[s].freeDirty = 0
        slots[s].dirtyTop = top
    }

    /// True if `a` lies in slot `i` of some range below that slot's top (handed out or on
    /// its free list).
    func isBelowTop(_ a: UInt, slot i: Int) -> Bool {
        guard let (e, s) = locate(a), s == i else { return false }
        return Int(a - UInt(bitPattern: slotBase(e, i))) < slots[e * AddressSpace.slotCount + i].top
    }

    /// Bytes of pool `i`'s slots handed out or on their free lists (below their tops),
    /// summed over every range.
    func extent(slot i: Int) -> Int {
        extents.indices.reduce(0) { $0 + slots[$1 * AddressSpace.slotCount + i].top }
    }

    /// Bytes freed but not yet handed back to the kernel in pool `i`'s slots.
    func retainedBytes(slot i: Int) -> Int {
        extents.indices.reduce(0) {
            let s = slots[$1 * AddressSpace.slotCount + i]
            return $0 + s.freeDirty + s.dirtyTop - s.top
        }
    }

    /// Changes the protection of `bytes` at `p` (page-aligned) to read-only or read-write.
    func protect(_ p: UnsafeMutableRawPointer, bytes: Int, writable: Bool) -> Int32 {
        mprotect(p, bytes, writable ? (PROT_READ | PROT_WRITE) : PROT_READ) == 0 ? 0 : errno
    }

    // MARK: fork copy

    /// A new address space with the same ranges' shape (same number of extents, same slot
    /// sizes) and the same book-keeping (tops, free lists): the next allocation of each
    /// pool lands at the same offset as in `self`. No bytes are copied here.
    func emptyTwin() throws(StoreError) -> AddressSpace {
        let twin = try AddressSpace(slotShift: extents[0].shift, retainLimit: retainLimit)
        for e in extents.dropFirst() { try twin.addExtent(shift: e.shift) }
        twin.slots = slots.map { s in
            // Nothing in the twin is dirty yet: freed ranges read as zero there.
            Slot(top: s.top, dirtyTop: s.top, free: s.free, freeDirty: 0)
        }
        return twin
    }

    /// The address in `twin` (same shape) at the offset `a` has in `self`, or nil when
    /// `a` is in none of `self`'s ranges or `twin` lacks that range.
    @inline(__always) func translate(_ a: UInt, into twin: AddressSpace) -> UInt? {
        guard let (e, s) = locate(a), e < twin.extents.count, twin.extents[e].shift == extents[e].shift else {
            return nil
        }
        return twin.extents[e].slotBase(s) &+ (a &- extents[e].slotBase(s))
    }
}

/// Internal, unsafe: moves addresses and bytes from one address space to its twin.
struct Relocation {
    let from: AddressSpace
    let to: AddressSpace

    /// `p` moved to the twin; an address one past a range's end (a full block's end, the
    /// dummy cursor) moves with the byte before it. Anything outside stays as it is.
    func address(_ p: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer {
        UnsafeMutableRawPointer(bitPattern: word(UInt(bitPattern: p)))!
    }

    /// `word` relocated if it points into (or one past) `from`'s ranges, else unchanged.
    @inline(__always) func word(_ w: UInt) -> UInt {
        if let t = from.translate(w, into: to) { return t }
        if w != 0, let t = from.translate(w &- 1, into: to) { return t &+ 1 }
        return w
    }

    /// Block bounds moved to the twin.
    func bounds(_ b: BlockBounds) -> BlockBounds {
        var r = b
        r.start = address(b.start)
        return r
    }

    /// A cursor moved to the twin.
    func cursor(_ c: HotCursor) -> HotCursor {
        var r = c
        r.next = address(c.next)
        r.end = address(c.end)
        r.lastGet = c.lastGet.map(address)
        return r
    }

    /// Copies `bytes` (a multiple of 8 unless `src` is unaligned) and relocates every
    /// 8-aligned word of the copy that points into `from`'s ranges.
    func copy(from src: UnsafeRawPointer, to dst: UnsafeMutableRawPointer, bytes: Int) {
        memcpy(dst, src, bytes)
        var off = (8 - Int(UInt(bitPattern: dst) & 7)) & 7
        while off + 8 <= bytes {
            let w = (dst + off).load(as: UInt.self)
            if from.locate(w) != nil {
                (dst + off).storeBytes(of: word(w), as: UInt.self)
            }
            off += 8
        }
    }
}
