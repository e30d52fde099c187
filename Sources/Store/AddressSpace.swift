#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Internal, unsafe: the address range one `Store` reserves, cut into equal slots.
///
/// Slot `i` holds the blocks of pool `i` (0...9 paired, 10... quoted). The whole range is
/// reserved `PROT_NONE` + `MAP_NORESERVE` (no memory, no commit charge); a slot is made
/// read-write from its start as its blocks reach further. Freed block memory is kept
/// for reuse (first-fit free list with coalescing; a block freed at the top just lowers
/// the slot's top) and handed back to the kernel (`MADV_DONTNEED`) only when a slot
/// retains more than `retainLimit` freed bytes, so reset cycles cost no system calls
/// while a long run's resident size stays flat.
final class AddressSpace {
    /// A free range inside a slot (offsets from the slot's start, page multiples).
    struct FreeRange { var offset: Int; var size: Int }

    /// Book-keeping of one slot.
    struct Slot {
        var top = 0          // bytes handed out by bumping (everything above is free)
        var committed = 0    // bytes made read-write from the slot's start
        var dirtyTop = 0     // highest `top` since the last trim (pages that may hold data)
        var free: [FreeRange] = []   // sorted by offset, coalesced, all below `top`
        var freeDirty = 0    // bytes in `free` not yet handed back to the kernel
    }

    static var slotCount: Int { 32 }
    let base: UnsafeMutableRawPointer
    let slotShift: Int
    let slotSize: Int
    let totalSize: Int
    let page: Int
    let retainLimit: Int
    /// Granularity of `mprotect` calls that open a slot further (fewer syscalls, fewer VMAs).
    let commitChunk: Int
    /// Slot book-keeping in raw storage (mutated in place: no copy-on-write checks).
    let slots: UnsafeMutablePointer<Slot>

    /// Reserves `slotCount << slotShift` bytes of address space.
    /// Result: an address space with every slot empty; throws if `mmap` fails.
    init(slotShift: Int, retainLimit: Int) throws(StoreError) {
        self.slotShift = slotShift
        self.slotSize = 1 << slotShift
        self.totalSize = AddressSpace.slotCount << slotShift
        self.page = Int(sysconf(Int32(_SC_PAGESIZE)))
        self.retainLimit = max(0, retainLimit)
        self.commitChunk = max(page, min(1 << 20, slotSize))
        let p = mmap(nil, totalSize, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0)
        guard let p, p != MAP_FAILED else { throw .outOfAddressSpace(errno: errno) }
        self.base = p
        self.slots = .allocate(capacity: AddressSpace.slotCount)
        slots.initialize(repeating: Slot(), count: AddressSpace.slotCount)
    }

    deinit {
        munmap(base, totalSize)
        slots.deinitialize(count: AddressSpace.slotCount)
        slots.deallocate()
    }

    /// Start address of slot `i`.
    @inline(__always) func slotBase(_ i: Int) -> UnsafeMutableRawPointer { base + (i << slotShift) }

    /// Rounds `n` up to whole pages.
    @inline(__always) func pageRounded(_ n: Int) -> Int { (n + page - 1) & ~(page - 1) }

    /// Hands out `bytes` (a page multiple) of read-write memory from slot `i`, page-aligned.
    /// First fit in the free list, else bump the slot's top. Invariant kept: ranges in
    /// the free list and in use never overlap; everything below `committed` is read-write.
    func allocate(slot i: Int, bytes: Int) throws(StoreError) -> UnsafeMutableRawPointer {
        if let k = slots[i].free.firstIndex(where: { $0.size >= bytes }) {
            let r = slots[i].free[k]
            if r.size == bytes { slots[i].free.remove(at: k) } else {
                slots[i].free[k].offset += bytes
                slots[i].free[k].size -= bytes
            }
            slots[i].freeDirty = max(0, slots[i].freeDirty - bytes)
            return slotBase(i) + r.offset
        }
        let top = slots[i].top
        guard bytes <= slotSize - top else { throw .outOfAddressSpace(errno: 0) }
        if top + bytes > slots[i].committed {
            let want = min(slotSize, (top + bytes + commitChunk - 1) / commitChunk * commitChunk)
            let from = slots[i].committed
            if mprotect(slotBase(i) + from, want - from, PROT_READ | PROT_WRITE) != 0 {
                throw .outOfAddressSpace(errno: errno)
            }
            slots[i].committed = want
        }
        slots[i].top = top + bytes
        slots[i].dirtyTop = max(slots[i].dirtyTop, top + bytes)
        return slotBase(i) + top
    }

    /// Gives back `bytes` at `p` (earlier returned by `allocate` for slot `i`).
    /// A range at the top lowers the top (and swallows free ranges that then touch it);
    /// any other range joins the free list, merged with its neighbours. When the slot
    /// retains more than `retainLimit` freed bytes they go back to the kernel.
    func release(slot i: Int, at p: UnsafeMutableRawPointer, bytes: Int) {
        let off = p - slotBase(i)
        if off + bytes == slots[i].top {
            slots[i].top = off
            while let last = slots[i].free.last, last.offset + last.size == slots[i].top {
                slots[i].top = last.offset
                slots[i].freeDirty = max(0, slots[i].freeDirty - last.size)
                slots[i].free.removeLast()
            }
        } else {
            var lo = 0, hi = slots[i].free.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if slots[i].free[mid].offset < off { lo = mid + 1 } else { hi = mid }
            }
            slots[i].free.insert(FreeRange(offset: off, size: bytes), at: lo)
            if lo + 1 < slots[i].free.count, off + bytes == slots[i].free[lo + 1].offset {
                slots[i].free[lo].size += slots[i].free[lo + 1].size
                slots[i].free.remove(at: lo + 1)
            }
            if lo > 0, slots[i].free[lo - 1].offset + slots[i].free[lo - 1].size == off {
                slots[i].free[lo - 1].size += slots[i].free[lo].size
                slots[i].free.remove(at: lo)
            }
            slots[i].freeDirty += bytes
        }
        if slots[i].freeDirty + (slots[i].dirtyTop - slots[i].top) > retainLimit { trim(slot: i) }
    }

    /// Hands every freed page of slot `i` back to the kernel (the mapping stays read-write;
    /// the pages read as zero when touched again).
    func trim(slot i: Int) {
        let b = slotBase(i)
        for r in slots[i].free { _ = madvise(b + r.offset, r.size, MADV_DONTNEED) }
        let top = slots[i].top, dirty = slots[i].dirtyTop
        if dirty > top { _ = madvise(b + top, dirty - top, MADV_DONTNEED) }
        slots[i].freeDirty = 0
        slots[i].dirtyTop = top
    }

    /// Bytes of slot `i` currently handed out or on its free list (below its top).
    func extent(slot i: Int) -> Int { slots[i].top }

    /// Changes the protection of `bytes` at `p` (page-aligned) to read-only or read-write.
    func protect(_ p: UnsafeMutableRawPointer, bytes: Int, writable: Bool) -> Int32 {
        mprotect(p, bytes, writable ? (PROT_READ | PROT_WRITE) : PROT_READ) == 0 ? 0 : errno
    }
}
