extension Store {
    /// Slow path of `get`/`getPerm`: validates the size, then carves from pool `index`
    /// (a paired pool 0...9 or a quoted slot), getting a block if needed, and traces.
    /// Invariant: on a thrown error no pool and no counter has changed.
    @usableFromInline @inline(never)
    func getSlow(_ size: Int, pool index: Int, site: CallSite) throws(StoreError) -> UnsafeMutableRawPointer {
        guard size >= 0, size < Store.maxRequest else { throw .badSize(size) }
        if index >= PoolSlot.firstQuotedSlot {
            emit {
                let (f, l) = names(site)
                return "allocating quoted-block for quoter \(handle[pool: index].quoter?.id ?? 0) (from \(f) \(l))"
            }
        }
        let r = try poolGet(index, size: size, site: site)
        traceGet(pool: index, r, size: size, site)
        return r
    }

    /// Exim's `pool_get`: rounds `size` to 8 and carves it from pool `index`, first
    /// getting a block (a kept one, or a new one) when the current block is too small.
    /// Arguments: pool index, unrounded size (already validated), call site.
    /// Result: the address; `lastGet` is set to it. Throws only `.outOfAddressSpace`.
    func poolGet(_ index: Int, size: Int, site: CallSite) throws(StoreError) -> UnsafeMutableRawPointer {
        let rounded = BlockRules.rounded(size)
        if rounded > handle.yieldLength(index) {
            try acquireBlock(index, rounded: rounded, site: site)
        }
        return handle.carve(index, rounded: rounded)
    }

    /// The standard usable length of a new block at the pool's order: 2^order - 32
    /// (4064 in restricted-memory mode).
    @inline(__always) func standardLength(_ index: Int) -> Int {
        BlockRules.standardLength(order: handle[pool: index].order, restrictedMemory: options.restrictedMemory)
    }

    /// Step 4 of Exim's `pool_get`: make a block of at least `rounded` bytes current.
    /// Reuses the block kept after the current one if it is big enough, otherwise
    /// discards it (too small: `nblocks` - 1 and a `----Free`, Exim's stats quirk kept)
    /// and allocates a new block of max(standard length, rounded), linked after the
    /// current block (dropping any rest of a config chain, as Exim does).
    /// Invariant: a thrown error leaves the pool and every counter unchanged.
    func acquireBlock(_ index: Int, rounded: Int, site: CallSite) throws(StoreError) {
        let length = max(standardLength(index), rounded)
        let mlength = length + Layout.header
        let cur = handle[pool: index].current

        if cur >= 0, cur + 1 < handle[pool: index].chain.count {
            let next = handle[pool: index].chain[cur + 1]
            if next.length >= length {
                handle.leaveCurrent(index)
                handle.makeCurrent(index, cur + 1)
                return
            }
            // Too small: Exim frees it and forgets it; only nblocks goes down.
            let physical = space.pageRounded(length + Layout.header)
            let header = try allocateBlockMemory(index, bytes: physical)   // before any change
            handle[pool: index].nblocks -= 1
            handle[pool: index].chain.remove(at: cur + 1)
            freeBlockMemory(index, next, site: site)
            linkNewBlock(index, header: header, length: length, physical: physical, site: site)
            return
        }
        let physical = space.pageRounded(mlength)
        let header = try allocateBlockMemory(index, bytes: physical)
        linkNewBlock(index, header: header, length: length, physical: physical, site: site)
    }

    /// Address space for a new block of pool `index` (`bytes`, a page multiple); keeps
    /// `control.extraExtents` in step when the address space had to reserve a new range.
    func allocateBlockMemory(_ index: Int, bytes: Int) throws(StoreError) -> UnsafeMutableRawPointer {
        let p = try space.allocate(slot: index, bytes: bytes)
        handle.state.extraExtents = space.extents.count - 1
        return p
    }

    /// Accounts for and links a freshly allocated block as the pool's current block
    /// (Exim's new-block branch: counters, `--Malloc` unless config, order bump).
    private func linkNewBlock(_ index: Int, header: UnsafeMutableRawPointer, length: Int, physical: Int, site: CallSite) {
        let mlength = length + Layout.header
        handle[pool: index].nbytes += mlength
        handle[pool: index].maxBytes = max(handle[pool: index].maxBytes, handle[pool: index].nbytes)
        poolMalloc += mlength
        if poolMalloc > maxPoolMalloc { maxPoolMalloc = poolMalloc }
        nonpoolMalloc -= mlength
        handle[pool: index].nblocks += 1
        handle[pool: index].maxBlocks = max(handle[pool: index].maxBlocks, handle[pool: index].nblocks)
        if index != PoolKind.config.rawValue {
            // internal_store_malloc(mlength): the 8-byte size prefix makes it a net +8.
            let msize = max(mlength + 8, 16)
            nonpoolMalloc += msize
            if nonpoolMalloc > maxNonpoolMalloc { maxNonpoolMalloc = nonpoolMalloc }
            traceMalloc(header, bytes: msize, site)
        }
        (handle[pool: index].order, handle[pool: index].maxOrder) = BlockRules.afterNewBlock(
            order: handle[pool: index].order, maxOrder: handle[pool: index].maxOrder, restrictedMemory: options.restrictedMemory)
        handle.leaveCurrent(index)
        let cur = handle[pool: index].current
        if cur >= 0, cur + 1 < handle[pool: index].chain.count {
            handle[pool: index].chain.removeSubrange((cur + 1)...)
        }
        handle[pool: index].chain.append(BlockRecord(header: header, length: length, physical: physical, used: 0))
        handle.makeCurrent(index, handle[pool: index].chain.count - 1)
    }

