import Store

/// The monitor's reading of Store's `MarkPosition` (block index and offset of one half of
/// a mark, from `Store.position(of:)`): texts, and what lies above it in a pool's chain.
extension MarkPosition: CustomStringConvertible {
    /// `block 2 +88`.
    public var description: String { "block \(block) +\(offset)" }
    /// `2+88`, for narrow columns.
    public var compactText: String { "\(block)+\(offset)" }

    /// Arguments: a mark's position and a pool's statistics (the same pool, taken while
    /// the mark is valid). Result: bytes in use above the mark: the used part of the
    /// mark's block past its offset plus everything used in later blocks. Pure.
    public func bytesInUseAbove(in stats: PoolStatistics) -> Int {
        var total = 0
        for (k, b) in stats.chain.enumerated() where k >= block {
            let used = min(max(0, b.used), b.length)
            total += k == block ? max(0, used - offset) : used
        }
        return total
    }

    /// Blocks after the mark's block (a reset frees them, except one the keep-one rule keeps).
    public func blocksAbove(in stats: PoolStatistics) -> Int { max(0, stats.chain.count - 1 - block) }
}
