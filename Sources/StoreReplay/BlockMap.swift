/// One block known on both sides: Exim's data start and the replay store's.
struct MappedBlock {
    var exim: UInt64
    var ours: UInt
    var length: Int
    /// Pool key: the paired index 0...9, or `quotedKeyBase + quoter id`.
    var key: Int
}

/// Maps Exim's blocks to the replay store's blocks: an address on a trace line is
/// translated by finding Exim's block that holds it and keeping its offset.
struct BlockMap {
    static let quotedKeyBase = 100
    private(set) var blocks: [MappedBlock] = []
    private var eximByOurs: [UInt: UInt64] = [:]
    private var oursByExim: [UInt64: UInt] = [:]

    /// Records (or replaces) the pairing of our block at `ours` with Exim's at `exim`.
    mutating func add(ours: UInt, exim: UInt64, length: Int, key: Int) {
        remove(ours: ours)
        if let old = oursByExim[exim] { remove(ours: old) }
        blocks.append(MappedBlock(exim: exim, ours: ours, length: length, key: key))
        eximByOurs[ours] = exim
        oursByExim[exim] = ours
    }

    /// Forgets our block at `ours` (freed).
    mutating func remove(ours: UInt) {
        guard let e = eximByOurs.removeValue(forKey: ours) else { return }
        oursByExim[e] = nil
        if let i = blocks.firstIndex(where: { $0.ours == ours }) { blocks.remove(at: i) }
    }

    /// Exim's data start for our block starting at `ours`.
    func exim(forOurs ours: UInt) -> UInt64? { eximByOurs[ours] }

    /// Our data start for Exim's block starting at `exim`.
    func ours(forExim exim: UInt64) -> UInt? { oursByExim[exim] }

    /// Our address for Exim's address `a` in a block of pool `key` (any quoted pool when
    /// `key` is nil and `quoted`), half-open unless `inclusiveEnd`. Newest blocks first.
    func ours(forAddress a: UInt64, key: Int?, quoted: Bool = false, inclusiveEnd: Bool) -> UInt? {
        for b in blocks.reversed() {
            if let k = key { if b.key != k { continue } } else if quoted != (b.key >= BlockMap.quotedKeyBase) { continue }
            guard a >= b.exim else { continue }
            let off = a - b.exim
            if off < UInt64(b.length) || (inclusiveEnd && off == UInt64(b.length)) { return b.ours + UInt(off) }
        }
        return nil
    }
}
