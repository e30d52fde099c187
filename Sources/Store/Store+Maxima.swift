extension Store {
    /// Restarts every high-water mark from the current figures, as if the store had just
    /// been created in its present state: each pool's `maxBytes`, `maxBlocks` and
    /// `maxOrder` (paired and quoted pools), and the global `maxPoolMalloc`,
    /// `maxNonpoolMalloc` and `maxNonpoolBlocks`. Exim has no such call (its maxima only
    /// ever grow, for the exit statistics); a monitor uses it to show what one refresh
    /// cycle alone needs. Arguments: none. Result: none. Invariant: no pool, block or
    /// current figure changes; afterwards every maximum equals its current value (a pool
    /// that never had a block keeps `maxOrder` 0, Exim's "untouched" value).
    public func clearMaxima() {
        for i in 0..<PoolSlot.count where pools[i].isActive {
            let ps = pools + i
            ps.pointee.maxBytes = ps.pointee.nbytes
            ps.pointee.maxBlocks = ps.pointee.nblocks
            if ps.pointee.maxOrder != 0 { ps.pointee.maxOrder = ps.pointee.order }
        }
        maxPoolMalloc = poolMalloc
        maxNonpoolMalloc = nonpoolMalloc
        maxNonpoolBlocks = nonpoolBlocks
    }
}
