extension Store {
    /// Exim's `store_extend`: grows the latest allocation of the pool that owns `p` from
    /// `oldSize` to `newSize` bytes in place. Returns false (and changes nothing) if `p`
    /// is not the pool's topmost allocation or the block has no room.
    /// Throws `.poolNotFound` if `p` lies in no pool's block, `.badExtension` for a
    /// negative old size, a shrink, or a new size of 2^30 - 1 or more.
    @inlinable @inline(__always)
    public func extend(_ p: UnsafeMutableRawPointer, from oldSize: Int, to newSize: Int,
                       function: StaticString = #function, line: Int = #line) throws(StoreError) -> Bool {
        if _fastPath(!handle.isSlow), let i = owningSlot(of: p),
           let grown = handle.extendInPlace(p, pool: i, from: oldSize, to: newSize) {
            return grown
        }
        return try extendSlow(p, from: oldSize, to: newSize, site: CallSite(function, line))
    }

    /// Slow path of `extend`: the pool search over all blocks, the checks, and the `Ext` line.
    @usableFromInline @inline(never)
    func extendSlow(_ p: UnsafeMutableRawPointer, from oldSize: Int, to newSize: Int, site: CallSite) throws(StoreError) -> Bool {
        guard let i = owningBlockPool(p) else { throw .poolNotFound }
        guard oldSize >= 0, newSize >= oldSize, newSize < Store.maxRequest else {
            throw .badExtension(from: oldSize, to: newSize)
        }
        guard handle.grow(p, pool: i, from: oldSize, to: newSize) else { return false }
        emit {
            let (f, l) = names(site)
            return "---\(poolTag(i)) Ext \(TraceFormat.ptr(p)) \(TraceFormat.num(newSize, 5)) \(TraceFormat.field(f, 14)) \(TraceFormat.num(l, 4))"
        }
        return true
    }

    /// Exim's `store_release_above`: gives back the tail of the current block of the pool
    /// whose current block holds `p`, from `p` (rounded up to 8 from the block end).
    /// Nothing checks that `p` is in the latest allocation (as in Exim). Returns false,
    /// after Exim's "non-last memory release try" line, when no current block holds `p`.
    @inlinable @inline(__always) @discardableResult
    public func releaseAbove(_ p: UnsafeRawPointer, function: StaticString = #function, line: Int = #line) -> Bool {
        if _fastPath(!handle.isSlow), let i = owningSlot(of: p), _fastPath(handle.isInCurrentBlock(p, pool: i)) {
            handle.releaseAbove(p, pool: i)
            return true
        }
        return releaseAboveSlow(p, site: CallSite(function, line))
    }

    /// Slow path of `releaseAbove`: poisoning and the `Rel` line.
    @usableFromInline @inline(never)
    func releaseAboveSlow(_ p: UnsafeRawPointer, site: CallSite) -> Bool {
        guard let i = owningPool(of: p), handle.isInCurrentBlock(p, pool: i) else {
            emit {
                let (f, l) = names(site)
                return "non-last memory release try: \(f) \(l)"
            }
            return false
        }
        let cur = handle[pool: i].current
        if options.poisonOnRelease && !handle[pool: i].chain[cur].isProtected {
            StoreHandle.poison(UnsafeMutableRawPointer(mutating: p), bytes: handle.bytesToBlockEnd(from: p, pool: i))
        }
        let count = handle.releaseAbove(p, pool: i)
        emit {
            let (f, l) = names(site)
            return "---\(poolTag(i)) Rel \(TraceFormat.ptr(p)) \(TraceFormat.num(count, 5)) \(TraceFormat.field(f, 14)) \(TraceFormat.num(l, 4))\tpool \(poolMalloc)"
        }
        return true
    }

    /// Exim's `store_newblock`: moves a growing object to new memory of `size` bytes
    /// (same taint class as `old`, from `currentPool` or its twin), copying `length`
    /// bytes, and releases `old`'s block when `old` is untainted, was its pool's latest
    /// get and starts a block other than the pool's first (`-Release`, `----Free`).
    /// The inner get is traced as Exim's is: `store_newblock_3`, line 1118.
    /// Throws `.poolNotFound` if `old` is in no pool, `.badExtension` if `length` is
    /// outside 0...size, `.badSize` for a bad `size`.
    public func newBlock(_ old: UnsafeMutableRawPointer, size: Int, copying length: Int,
                         function: StaticString = #function, line: Int = #line) throws(StoreError) -> UnsafeMutableRawPointer {
        let site = CallSite(function, line)
        guard let i = owningBlockPool(old) else { throw .poolNotFound }
        let releaseOK = !isTainted(old) && handle.lastGet(i) == old
        guard length >= 0, length <= size else { throw .badExtension(from: length, to: size) }
        // Deviation (safety): the bytes to copy must lie in `old`'s block; Exim would read on.
        guard let src = blockLocation(containing: old, inclusiveEnd: false),
              StoreHandle.fits(old, length: length, before: src.dataEnd) else { throw .badExtension(from: length, to: size) }
        let inner = CallSite("store_newblock_3", 1118, isInternal: true)
        guard size >= 0, size < Store.maxRequest else { throw .badSize(size) }
        let r = try getSlow(size, pool: poolIndex(for: .like(old), kind: handle.state.currentPool), site: inner)
        StoreHandle.move(r, from: old, bytes: length)
        if releaseOK { _ = releaseBlock(pool: i, dataStart: old, site: site) }
        return r
    }

    /// Exim's `store_release_3`: if a block other than the first of pool `index` starts
    /// at `dataStart`, unlinks it (counters down, order unchanged), prints `-Release` and
    /// `----Free`, and frees it. The pool's current block is never released (Exim would
    /// leave a dangling current block there). Returns whether a block was released.
    func releaseBlock(pool index: Int, dataStart: UnsafeRawPointer, site: CallSite) -> Bool {
        guard let k = handle.blockIndex(pool: index, startingAt: dataStart), k > 0,
              k != handle[pool: index].current else { return false }
        let b = handle[pool: index].chain.remove(at: k)
        if handle[pool: index].current > k { handle[pool: index].current -= 1 }
        handle.syncChainEnd(index)
        let siz = b.length + Layout.header
        handle[pool: index].nbytes -= siz
        poolMalloc -= siz
        handle[pool: index].nblocks -= 1
        emit {
            let (f, l) = names(site)
            return "-Release \(TraceFormat.ptr(b.header)) \(TraceFormat.field(f, 20)) \(TraceFormat.num(l, 4)) \(poolMalloc)"
        }
        freeBlockMemory(index, b, site: site)
        return true
    }

    /// Exim's `pool_for_pointer`: the pool whose live block holds `p` (half-open ranges).
    /// O(1) to find the candidate pool (`owningPool(of:)`), then its current block or a
    /// search of its chain.
    func owningBlockPool(_ p: UnsafeRawPointer) -> Int? {
        guard let i = owningPool(of: p) else { return nil }
        if handle.isInCurrentBlock(p, pool: i) { return i }
        return handle.blockIndex(pool: i, containing: p, inclusiveEnd: false) != nil ? i : nil
    }
}
