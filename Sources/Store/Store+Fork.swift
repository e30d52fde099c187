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

        // Pool descriptors, cursors and mark stacks, relocated.
        handle.copyState(into: child.handle, reloc)
        child.handle.state.extraExtents = child.space.extents.count - 1

        // The bytes in use, relocated word by word.
        for i in 0..<PoolSlot.count where handle[pool: i].current >= 0 {
            for k in 0...handle[pool: i].current {
                let b = handle[pool: i].chain[k]
                let bytes = min(b.length, (max(0, handle.usedBytes(pool: i, block: k)) + 7) & ~7)
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
            guard let copy = StoreHandle.mallocWithPrefix(total), let src = StoreHandle.address(addr) else {
                throw .outOfAddressSpace(errno: ENOMEM)
            }
            reloc.copy(from: src, to: copy, bytes: total - 8)
            child.liveMallocs[UInt(bitPattern: copy)] = total
            child.forkedMallocs[addr] = UInt(bitPattern: copy)
        }

        // Write protection last (the copy above wrote into those blocks).
        if configProtected {
            let c = PoolKind.config.rawValue
            for b in child.handle[pool: c].chain where b.isProtected {
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
        if let t = space.translate(a, into: child.space) { return StoreHandle.address(t) }
        if liveMallocs[a] != nil, let t = child.forkedMallocs[a] { return StoreHandle.address(t) }
        return nil
    }

    /// A mark of this store as a mark of `child` (a fork copy): the cookie translated,
    /// the generation kept, so the child checks it like its own. nil if the cookie is not
    /// this store's memory.
    @_spi(Replay)
    public func translate(_ mark: Mark, into child: Store) -> Mark? {
        guard let c = translate(UnsafeRawPointer(mark.cookie), into: child) else { return nil }
        let w = Relocation(from: space, to: child.space).word(mark.watermark)
        return Mark(cookie: c, depth: mark.depth, watermark: mark.isChecked ? w : 0)
    }
}
