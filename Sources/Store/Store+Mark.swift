#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Store {
    /// Exim's `rmark`: a cookie in the untainted pool that holds the tainted twin's
    /// watermark, plus a generation that tells a live mark from a stale one. Valid for
    /// `reset(to:)` while `currentPool` is the pool it was taken in, no reset to an older
    /// mark of the same pool has undone it, and its cookie still holds its watermark (a
    /// second reset to the same mark is accepted, as in Exim, until later gets reuse the
    /// cookie's bytes).
    public struct Mark: Hashable {
        /// The cookie: an 8-byte slot in the untainted pool whose content is the tainted
        /// twin's watermark (both halves of the mark, as in Exim).
        public let cookie: UnsafeMutableRawPointer
        /// The mark's serial number (its generation; 0 for a mark built from a raw cookie,
        /// which is not checked), its depth in the pool's stack of valid marks, and the
        /// watermark the cookie held when the mark was made.
        @usableFromInline let serial: UInt64
        @usableFromInline let depth: Int
        @usableFromInline let watermark: UInt

        @inlinable
        init(cookie: UnsafeMutableRawPointer, serial: UInt64, depth: Int, watermark: UInt) {
            self.cookie = cookie
            self.serial = serial
            self.depth = depth
            self.watermark = watermark
        }

        /// A mark from a raw cookie address (replay: the address a traced `store_mark`
        /// returned). It has no generation: `reset(to:)` checks the cookie and the
        /// watermark as Exim does but cannot tell whether an earlier reset gave the cookie
        /// back, so a stale raw mark is accepted when its addresses still lie in the
        /// pools' blocks (Exim's own behaviour). A reset to a raw mark ends the validity
        /// of every checked mark of its pool (the store cannot tell which it gave back).
        @_spi(Replay)
        public init(cookie: UnsafeMutableRawPointer) { self.init(cookie: cookie, serial: 0, depth: 0, watermark: 0) }

        /// True for a mark made by `mark()` (checked for staleness); false for a raw one.
        public var isChecked: Bool { serial != 0 }
    }

    /// Exim's `store_mark`: prints `Mrk`, gets 8 bytes from the current pool (the
    /// cookie) and a 0-byte watermark from its tainted twin (which allocates the twin's
    /// first block if it has none), and stores the watermark in the cookie. The mark
    /// gets the next serial number and goes on top of the pool's stack of valid marks.
    @inlinable
    public func mark(function: StaticString = #function, line: Int = #line) throws(StoreError) -> Mark {
        let c = control
        if _fastPath(c.pointee.slowFlags == 0) {
            let r = c.pointee.untainted.next
            let n = r + 8
            let w = c.pointee.tainted.next
            let d = c.pointee.marks.depth
            if _fastPath(n <= c.pointee.untainted.end && w <= c.pointee.tainted.end && d < c.pointee.marks.capacity) {
                c.pointee.untainted.next = n
                c.pointee.untainted.lastGet = r
                c.pointee.tainted.lastGet = w
                r.storeBytes(of: UInt(bitPattern: w), as: UInt.self)
                let serial = c.pointee.markSerial &+ 1
                c.pointee.markSerial = serial
                c.pointee.marks.entries.unsafelyUnwrapped[d] = serial
                c.pointee.marks.depth = d &+ 1
                return Mark(cookie: r, serial: serial, depth: d, watermark: UInt(bitPattern: w))
            }
        }
        return try markSlow(site: CallSite(function, line))
    }

    /// Slow path of `mark`: the `Mrk` line, gets that may need blocks, a stack that may
    /// need to grow.
    @usableFromInline @inline(never)
    func markSlow(site: CallSite) throws(StoreError) -> Mark {
        let pool = control.pointee.currentPool
        emit {
            let (f, l) = names(site)
            return "---\(pool) Mrk                    \(TraceFormat.field(f, 14)) \(TraceFormat.num(l, 4))\tpool \(poolMalloc)"
        }
        let cookie = try getSlow(8, pool: pool, site: site)
        let watermark = try getSlow(0, pool: pool + PoolSlot.taintedOffset, site: site)
        cookie.storeBytes(of: UInt(bitPattern: watermark), as: UInt.self)
        let ms = markStack(pool)
        if ms.pointee.depth == ms.pointee.capacity { ms.pointee.grow() }
        let d = ms.pointee.depth
        control.pointee.markSerial &+= 1
        let serial = control.pointee.markSerial
        ms.pointee.entries![d] = serial
        ms.pointee.depth = d + 1
        return Mark(cookie: cookie, serial: serial, depth: d, watermark: UInt(bitPattern: watermark))
    }

    /// Exim's `store_reset`: gives back everything above the mark in the tainted twin
    /// of `currentPool`, then in `currentPool` itself, freeing later blocks (the config
    /// pool keeps its chain and only counts them as freed, as Exim does).
    /// Everything is checked before either pool is touched: a stale mark (one a reset to
    /// an older mark of the same pool undid, or whose cookie later gets reused), a mark of
    /// another pool, a cookie that lies in no block of the current pool or is not
    /// 8-aligned, or a watermark in no block of its twin throws `.badMark` and leaves the
    /// store as it was. A pool that has no block is skipped. The reset ends the validity
    /// of every later mark of the pool. Cost of the check: two loads and compares.
    @inlinable
    public func reset(to mark: Mark, function: StaticString = #function, line: Int = #line) throws(StoreError) {
        let c = control
        let cookie = mark.cookie
        if _fastPath(c.pointee.slowFlags == 0) {
            // A live mark, both addresses in the current blocks, no block after either:
            // only the cursors and the mark stack move.
            let u = c.pointee.currentPool
            let pu = pools + u, pt = pools + (u &+ PoolSlot.taintedOffset)
            let d = mark.depth
            if _fastPath(mark.serial != 0 && d <= c.pointee.marks.depth && d < c.pointee.marks.capacity
                         && c.pointee.marks.entries.unsafelyUnwrapped[d] == mark.serial
                         && cookie >= pu.pointee.currentStart && cookie + 8 <= c.pointee.untainted.end
                         && pu.pointee.current &+ 1 == pu.pointee.chain.count
                         && pt.pointee.current >= 0 && pt.pointee.current &+ 1 == pt.pointee.chain.count) {
                let wv = cookie.load(as: UInt.self)
                let w = UnsafeMutableRawPointer(bitPattern: wv)
                if let w, _fastPath(wv == mark.watermark && w >= pt.pointee.currentStart && w <= c.pointee.tainted.end) {
                    c.pointee.tainted.lastGet = nil
                    c.pointee.tainted.next = w + ((c.pointee.tainted.end - w) & 7)
                    c.pointee.untainted.lastGet = nil
                    c.pointee.untainted.next = cookie + ((c.pointee.untainted.end - cookie) & 7)
                    c.pointee.marks.depth = d
                    return
                }
            }
        }
        try resetSlow(mark, site: CallSite(function, line))
    }

    /// Slow path of `reset(to:)`: validation over whole chains, block freeing, `Rst` lines.
    @usableFromInline @inline(never)
    func resetSlow(_ mark: Mark, site: CallSite) throws(StoreError) {
        let u = control.pointee.currentPool
        let t = u + PoolSlot.taintedOffset
        let cookie = mark.cookie
        // Every cookie `mark()` makes is 8-aligned (gets are): anything else is not a mark.
        guard UInt(bitPattern: cookie) & 7 == 0 else { throw .badMark }
        // A checked mark must still be on the pool's stack of valid marks.
        if mark.isChecked {
            let ms = markStack(u).pointee
            guard mark.depth <= ms.depth, mark.depth < ms.capacity, ms.entries![mark.depth] == mark.serial else {
                throw .badMark
            }
            // Its cookie must still hold its watermark (later gets may have reused it).
            guard pools[u].current < 0 || resetBlockIndex(u, cookie).map({ cookie + 8 <= pools[u].chain[$0].dataEnd }) == true,
                  cookie.load(as: UInt.self) == mark.watermark else { throw .badMark }
        }
        // The cookie must be readable: 8 bytes inside the block reset will use, or (for a
        // pool without blocks, which reset skips) inside some pool's block.
        var ku = -1
        if pools[u].current >= 0 {
            guard let k = resetBlockIndex(u, cookie), cookie + 8 <= pools[u].chain[k].dataEnd else { throw .badMark }
            ku = k
        } else {
            guard let ci = owningPool(of: cookie),
                  let ck = blockIndex(pool: ci, containing: cookie, inclusiveEnd: false),
                  cookie + 8 <= pools[ci].chain[ck].dataEnd else { throw .badMark }
        }
        guard let w = UnsafeMutableRawPointer(bitPattern: cookie.load(as: UInt.self)) else { throw .badMark }
        var kt = -1
        if pools[t].current >= 0 {
            guard let k = resetBlockIndex(t, w) else { throw .badMark }
            kt = k
        }
        if kt >= 0 { internalReset(w, pool: t, block: kt, site: site) }
        if ku >= 0 { internalReset(cookie, pool: u, block: ku, site: site) }
        if mark.isChecked {
            markStack(u).pointee.depth = mark.depth
        } else {
            // A raw mark: which checked marks this gave back is unknown; refuse them all.
            markStack(u).pointee.depth = 0
        }
    }

    /// Runs `body` between a mark and a reset of `currentPool` (the reset also runs when
    /// `body` throws). `currentPool` should be the same when `body` returns.
    public func withMark<R>(function: StaticString = #function, line: Int = #line,
                            _ body: () throws -> R) throws -> R {
        let m = try mark(function: function, line: line)
        do {
            let r = try body()
            try reset(to: m, function: function, line: line)
            return r
        } catch {
            try? reset(to: m, function: function, line: line)
            throw error
        }
    }

    /// The chain index of the block reset would use for `p` in pool `index`: the current
    /// block if it contains `p` (inclusive end), else the first block from the chain's
    /// start that does. nil if none (Exim dies with "internal error").
    func resetBlockIndex(_ index: Int, _ p: UnsafeRawPointer) -> Int? {
        let ps = pools + index
        let cur = ps.pointee.current
        guard cur >= 0 else { return nil }
        let b = ps.pointee.chain[cur]
        if p >= UnsafeRawPointer(b.dataStart) && p <= UnsafeRawPointer(b.dataEnd) { return cur }
        return blockIndex(pool: index, containing: p, inclusiveEnd: true)
    }

    /// Exim's `internal_store_reset(ptr, pool)`. Arguments: the address to back up to
    /// (already validated), pool index, call site. Sets the cursor to `ptr` rounded up
    /// to 8 from the block end, applies the keep-one rule, frees (or, for config, only
    /// counts) every later block with order - 1 per block down to 13, and prints `Rst`.
    /// `k` is the block reset uses for `ptr` (`resetBlockIndex`), found by the caller.
    func internalReset(_ ptr: UnsafeMutableRawPointer, pool index: Int, block k: Int, site: CallSite) {
        let ps = pools + index
        let oldMalloc = poolMalloc
        let c = cursor(index)
        c.pointee.lastGet = nil
        let block = ps.pointee.chain[k]
        let newLength = block.dataEnd - ptr
        if options.poisonOnRelease && !block.isProtected { memset(ptr, 0xF0, newLength) }
        let oldYield = c.pointee.yieldLength
        if k != ps.pointee.current { leaveCurrent(index) }
        setCurrentRange(index, k)
        c.pointee.next = ptr + (newLength % 8)
        let count = c.pointee.yieldLength - oldYield

        var keep = k
        if k + 1 < ps.pointee.chain.count,
           BlockRules.keepsNextBlock(yieldAfterReset: c.pointee.yieldLength, nextLength: ps.pointee.chain[k + 1].length) {
            keep = k + 1
            ps.pointee.chain[keep].used = 0
        }
        let isConfig = index == PoolKind.config.rawValue
        let count0 = ps.pointee.chain.count
        if keep + 1 < count0 {
            // Exim's order: counters and `----Free` lines oldest first ...
            for j in (keep + 1)..<count0 {
                let b = ps.pointee.chain[j]
                let siz = b.length + Layout.header
                ps.pointee.nbytes -= siz
                poolMalloc -= siz
                ps.pointee.nblocks -= 1
                if isConfig {
                    ps.pointee.chain[j].used = 0
                } else {
                    accountBlockFree(b, site: site)
                }
                ps.pointee.order = BlockRules.afterFreedBlock(order: ps.pointee.order, restrictedMemory: options.restrictedMemory)
            }
            // ... but memory back newest first, so each block just lowers its slot's top
            // (one call for a run of blocks that lie back to back, the usual case).
            if !isConfig {
                var j = count0 - 1
                while j > keep {
                    var first = j
                    let last = ps.pointee.chain[j]
                    var bytes = last.physical
                    while first - 1 > keep, !options.poisonOnRelease,
                          ps.pointee.chain[first - 1].header + ps.pointee.chain[first - 1].physical == ps.pointee.chain[first].header {
                        first -= 1
                        bytes += ps.pointee.chain[first].physical
                    }
                    if first == j {
                        releaseBlockMemory(index, last)
                    } else {
                        space.release(slot: index, at: ps.pointee.chain[first].header, bytes: bytes)
                    }
                    j = first - 1
                }
                ps.pointee.chain.removeSubrange((keep + 1)...)
            }
        }
        emit {
            let (f, l) = names(site)
            return "---\(index) Rst \(TraceFormat.ptr(ptr)) \(TraceFormat.num(count + oldMalloc - poolMalloc, 5)) \(TraceFormat.field(f, 14)) \(TraceFormat.num(l, 4))\tpool \(poolMalloc)"
        }
    }

}

