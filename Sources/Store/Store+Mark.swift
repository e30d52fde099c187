#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Store {
    /// Exim's `rmark`: a cookie in the untainted pool that holds the tainted twin's
    /// watermark. Valid for `reset(to:)` while `currentPool` is the pool it was taken in.
    public struct Mark: Hashable {
        /// The cookie: an 8-byte slot in the untainted pool whose content is the tainted
        /// twin's watermark (both halves of the mark, as in Exim).
        public let cookie: UnsafeMutableRawPointer

        /// A mark from a raw cookie address (replay: the address a traced `store_mark`
        /// returned). `reset(to:)` validates it before touching anything.
        public init(cookie: UnsafeMutableRawPointer) { self.cookie = cookie }
    }

    /// Exim's `store_mark`: prints `Mrk`, gets 8 bytes from the current pool (the
    /// cookie) and a 0-byte watermark from its tainted twin (which allocates the twin's
    /// first block if it has none), and stores the watermark in the cookie.
    @inlinable
    public func mark(function: StaticString = #function, line: Int = #line) throws(StoreError) -> Mark {
        let c = control
        if _fastPath(c.pointee.slowFlags == 0) {
            let r = c.pointee.untainted.next
            let n = r + 8
            let w = c.pointee.tainted.next
            if _fastPath(n <= c.pointee.untainted.end && w <= c.pointee.tainted.end) {
                c.pointee.untainted.next = n
                c.pointee.untainted.lastGet = r
                c.pointee.tainted.lastGet = w
                r.storeBytes(of: UInt(bitPattern: w), as: UInt.self)
                return Mark(cookie: r)
            }
        }
        return try markSlow(site: CallSite(function, line))
    }

    /// Slow path of `mark`: the `Mrk` line, and gets that may need blocks.
    @usableFromInline @inline(never)
    func markSlow(site: CallSite) throws(StoreError) -> Mark {
        let pool = control.pointee.currentPool
        emit {
            let (f, l) = names(site)
            return "---\(pool) Mrk                    \(TraceFormat.field(f, 14)) \(TraceFormat.num(l, 4))\tpool \(poolMalloc)"
        }
        let cookie = try getSlow(8, pool: pool, site: site)
        let watermark = try getSlow(0, pool: pool + 5, site: site)
        cookie.storeBytes(of: UInt(bitPattern: watermark), as: UInt.self)
        return Mark(cookie: cookie)
    }

    /// Exim's `store_reset`: gives back everything above the mark in the tainted twin
    /// of `currentPool`, then in `currentPool` itself, freeing later blocks (the config
    /// pool keeps its chain and only counts them as freed, as Exim does).
    /// Both addresses are checked before either pool is touched: a cookie that lies in
    /// no block of the current pool, or a watermark in no block of its twin, throws
    /// `.badMark` and leaves the store as it was, and so does a cookie that is not
    /// 8-aligned (no mark ever is). A pool that has no block is skipped.
    @inlinable
    public func reset(to mark: Mark, function: StaticString = #function, line: Int = #line) throws(StoreError) {
        let c = control
        let cookie = mark.cookie
        if _fastPath(c.pointee.slowFlags == 0) {
            // Both addresses in the current blocks, no block after either: only the cursors move.
            let u = c.pointee.currentPool
            let pu = pools + u, pt = pools + (u &+ 5)
            if _fastPath(UInt(bitPattern: cookie) & 7 == 0
                         && cookie >= pu.pointee.currentStart && cookie + 8 <= c.pointee.untainted.end
                         && pu.pointee.current &+ 1 == pu.pointee.chain.count
                         && pt.pointee.current >= 0 && pt.pointee.current &+ 1 == pt.pointee.chain.count) {
                let w = UnsafeMutableRawPointer(bitPattern: cookie.load(as: UInt.self))
                if let w, _fastPath(w >= pt.pointee.currentStart && w <= c.pointee.tainted.end) {
                    c.pointee.tainted.lastGet = nil
                    c.pointee.tainted.next = w + ((c.pointee.tainted.end - w) & 7)
                    c.pointee.untainted.lastGet = nil
                    c.pointee.untainted.next = cookie + ((c.pointee.untainted.end - cookie) & 7)
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
        let t = u + 5
        let cookie = mark.cookie
        // Every cookie `mark()` makes is 8-aligned (gets are): anything else is not a mark.
        guard UInt(bitPattern: cookie) & 7 == 0 else { throw .badMark }
        // The cookie must be readable: 8 bytes inside the block reset will use, or (for a
        // pool without blocks, which reset skips) inside some pool's block.
        var ku = -1
        if pools[u].current >= 0 {
            guard let k = resetBlockIndex(u, cookie), cookie + 8 <= pools[u].chain[k].dataEnd else { throw .badMark }
            ku = k
        } else {
            guard let ci = slotIndex(of: cookie),
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
        if c.pointee.yieldLength < 256, k + 1 < ps.pointee.chain.count,
           Store.isPowerOfTwo(ps.pointee.chain[k + 1].length + Layout.header) {
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
                if !options.restrictedMemory && ps.pointee.order > 13 { ps.pointee.order -= 1 }
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

    /// Exim's `is_pwr2_size` (0 counts as a power of two, as there).
    static func isPowerOfTwo(_ n: Int) -> Bool {
        let x = UInt32(truncatingIfNeeded: n)
        return x & (x &- 1) == 0
    }
}
