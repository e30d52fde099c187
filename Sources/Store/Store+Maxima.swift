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
        for i in 0..<PoolSlot.count where handle[pool: i].isActive {
            handle[pool: i].maxBytes = handle[pool: i].nbytes
            handle[pool: i].maxBlocks = handle[pool: i].nblocks
            if handle[pool: i].maxOrder != 0 { handle[pool: i].maxOrder = handle[pool: i].order }
        }
        maxPoolMalloc = poolMalloc
        maxNonpoolMalloc = nonpoolMalloc
        maxNonpoolBlocks = nonpoolBlocks
    }
}
