#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Replay support: a copy of a store as `fork()` would leave it in the child.
extension Store {
    /// A child store in exactly this store's state, as Exim's forked child starts: every
    /// pool (chains, current blocks, cursors, last gets, counters, maxima, orders), the
    /// quoted pools, the current pool, the valid marks, Exim's global and non-pool
    /// counters, the tracked mallocs and the trace settings (sink and call-site override;
    /// replace the child's sink to tell the two apart).
    ///
    /// The child has its own address ranges of the same shape, with every pool's next
    /// block landing at the same offset as in the parent. The bytes in use are copied
    /// (each block up to its used length, the current block up to its cursor, each
    /// tracked malloc whole), and every 8-aligned word in the copied bytes whose value
    /// points into this store's ranges is relocated to the child's, so mark cookies (which
    /// hold the tainted twin's watermark) work in the child. Cost: proportional to the
    /// bytes in use and the number of blocks, not to the history that made them.
    /// `translate(_:into:)` maps any other address, and `translate(_:into:)` for a
    /// `Mark` keeps its generation. The config pool's protected blocks are protected in
    /// the child too. Throws `.outOfAddressSpace` if the child's ranges cannot be
    /// reserved, `.protectionFailed` if protecting its config blocks fails.
    @_spi(Replay)
    public func forkCopy() throws(StoreError) -> Store {
        let child = Store(options: options, space: try space.emptyTwin())
        let reloc = Relocation(from: space, to: child.space)

        // Pool descriptors and cursors (the hot copies live in `control`).
        for i in 0..<PoolSlot.count {
            var ps = pools[i]
            ps.cursor = reloc.cursor(ps.cursor)
            ps.currentStart = reloc.address(ps.currentStart)
            for k in ps.chain.indices { ps.chain[k].header = reloc.address(ps.chain[k].header) }
            ps.marks = MarkStack()
            child.pools[i] = ps
        }
        var ctl = control.pointee
        ctl.untainted = reloc.cursor(ctl.untainted)
        ctl.tainted = reloc.cursor(ctl.tainted)
        ctl.marks = MarkStack()
        child.control.pointee = ctl
        for k in 0..<PoolSlot.taintedOffset {
            child.markStack(k).pointee = markStack(k).pointee.copy()
        }
        child.control.pointee.extraExtents = child.space.extents.count - 1

        // The bytes in use, relocated word by word.
        for i in 0..<PoolSlot.count where pools[i].current >= 0 {
            let ps = pools[i]
            let next = cursor(i).pointee.next
            for k in 0...ps.current {
                let b = ps.chain[k]
                let used = k == ps.current ? next - b.dataStart : b.used
                let bytes = min(b.length, (max(0, used) + 7) & ~7)
                guard bytes > 0 else { continue }
                reloc.copy(from: b.dataStart, to: reloc.address(b.dataStart), bytes: bytes)
            }
        }

        // Exim's counters, quoted pools and settings.
        child.poolMalloc = poolMalloc
        child.maxPoolMalloc = maxPoolMalloc
        child.nonpoolMalloc = nonpoolMalloc
        child.maxNonpoolMalloc = maxNonpoolMalloc
        child.nonpoolBlocks = nonpoolBlocks
        child.maxNonpoolBlocks = maxNonpoolBlocks
        child.quotedOrder = quotedOrder
        child.callSiteOverride = callSiteOverride
        child.traceSink = traceSink

        // Tracked mallocs: a copy each (C memory cannot be shared), remembered for `translate`.
        for (addr, total) in liveMallocs {
            guard let raw = Glibc.malloc(total), let src = UnsafeMutableRawPointer(bitPattern: addr) else {
                throw .outOfAddressSpace(errno: ENOMEM)
            }
            raw.storeBytes(of: total, as: Int.self)
            reloc.copy(from: src, to: raw + 8, bytes: total - 8)
            child.liveMallocs[UInt(bitPattern: raw + 8)] = total
            child.forkedMallocs[addr] = UInt(bitPattern: raw + 8)
        }

        // Write protection last (the copy above wrote into those blocks).
        if configProtected {
            let c = PoolKind.config.rawValue
            for b in child.pools[c].chain where b.isProtected {
                let e = child.space.protect(b.header, bytes: b.physical, writable: false)
                guard e == 0 else { throw .protectionFailed(errno: e) }
            }
            child.configProtected = true
        }
        return child
    }

    /// The child's address for `p`, an address of this store: the same offset in the
    /// child's ranges for any address in this store's reserved ranges (in a block or not),
    /// the child's copy for the start address of a tracked malloc that was live at the
    /// fork. nil when `p` is not this store's memory, or `child` is not a fork copy of
    /// this store (a store with ranges of another shape).
    @_spi(Replay)
    public func translate(_ p: UnsafeRawPointer, into child: Store) -> UnsafeMutableRawPointer? {
        let a = UInt(bitPattern: p)
        if let t = space.translate(a, into: child.space) { return UnsafeMutableRawPointer(bitPattern: t) }
        if liveMallocs[a] != nil, let t = child.forkedMallocs[a] { return UnsafeMutableRawPointer(bitPattern: t) }
        return nil
    }

    /// A mark of this store as a mark of `child` (a fork copy): the cookie translated,
    /// the generation kept, so the child checks it like its own. nil if the cookie is not
    /// this store's memory.
    @_spi(Replay)
    public func translate(_ mark: Mark, into child: Store) -> Mark? {
        guard let c = translate(UnsafeRawPointer(mark.cookie), into: child) else { return nil }
        let w = Relocation(from: space, to: child.space).word(mark.watermark)
        return Mark(cookie: c, serial: mark.serial, depth: mark.depth, watermark: mark.isChecked ? w : 0)
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