/// Where one half of a mark lies: a block of its pool's chain and an offset in it.
public struct MarkPosition: Sendable, Equatable {
    /// Index of the block in the pool's chain, oldest first (as in `PoolStatistics.chain`).
    public var block: Int
    /// Bytes from the block's data start.
    public var offset: Int

    /// A position `offset` bytes into block `block`.
    public init(block: Int, offset: Int) {
        self.block = block
        self.offset = offset
    }
}

extension Store {
    /// Where `mark` lies: its cookie in the untainted pool and its watermark in the
    /// tainted twin, as chain positions (plain values, for a display). nil for a half
    /// whose pool has no block; (nil, nil) for a mark that is no longer valid (undone by
    /// a reset to an older mark, or its cookie reused). A raw mark (`Mark(cookie:)`) is
    /// taken to belong to `currentPool`. O(chain length); nothing changes.
    public func position(of mark: Mark) -> (untainted: MarkPosition?, tainted: MarkPosition?) {
        let cookie = mark.cookie
        var u = control.pointee.currentPool
        if mark.isChecked {
            guard let k = (0..<PoolSlot.taintedOffset).first(where: {
                let ms = markStack($0).pointee
                return mark.depth <= ms.depth && mark.depth < ms.capacity && ms.entries![mark.depth] == mark.serial
            }) else { return (nil, nil) }
            u = k
        }
        guard pools[u].current >= 0, let ku = resetBlockIndex(u, cookie),
              cookie + 8 <= pools[u].chain[ku].dataEnd else { return (nil, nil) }
        let w = cookie.load(as: UInt.self)
        if mark.isChecked && w != mark.watermark { return (nil, nil) }
        let untainted = MarkPosition(block: ku, offset: cookie - pools[u].chain[ku].dataStart)
        let t = u + PoolSlot.taintedOffset
        guard let wp = UnsafeRawPointer(bitPattern: w), pools[t].current >= 0,
              let kt = resetBlockIndex(t, wp) else { return (untainted, nil) }
        return (untainted, MarkPosition(block: kt, offset: wp - UnsafeRawPointer(pools[t].chain[kt].dataStart)))
    }
}