    /// Exim's `internal_store_free` of a pool block: `----Free` with the stored size
    /// (length + 24), `nonpool_malloc` down by it, and the memory back to the slot.
    /// Config blocks are never really freed (Exim's would be an invalid free): their
    /// memory stays in place. The caller has done the pool counters.
    func freeBlockMemory(_ index: Int, _ b: BlockRecord, site: CallSite) {
        accountBlockFree(b, site: site)
        releaseBlockMemory(index, b)
    }

    /// The accounting half of `freeBlockMemory`: `nonpool_malloc` and the `----Free` line.
    func accountBlockFree(_ b: BlockRecord, site: CallSite) {
        let stored = b.length + Layout.header + 8
        nonpoolMalloc -= stored
        traceFree(b.header, bytes: stored, site)
    }

    /// The memory half of `freeBlockMemory` (poison, then back to the slot; never for config).
    func releaseBlockMemory(_ index: Int, _ b: BlockRecord) {
        if index == PoolKind.config.rawValue || b.isProtected { return }
        if options.poisonOnRelease { StoreHandle.poison(b.header, bytes: b.physical) }
        space.release(slot: index, at: b.header, bytes: b.physical)
    }

    // MARK: quoted pools

    /// The slot of the quoted pool with quoter number `id`, or nil (Exim's
    /// `pool_for_quoter`: by number only, newest first).
    func quotedSlot(id: Int) -> Int? {
        quotedOrder.first { handle[pool: $0].quoter?.id == id }
    }

    /// Exim's `quoted_pool_new`: takes the descriptor's 80 bytes from the perm pool
    /// (as Exim 4.96 does, so the perm figures match), claims a free slot, and puts the
    /// new pool at the head of the list. Throws `.tooManyQuoters` when no slot is left.
    func newQuotedPool(_ q: Quoter) throws(StoreError) -> Int {
        guard let slot = (PoolSlot.firstQuotedSlot..<PoolSlot.count).first(where: { !handle[pool: $0].isActive }) else {
            throw .tooManyQuoters(limit: Store.quotedPoolLimit)
        }
        let site = CallSite("quoted_pool_new", Store.quotedPoolNewLine, isInternal: true)
        let r = try poolGet(PoolKind.perm.rawValue, size: Store.quotedPoolDescriptorSize, site: site)
        traceGet(pool: PoolKind.perm.rawValue, r, size: Store.quotedPoolDescriptorSize, site)
        handle[pool: slot].isActive = true
        handle[pool: slot].quoter = q
        quotedOrder.insert(slot, at: 0)
        return slot
    }

    /// `sizeof(quoted_pooldesc)` in Exim 4.96 on LP64 (pooldesc 64 + quoter + next).
    static var quotedPoolDescriptorSize: Int { 80 }
    /// The line printed for the descriptor's get in `quoted_pool_new`. Exim prints its own
    /// source line there; no available 4.96 trace shows it, so 0 is printed (a known gap).
    static var quotedPoolNewLine: Int { 0 }

    /// Exim's `store_get_quoted`: from the pool of `quoter` if `proto` is tainted (the
    /// pool is created on first use, never reset), else a plain `get(size, proto)`.
    /// Quoter pools are found by `quoter.id` alone, as in Exim.
    public func getQuoted(_ size: Int, like proto: Taint, quoter: Quoter,
                          function: StaticString = #function, line: Int = #line) throws(StoreError) -> UnsafeMutableRawPointer {
        let site = CallSite(function, line)
        guard isTainted(proto) else {
            guard size >= 0, size < Store.maxRequest else { throw .badSize(size) }
            return try getSlow(size, pool: poolIndex(for: proto, kind: handle.state.currentPool), site: site)
        }
        guard size >= 0, size < Store.maxRequest else { throw .badSize(size) }
        var slot = quotedSlot(id: quoter.id)
        emit {
            let (f, l) = names(site)
            return "allocating quoted-block for quoter \(quoter.id) (from \(f) \(l))"
        }
        if slot == nil { slot = try newQuotedPool(quoter) }
        let r = try poolGet(slot!, size: size, site: site)
        traceGet(pool: slot!, r, size: size, site)
        return r
    }

    /// `getQuoted` with Exim 4.96's numeric quoter: an existing pool with this number is
    /// used; a new one is named after the number.
    @_spi(Replay)
    public func getQuoted(_ size: Int, like proto: Taint, quoterID: Int,
                          function: StaticString = #function, line: Int = #line) throws(StoreError) -> UnsafeMutableRawPointer {
        let q = quotedSlot(id: quoterID).flatMap { handle[pool: $0].quoter } ?? Quoter(id: quoterID, name: String(quoterID))
        return try getQuoted(size, like: proto, quoter: q, function: function, line: line)
    }
}
