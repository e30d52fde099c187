import Store

/// What a reset gave back in one pool, in chain coordinates (block index, byte range),
/// so a chain row can shade it for a few frames after the reset (`age` counts them).
/// Computed from the pool's statistics just before and just after the reset (values).
public struct FreedRegion: Sendable, Equatable {
    /// Bytes given back in one block: `from..<to` of its data; `length` is the block's
    /// length then; `wholeBlock` when the block itself was freed (it is no longer in the
    /// chain: a drawer shows it as a ghost after the surviving blocks).
    public struct Block: Sendable, Equatable {
        /// Index in the chain before the reset.
        public var index: Int
        /// The block's data length.
        public var length: Int
        /// First byte given back.
        public var from: Int
        /// One past the last byte given back.
        public var to: Int
        /// The whole block went back (freed), not just its top.
        public var wholeBlock: Bool
    }

    /// The blocks that gave something back, oldest first.
    public var blocks: [Block]
    /// Frames drawn since the reset (0: the frame right after it).
    public var age: Int

    /// How many frames the freed cells stay visible (fading) after a reset.
    public static let fadeFrames = 4

    /// Arguments: a pool's statistics just before and just after a reset. Result: the
    /// bytes in use before that are not in use after (per block), and the blocks freed;
    /// nil when nothing was given back. Pure.
    public init?(before: PoolStatistics, after: PoolStatistics) {
        var out: [Block] = []
        for (k, b) in before.chain.enumerated() {
            let usedBefore = min(max(0, b.used), b.length)
            if k < after.chain.count {
                let usedAfter = min(max(0, after.chain[k].used), b.length)
                if usedBefore > usedAfter {
                    out.append(Block(index: k, length: b.length, from: usedAfter, to: usedBefore, wholeBlock: false))
                }
            } else {
                out.append(Block(index: k, length: b.length, from: 0, to: b.length, wholeBlock: true))
            }
        }
        guard !out.isEmpty else { return nil }
        blocks = out
        age = 0
    }

    /// Whether the region is still shown (younger than `fadeFrames`).
    public var isVisible: Bool { age < FreedRegion.fadeFrames }
    /// Blocks freed whole.
    public var freedBlocks: [Block] { blocks.filter(\.wholeBlock) }
}

/// What a chain row draws over a pool's blocks: where the mark lies (and so what a reset
/// would give back: the used bytes above it), and what the last reset gave back.
public struct ChainOverlay: Sendable, Equatable {
    /// The current mark of the pool, or nil.
    public var mark: MarkPosition?
    /// What the last reset gave back, while it is still visible.
    public var freed: FreedRegion?
    /// Whether the used bytes above the mark get the "would be given back" shade: for the
    /// main pools, whose reset ends every refresh (the message and search pools' marks
    /// are shown, but their resets are rare).
    public var shadesAboveMark: Bool

    /// An overlay.
    public init(mark: MarkPosition? = nil, freed: FreedRegion? = nil, shadesAboveMark: Bool = true) {
        self.mark = mark
        self.freed = freed
        self.shadesAboveMark = shadesAboveMark
    }

    /// Nothing drawn over the chain.
    public static let none = ChainOverlay()
}
