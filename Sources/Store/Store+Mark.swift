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
        /// The mark's depth in its pool's stack of valid marks (`Int.min` for a mark built
        /// from a raw cookie, which is not checked) and the watermark the cookie held when
        /// the mark was made. Together with the cookie, which the stack records at that
        /// depth, they are the mark's generation.
        @usableFromInline let depth: Int
        @usableFromInline let watermark: UInt

        @inlinable
        init(cookie: UnsafeMutableRawPointer, depth: Int, watermark: UInt) {
            self.cookie = cookie
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
        public init(cookie: UnsafeMutableRawPointer) { self.init(cookie: cookie, depth: .min, watermark: 0) }

        /// True for a mark made by `mark()` (checked for staleness); false for a raw one.
        public var isChecked: Bool { depth >= 0 }
    }

    /// Exim's `store_mark`: prints `Mrk`, gets 8 bytes from the current pool (the
    /// cookie) and a 0-byte watermark from its tainted twin (which allocates the twin's
    /// first block if it has none), and stores the watermark in the cookie. The mark goes
    /// on top of the pool's stack of valid marks.
    @inlinable @inline(__always)
    public func mark(function: StaticString = #function, line: Int = #line) throws(StoreError) -> Mark {
        if _fastPath(!handle.isSlow), let m = handle.pushMark() { return m }
        return try markSlow(site: CallSite(function, line))
    }

    /// Slow path of `mark`: the `Mrk` line, gets that may need blocks, a stack that may
    /// need to grow.
    @usableFromInline @inline(never)
    func markSlow(site: CallSite) throws(StoreError) -> Mark {
        let pool = handle.state.currentPool
        emit {
            let (f, l) = names(site)
            return "---\(pool) Mrk                    \(TraceFormat.field(f, 14)) \(TraceFormat.num(l, 4))\tpool \(poolMalloc)"
        }
        let cookie = try getSlow(8, pool: pool, site: site)
        let watermark = try getSlow(0, pool: pool + PoolSlot.taintedOffset, site: site)
        StoreHandle.setCookie(cookie, watermark)
        let d = handle.pushMark(kind: pool, cookie: cookie)
        return Mark(cookie: cookie, depth: d, watermark: UInt(bitPattern: watermark))
    }

    /// Exim's `store_reset`: gives back everything above the mark in the tainted twin
    /// of `currentPool`, then in `currentPool` itself, freeing later blocks (the config
    /// pool keeps its chain and only counts them as freed, as Exim does).
    /// Everything is checked before either pool is touched: a stale mark (one a reset to
    /// an older mark of the same pool undid, or whose cookie later gets reused), a mark of
    /// another pool, a cookie that lies in no block of the current pool or is not
    /// 8-aligned, or a watermark in no block of its twin throws `.badMark` and leaves the
    /// store as it was. A pool that has no block is skipped. The reset ends the validity
    /// of every later mark of the pool. Cost of the check on the fast path (the mark is
    /// the latest): one load and compare beyond Exim's own.
    @inlinable @inline(__always)
    public func reset(to mark: Mark, function: StaticString = #function, line: Int = #line) throws(StoreError) {
        if _fastPath(!handle.isSlow && handle.popMarkInPlace(mark)) { return }
        try resetSlow(mark, site: CallSite(function, line))
    }

    /// Slow path of `reset(to:)`: validation over whole chains, block freeing, `Rst` lines.
    @usableFromInline @inline(never)
    func resetSlow(_ mark: Mark, site: CallSite) throws(StoreError) {
        let u = handle.state.currentPool
        let t = u + PoolSlot.taintedOffset
        let cookie = mark.cookie
        // Every cookie `mark()` makes is 8-aligned (gets are): anything else is not a mark.
        guard StoreHandle.isWordAligned(cookie) else { throw .badMark }
        // A checked mark must still be on the pool's stack of valid marks, and its cookie
        // must still hold its watermark (later gets may have reused it).
        if mark.isChecked {
            guard handle.marksHold(kind: u, depth: mark.depth, cookie: cookie) else { throw .badMark }
            guard handle[pool: u].current < 0
                    || handle.resetBlockIndex(u, cookie).map({ handle.holdsCookie(pool: u, block: $0, cookie) }) == true,
                  StoreHandle.cookieWord(cookie) == mark.watermark else { throw .badMark }
        }
        // The cookie must be readable: 8 bytes inside the block reset will use, or (for a
        // pool without blocks, which reset skips) inside some pool's block.
        var ku = -1
        if handle[pool: u].current >= 0 {
            guard let k = handle.resetBlockIndex(u, cookie), handle.holdsCookie(pool: u, block: k, cookie) else { throw .badMark }
            ku = k
        } else {
            guard let ci = owningPool(of: cookie),
                  let ck = handle.blockIndex(pool: ci, containing: cookie, inclusiveEnd: false),
                  handle.holdsCookie(pool: ci, block: ck, cookie) else { throw .badMark }
        }
        guard let w = StoreHandle.watermarkAddress(StoreHandle.cookieWord(cookie)) else { throw .badMark }
        var kt = -1
        if handle[pool: t].current >= 0 {
            guard let k = handle.resetBlockIndex(t, w) else { throw .badMark }
            kt = k
        }
        if kt >= 0 { internalReset(w, pool: t, block: kt, site: site) }
        if ku >= 0 { internalReset(cookie, pool: u, block: ku, site: site) }
        if mark.isChecked {
            handle.popMarks(kind: u, to: mark.depth)
        } else {
            // A raw mark: which checked marks this gave back is unknown; refuse them all.
            handle.popMarks(kind: u, to: 0, clearAll: true)
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

    /// Exim's `internal_store_reset(ptr, pool)`. Arguments: the address to back up to
    /// (already validated), pool index, call site. Sets the cursor to `ptr` rounded up
    /// to 8 from the block end, applies the keep-one rule, frees (or, for config, only
    /// counts) every later block with order - 1 per block down to 13, and prints `Rst`.
    /// `k` is the block reset uses for `ptr` (`resetBlockIndex`), found by the caller.
    func internalReset(_ ptr: UnsafeMutableRawPointer, pool index: Int, block k: Int, site: CallSite) {
        let oldMalloc = poolMalloc
        let count = handle.resetCursor(index, to: ptr, block: k, poison: options.poisonOnRelease)
        var keep = k
        if k + 1 < handle[pool: index].chain.count,
           BlockRules.keepsNextBlock(yieldAfterReset: handle.yieldLength(index),
                                     nextLength: handle[pool: index].chain[k + 1].length) {
            keep = k + 1
            handle[pool: index].chain[keep].used = 0
        }
        let isConfig = index == PoolKind.config.rawValue
        let count0 = handle[pool: index].chain.count
        if keep + 1 < count0 {
            // Exim's order: counters and `----Free` lines oldest first ...
            for j in (keep + 1)..<count0 {
                let b = handle[pool: index].chain[j]
                let siz = b.length + Layout.header
                handle[pool: index].nbytes -= siz
                poolMalloc -= siz
                handle[pool: index].nblocks -= 1
                if isConfig {
                    handle[pool: index].chain[j].used = 0
                } else {
                    accountBlockFree(b, site: site)
                }
                handle[pool: index].order = BlockRules.afterFreedBlock(order: handle[pool: index].order, restrictedMemory: options.restrictedMemory)
            }
            // ... but memory back newest first, so each block just lowers its slot's top
            // (one call for a run of blocks that lie back to back, the usual case).
            if !isConfig {
                var j = count0 - 1
                while j > keep {
                    // (Poisoned blocks go one by one: each is filled before it goes back.)
                    let (first, bytes) = options.poisonOnRelease
                        ? (j, 0) : handle.contiguousRun(pool: index, endingAt: j, above: keep)
                    if first == j {
                        releaseBlockMemory(index, handle[pool: index].chain[j])
                    } else {
                        space.release(slot: index, at: handle[pool: index].chain[first].header, bytes: bytes)
                    }
                    j = first - 1
                }
                handle[pool: index].chain.removeSubrange((keep + 1)...)
            }
        }
        handle.syncChainEnd(index)
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
        var u = handle.state.currentPool
        if mark.isChecked {
            guard let k = (0..<PoolSlot.taintedOffset).first(where: {
                handle.marksHold(kind: $0, depth: mark.depth, cookie: cookie)
            }) else { return (nil, nil) }
            u = k
        }
        guard handle[pool: u].current >= 0, let ku = handle.resetBlockIndex(u, cookie),
              handle.holdsCookie(pool: u, block: ku, cookie) else { return (nil, nil) }
        let w = StoreHandle.cookieWord(cookie)
        if mark.isChecked && w != mark.watermark { return (nil, nil) }
        let untainted = MarkPosition(block: ku, offset: handle.offset(of: cookie, pool: u, block: ku))
        let t = u + PoolSlot.taintedOffset
        guard let wp = StoreHandle.watermarkAddress(w), handle[pool: t].current >= 0,
              let kt = handle.resetBlockIndex(t, wp) else { return (untainted, nil) }
        return (untainted, MarkPosition(block: kt, offset: handle.offset(of: wp, pool: t, block: kt)))
    }
}
