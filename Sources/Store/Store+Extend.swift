#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Store {
    /// Exim's `store_extend`: grows the latest allocation of the pool that owns `p` from
    /// `oldSize` to `newSize` bytes in place. Returns false (and changes nothing) if `p`
    /// is not the pool's topmost allocation or the block has no room.
    /// Throws `.poolNotFound` if `p` lies in no pool's block, `.badExtension` for a
    /// negative old size, a shrink, or a new size of 2^30 - 1 or more.
    @inlinable
    public func extend(_ p: UnsafeMutableRawPointer, from oldSize: Int, to newSize: Int,
                       function: StaticString = #function, line: Int = #line) throws(StoreError) -> Bool {
        if _fastPath(control.pointee.slowFlags == 0), let i = owningSlot(of: p) {
            let c = cursor(i)
            if _fastPath(p >= pools[i].currentStart && p < c.pointee.end
                         && oldSize >= 0 && newSize >= oldSize && newSize < Store.maxRequest) {
                let rOld = (oldSize &+ 7) & ~7
                if p + rOld != c.pointee.next
                    || newSize &- oldSize > c.pointee.yieldLength &+ (rOld &- oldSize) { return false }
                let rNew = (newSize &+ 7) & ~7
                c.pointee.next = p + rNew
                return true
            }
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
        let c = cursor(i)
        let rOld = (oldSize + 7) & ~7
        if p + rOld != c.pointee.next || newSize - oldSize > c.pointee.yieldLength + (rOld - oldSize) {
            return false
        }
        emit {
            let (f, l) = names(site)
            return "---\(poolTag(i)) Ext \(TraceFormat.ptr(p)) \(TraceFormat.num(newSize, 5)) \(TraceFormat.field(f, 14)) \(TraceFormat.num(l, 4))"
        }
        let rNew = (newSize + 7) & ~7
        c.pointee.next = p + rNew
        return true
    }

    /// Exim's `store_release_above`: gives back the tail of the current block of the pool
    /// whose current block holds `p`, from `p` (rounded up to 8 from the block end).
    /// Nothing checks that `p` is in the latest allocation (as in Exim). Returns false,
    /// after Exim's "non-last memory release try" line, when no current block holds `p`.
    @inlinable @discardableResult
    public func releaseAbove(_ p: UnsafeRawPointer, function: StaticString = #function, line: Int = #line) -> Bool {
        if _fastPath(control.pointee.slowFlags == 0), let i = owningSlot(of: p) {
            let c = cursor(i)
            let start = UnsafeRawPointer(pools[i].currentStart), end = UnsafeRawPointer(c.pointee.end)
            if _fastPath(p >= start && p < end) {
                let newLength = end - p
                c.pointee.lastGet = nil
                c.pointee.next = UnsafeMutableRawPointer(mutating: p) + (newLength & 7)
                return true
            }
        }
        return releaseAboveSlow(p, site: CallSite(function, line))
    }

    /// Slow path of `releaseAbove`: poisoning and the `Rel` line.
    @usableFromInline @inline(never)
    func releaseAboveSlow(_ p: UnsafeRawPointer, site: CallSite) -> Bool {
        guard let i = owningPool(of: p), p >= UnsafeRawPointer(pools[i].currentStart),
              p < UnsafeRawPointer(cursor(i).pointee.end) else {
            emit {
                let (f, l) = names(site)
                return "non-last memory release try: \(f) \(l)"
            }
            return false
        }
        let ps = pools + i
        let c = cursor(i)
        c.pointee.lastGet = nil
        let newLength = c.pointee.end - UnsafeMutableRawPointer(mutating: p)
        let cur = ps.pointee.current
        if options.poisonOnRelease && !ps.pointee.chain[cur].isProtected {
            memset(UnsafeMutableRawPointer(mutating: p), 0xF0, newLength)
        }
        let old = c.pointee.yieldLength
        c.pointee.next = UnsafeMutableRawPointer(mutating: p) + newLength % 8
        let count = c.pointee.yieldLength - old
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
        let releaseOK = !isTainted(old) && cursor(i).pointee.lastGet == old
        guard length >= 0, length <= size else { throw .badExtension(from: length, to: size) }
        // Deviation (safety): the bytes to copy must lie in `old`'s block; Exim would read on.
        guard let src = blockLocation(containing: old, inclusiveEnd: false),
              UInt(bitPattern: old) + UInt(length) <= src.dataEnd else { throw .badExtension(from: length, to: size) }
        let inner = CallSite("store_newblock_3", 1118, isInternal: true)
        guard size >= 0, size < Store.maxRequest else { throw .badSize(size) }
        let r = try getSlow(size, pool: poolIndex(for: .like(old), kind: control.pointee.currentPool), site: inner)
        if length > 0 { memmove(r, old, length) }
        if releaseOK { _ = releaseBlock(pool: i, dataStart: old, site: site) }
        return r
    }

    /// Exim's `store_release_3`: if a block other than the first of pool `index` starts
    /// at `dataStart`, unlinks it (counters down, order unchanged), prints `-Release` and
    /// `----Free`, and frees it. The pool's current block is never released (Exim would
    /// leave a dangling current block there). Returns whether a block was released.
    func releaseBlock(pool index: Int, dataStart: UnsafeRawPointer, site: CallSite) -> Bool {
        let ps = pools + index
        guard let k = ps.pointee.chain.indices.dropFirst().first(where: { UnsafeRawPointer(ps.pointee.chain[$0].dataStart) == dataStart }),
              k != ps.pointee.current else { return false }
        let b = ps.pointee.chain.remove(at: k)
        if ps.pointee.current > k { ps.pointee.current -= 1 }
        let siz = b.length + Layout.header
        ps.pointee.nbytes -= siz
        poolMalloc -= siz
        ps.pointee.nblocks -= 1
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
        if p >= UnsafeRawPointer(pools[i].currentStart) && p < UnsafeRawPointer(cursor(i).pointee.end) { return i }
        return blockIndex(pool: i, containing: p, inclusiveEnd: false) != nil ? i : nil
    }

    /// Index of the block of pool `i` whose data range holds `p` (half-open, or with the
    /// end included as reset uses), searching the chain from its start.
    @inline(__always) func blockIndex(pool i: Int, containing p: UnsafeRawPointer, inclusiveEnd: Bool) -> Int? {
        let ps = pools + i
        let n = ps.pointee.chain.count
        for k in 0..<n {
            let b = ps.pointee.chain[k]
            let s = UnsafeRawPointer(b.dataStart), e = UnsafeRawPointer(b.dataEnd)
            if p >= s && (p < e || (inclusiveEnd && p == e)) { return k }
        }
        return nil
    }
}
