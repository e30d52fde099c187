import Store
import StoremonCore

/// Maxima that `r` can clear. The Store's own high-water marks (`maxBytes`, `maxBlocks`,
/// `maxOrder`) cannot be lowered, so after `r` the panes show the highest figures seen in
/// the snapshots since then instead (labelled "max since r").
struct ClearedMaxima: Sendable {
    private var bytes = [Int](repeating: 0, count: 10)
    private var blocks = [Int](repeating: 0, count: 10)
    private var order = [Int](repeating: 0, count: 10)

    /// Starts from zero (the moment `r` was pressed).
    init() {}

    /// Takes in one snapshot's pools and replaces their maxima with the ones seen since `r`.
    mutating func apply(to pools: inout [PoolSnapshot]) {
        for i in pools.indices where i < 10 {
            let s = pools[i].statistics
            bytes[i] = max(bytes[i], s.bytes)
            blocks[i] = max(blocks[i], s.blocks)
            order[i] = max(order[i], s.chain.isEmpty ? 0 : s.order)
            pools[i].statistics.maxBytes = bytes[i]
            pools[i].statistics.maxBlocks = blocks[i]
            pools[i].statistics.maxOrder = order[i]
        }
    }
}
