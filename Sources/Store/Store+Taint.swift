#if canImport(Glibc)
import Glibc
#endif

extension Store {
    /// The pool whose reserved range holds `p` and has handed it out (it lies below the
    /// pool's highest block end), or nil for addresses outside every pool (stack, heap,
    /// tracked mallocs). O(1).
    public func owner(of p: UnsafeRawPointer) -> PoolOwner? {
        guard let i = owningPool(of: p), space.isBelowTop(UInt(bitPattern: p), slot: i) else { return nil }
        if i < PoolSlot.firstQuotedSlot { return .paired(PoolID(index: i)!) }
        return pools[i].quoter.map { .quoted($0) }
    }

    /// The quoter whose pool holds `p`, or nil if `p` is not quoted. O(1).
    public func quoter(of p: UnsafeRawPointer) -> Quoter? {
        if case .quoted(let q)? = owner(of: p) { return q }
        return nil
    }

    /// Exim's `is_tainted_fn`, kept as a debug cross-check of `isTainted`: walks the
    /// current block of each tainted pool, of each quoted pool, then every block of
    /// every tainted and quoted pool (half-open ranges). O(number of blocks).
    public func isTaintedByWalk(_ p: UnsafeRawPointer) -> Bool {
        if UInt(bitPattern: p) == 1 { return true }
        func inBlock(_ b: BlockRecord) -> Bool { p >= UnsafeRawPointer(b.dataStart) && p < UnsafeRawPointer(b.dataEnd) }
        let tainted = Array(PoolSlot.taintedOffset..<PoolSlot.pairedCount)
        for i in tainted + quotedOrder where pools[i].current >= 0 {
            if inBlock(pools[i].chain[pools[i].current]) { return true }
        }
        for i in tainted + quotedOrder {
            for b in pools[i].chain where inBlock(b) { return true }
        }
        return false
    }

    /// Exim's checked `Ustrncpy`/`memcpy` into store memory: copies `source` to
    /// `destination`. Throws `.taintMismatch` (and copies nothing) when the source is
    /// tainted and the destination is not, Exim's "Taint mismatch" die.
    public func copy(_ source: UnsafeRawBufferPointer, to destination: UnsafeMutableRawPointer) throws(StoreError) {
        guard let s = source.baseAddress, source.count > 0 else { return }
        if isTainted(s) && !isTainted(destination) { throw .taintMismatch(operation: "Ustrcpy") }
        memmove(destination, s, source.count)
    }

    /// Exim's checked `Ustrcat`: appends `source` and a NUL after the NUL-terminated
    /// text at `destination` (which must have room). Throws `.taintMismatch` (and writes
    /// nothing) when the source is tainted and the destination is not.
    public func concatenate(_ source: UnsafeRawBufferPointer, to destination: UnsafeMutableRawPointer) throws(StoreError) {
        if let s = source.baseAddress, isTainted(s), !isTainted(destination) {
            throw .taintMismatch(operation: "Ustrcat")
        }
        let end = strlen(destination.assumingMemoryBound(to: CChar.self))
        if let s = source.baseAddress, source.count > 0 { memmove(destination + end, s, source.count) }
        (destination + end + source.count).storeBytes(of: 0, as: UInt8.self)
    }
}
