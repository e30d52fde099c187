/// Exim's block-sizing rules, as pure functions: the one implementation the store uses
/// and a replay-side model can share (`@_spi(Replay) import Store`).
///
/// Spec: the DocC article "Exim's store" (`Store.docc/EximStore.md`), sections on block
/// sizing, `pool_get` and `internal_store_reset`.
@_spi(Replay)
public enum BlockRules {
    /// Exim's `ALIGNED_SIZEOF_STOREBLOCK` on LP64: data starts this far into a block.
    public static var headerSize: Int { Layout.header }
    /// The order every pool starts at (4 KiB blocks).
    public static var initialOrder: Int { 12 }
    /// Resets lower the order only while it is above this.
    public static var orderFloor: Int { 13 }
    /// Exim's `STOREPOOL_MIN_SIZE`: the keep-one rule looks at blocks whose remaining
    /// yield is below this.
    public static var keepOneYieldLimit: Int { 256 }
    /// The block length of `RESTRICTED_MEMORY` builds.
    public static var restrictedLength: Int { 4064 }

    /// A request rounded up to Exim's 8-byte alignment.
    @inlinable public static func rounded(_ size: Int) -> Int { (size &+ 7) & ~7 }

    /// The standard usable length of a new block at `order`: 2^order - 32 (4064 with
    /// restricted memory). 0 for an order of 63 or more (no such block can be had).
    public static func standardLength(order: Int, restrictedMemory: Bool) -> Int {
        if restrictedMemory { return restrictedLength }
        return order < 63 ? (1 << order) - 2 * headerSize : 0
    }

    /// The usable length of the block `pool_get` allocates for a request of `size`
    /// bytes at `order`: the standard length or the rounded request, whichever is larger.
    public static func newBlockLength(request size: Int, order: Int, restrictedMemory: Bool) -> Int {
        max(standardLength(order: order, restrictedMemory: restrictedMemory), rounded(size))
    }

    /// Order and quirky high-water after a newly allocated block (Exim's
    /// `if (order++ > maxorder) maxorder = order`); unchanged with restricted memory.
    public static func afterNewBlock(order: Int, maxOrder: Int, restrictedMemory: Bool) -> (order: Int, maxOrder: Int) {
        if restrictedMemory { return (order, maxOrder) }
        return (order + 1, order > maxOrder ? order + 1 : maxOrder)
    }

    /// Order after a reset frees (or, in the config pool, counts as freed) one block.
    public static func afterFreedBlock(order: Int, restrictedMemory: Bool) -> Int {
        !restrictedMemory && order > orderFloor ? order - 1 : order
    }

    /// Exim's keep-one rule in `internal_store_reset`: the block after the reset block
    /// stays chained (for reuse) when the reset leaves less than 256 bytes and that
    /// next block's length + 16 is a power of two (`is_pwr2_size`, 0 counting as one).
    public static func keepsNextBlock(yieldAfterReset: Int, nextLength: Int) -> Bool {
        yieldAfterReset < keepOneYieldLimit && isPowerOfTwo(nextLength + headerSize)
    }

    /// Exim's `is_pwr2_size` (on the low 32 bits; 0 counts as a power of two).
    public static func isPowerOfTwo(_ n: Int) -> Bool {
        let x = UInt32(truncatingIfNeeded: n)
        return x & (x &- 1) == 0
    }
}
