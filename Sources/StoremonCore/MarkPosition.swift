import Store

/// Where a mark lies in a pool's chain: the block (index into the chain, oldest first)
/// and the byte offset from that block's first data byte. A reset to the mark keeps
/// everything below it and gives back everything above it.
///
/// Computed from public `Store` values only (the cookie's address, the tainted cursor
/// taken right after `mark()`, and `Store.blockLocation(containing:inclusiveEnd:)`),
/// never from the cookie's content.
public struct MarkPosition: Sendable, Equatable, Codable, CustomStringConvertible {
    /// Index of the block in the chain (oldest first).
    public var block: Int
    /// Bytes from the block's first data byte.
    public var offset: Int

    /// A position.
    public init(block: Int, offset: Int) {
        self.block = block
        self.offset = offset
    }

    /// `block 2 +88`.
    public var description: String { "block \(block) +\(offset)" }
    /// `2+88`, for narrow columns.
    public var compactText: String { "\(block)+\(offset)" }

    /// Arguments: an address and the location of the block holding it (as
    /// `Store.blockLocation(containing:inclusiveEnd: true)` gives it; the block's end
    /// counts, as reset's own test does). Result: the position, or nil when there is no
    /// block or the address lies outside it. Pure.
    public static func locate(_ address: UInt, in block: BlockLocation?) -> MarkPosition? {
        guard let block, address >= block.dataStart, address <= block.dataEnd else { return nil }
        return MarkPosition(block: block.index, offset: Int(address - block.dataStart))
    }

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
