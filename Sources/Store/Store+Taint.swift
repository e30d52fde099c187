extension Store {
    /// The pool whose reserved range holds `p` and has handed it out (it lies below the
    /// pool's highest block end), or nil for addresses outside every pool (stack, heap,
    /// tracked mallocs). O(1).
    public func owner(of p: UnsafeRawPointer) -> PoolOwner? {
        guard let i = owningPool(of: p), space.isBelowTop(UInt(bitPattern: p), slot: i) else { return nil }
        if i < PoolSlot.firstQuotedSlot { return .paired(PoolID(index: i)!) }
        return handle[pool: i].quoter.map { .quoted($0) }
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
        let tainted = Array(PoolSlot.taintedOffset..<PoolSlot.pairedCount)
        for i in tainted + quotedOrder where handle[pool: i].current >= 0 {
            if handle[pool: i].chain[handle[pool: i].current].contains(p) { return true }
        }
        for i in tainted + quotedOrder {
            for b in handle[pool: i].chain where b.contains(p) { return true }
        }
        return false
    }

    /// Exim's checked `Ustrncpy`/`memcpy` into store memory: copies `source` to
    /// `destination`. Throws `.taintMismatch` (and copies nothing) when the source is
    /// tainted and the destination is not, Exim's "Taint mismatch" die.
    public func copy(_ source: UnsafeRawBufferPointer, to destination: UnsafeMutableRawPointer) throws(StoreError) {
        guard let s = source.baseAddress, source.count > 0 else { return }
        if isTainted(s) && !isTainted(destination) { throw .taintMismatch(operation: "Ustrcpy") }
        StoreHandle.move(destination, from: s, bytes: source.count)
    }

    /// Exim's checked `Ustrcat`: appends `source` and a NUL after the NUL-terminated
    /// text at `destination` (which must have room). Throws `.taintMismatch` (and writes
    /// nothing) when the source is tainted and the destination is not.
    public func concatenate(_ source: UnsafeRawBufferPointer, to destination: UnsafeMutableRawPointer) throws(StoreError) {
        if let s = source.baseAddress, isTainted(s), !isTainted(destination) {
            throw .taintMismatch(operation: "Ustrcat")
        }
        StoreHandle.appendCString(source, to: destination)
    }
}
