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
    public func mark(function: StaticString = #function, line: Int = #line) throws(StoreError) -> Mark {
        let site = CallSite(function, line)
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
    /// `.badMark` and leaves the store as it was. A pool that has no block is skipped.
    public func reset(to mark: Mark, function: StaticString = #function, line: Int = #line) throws(StoreError) {
        let site = CallSite(function, line)
        let u = control.pointee.currentPool
        let t = u + 5
        let cookie = mark.cookie
        // The cookie must be readable (8 bytes inside one block).
        guard let cb = locate(cookie, inclusiveEnd: false),
              cookie + 8 <= cb.dataEnd else { throw .badMark }
        if pools[u].current >= 0 {
            guard resetBlockIndex(u, cookie) != nil else { throw .badMark }
        }
        guard let w = UnsafeMutableRawPointer(bitPattern: cookie.load(as: UInt.self)) else { throw .badMark }
        if pools[t].current >= 0 {
            guard resetBlockIndex(t, w) != nil else { throw .badMark }
        }
        internalReset(w, pool: t, site: site)
        internalReset(cookie, pool: u, site: site)
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
        return ps.pointee.chain.firstIndex { p >= UnsafeRawPointer($0.dataStart) && p <= UnsafeRawPointer($0.dataEnd) }
    }

    /// Exim's `internal_store_reset(ptr, pool)`. Arguments: the address to back up to
    /// (already validated), pool index, call site. Sets the cursor to `ptr` rounded up
    /// to 8 from the block end, applies the keep-one rule, frees (or, for config, only
    /// counts) every later block with order - 1 per block down to 13, and prints `Rst`.
    func internalReset(_ ptr: UnsafeMutableRawPointer, pool index: Int, site: CallSite) {
        let ps = pools + index
        guard ps.pointee.current >= 0, let k = resetBlockIndex(index, ptr) else { return }
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
           Store.isPowerOfTwo(ps.pointee.chain[k + 1].length + Store.headerSize) {
            keep = k + 1
            ps.pointee.chain[keep].used = 0
        }
        let isConfig = index == PoolKind.config.rawValue
        if keep + 1 < ps.pointee.chain.count {
            let rest = Array(ps.pointee.chain[(keep + 1)...])
            if !isConfig { ps.pointee.chain.removeSubrange((keep + 1)...) }
            for b in rest {
                let siz = b.length + Store.headerSize
                ps.pointee.nbytes -= siz
                poolMalloc -= siz
                ps.pointee.nblocks -= 1
                if isConfig {
                    if let j = ps.pointee.chain.firstIndex(where: { $0.header == b.header }) { ps.pointee.chain[j].used = 0 }
                } else {
                    freeBlockMemory(index, b, countAsFreed: true, site: site)
                }
                if !options.restrictedMemory && ps.pointee.order > 13 { ps.pointee.order -= 1 }
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
