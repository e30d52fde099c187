/// Start values a replay cannot read from any trace (exim-store.md section 18).
public enum ReplayConstants {
    /// Exim's `main()` takes 384 tainted bytes from the main pool (process info)
    /// before any debug output, so pool 5 already holds a block when a trace starts:
    /// the first mark's `---5 Get … 0` shows no `--Malloc` and points 384 bytes in.
    public static let preTraceTaintedMainBytes = 384

    /// Exim 4.96 has made 7 `store_malloc` blocks (regex and buffer set-up) when debug
    /// output begins; with the quirky high-water rule (`if (n++ > max) max = n`) the
    /// high-water is then 8. No trace line shows these counters; only the exit block's
    /// `nonpool … in N blocks` depends on them.
    public static let startNonpoolBlocks = 7
    /// The high-water that goes with `startNonpoolBlocks` (see there).
    public static let startMaxNonpoolBlocks = 8
    /// When a message id was checked while reading the arguments (`-M`, `-Mc`, `-E…`),
    /// two more blocks (the id regex) exist when output begins: 9, high-water 8.
    public static let startNonpoolBlocksAfterMessageID = 9
    /// The high-water that goes with `startNonpoolBlocksAfterMessageID`.
    public static let startMaxNonpoolBlocksAfterMessageID = 8

    /// Each replayed process has its own store; 256 MiB of address space per pool
    /// (8 GiB per store) lets thousands of processes be replayed at once.
    public static let storeSlotSizeLog2 = 28

    /// `mlength` of a standard order-12 block (4064 + 16): the size of a pre-trace block
    /// deduced from the first running `pool N` total.
    public static let orderTwelveBlockBytes = 4080
}
