/// One way to explain a lineage's start surplus R (section 19.5 item 4): standard blocks in
/// pools no member touched, plus at most one custom amount Δ on a closed block or on one of
/// those new blocks.
struct StartCandidate: Sendable, Equatable {
    /// Standard blocks per untouched pool (pool index → count).
    var blocks: [(pool: Int, count: Int)]
    /// The custom amount and where it goes.
    var delta = 0
    var deltaPool: Int?
    var deltaOnClosed = false

    static func == (a: StartCandidate, b: StartCandidate) -> Bool { a.key == b.key }

    /// A stable name, also used to carry a start-up class's surviving candidates over to
    /// later processes of the class.
    var key: String {
        var parts = blocks.filter { $0.count > 0 }.map { "\($0.count)×std@\($0.pool)" }
        if delta > 0, let p = deltaPool { parts.append("\(delta)\(deltaOnClosed ? "@closed" : "@new")\(p)") }
        return parts.isEmpty ? "none" : parts.joined(separator: "+")
    }

    /// In words, for reports.
    var description: String {
        var parts = blocks.filter { $0.count > 0 }.map { "\($0.count) standard block\($0.count == 1 ? "" : "s") in pool \($0.pool)" }
        if delta > 0, let p = deltaPool {
            parts.append("\(delta) custom bytes on \(deltaOnClosed ? "a closed block" : "a new block") of pool \(p)")
        }
        return parts.isEmpty ? "nothing more" : parts.joined(separator: " and ")
    }

    var totalBlocks: Int { blocks.reduce(0) { $0 + $1.count } }

    /// Exit figures (maxbytes, maxblocks, maxorder) this candidate gives an untouched pool.
    func figures(untouched pool: Int) -> (bytes: Int, blocks: Int, maxOrder: Int) {
        let k = blocks.first { $0.pool == pool }?.count ?? 0
        var bytes = 0, order = EximArithmetic.firstOrder, maxOrder = 0
        for _ in 0..<k {
            bytes += EximArithmetic.standardMLength(order: order)
            EximArithmetic.bump(order: &order, maxOrder: &maxOrder)
        }
        if !deltaOnClosed, deltaPool == pool { bytes += delta }
        return (bytes, k, maxOrder)
    }

    /// Extra maxbytes on a closed pool.
    func closedExtra(_ pool: Int) -> Int { deltaOnClosed && deltaPool == pool ? delta : 0 }

    /// Exim start-up knowledge (labelled as such in reports): the command line is parsed
    /// with `store_pool = POOL_PERM` and option values are copied tainted (pool 6 first),
    /// `process_info` is tainted main (pool 5), then the rest in index order.
    static let poolPreference = [6, 5, 0, 1, 2, 3, 4, 7, 8, 9]

    /// All candidates for surplus `r`, ranked: standard blocks only (fewest first), then Δ
    /// on a closed block, then Δ on a new block; pools by `poolPreference`.
    static func ranked(surplus r: Int, untouched: [Int], closed: [Int], maxBlocks: Int = 3, limit: Int = 64) -> [StartCandidate] {
        guard r >= 0 else { return [] }
        let pools = poolPreference.filter { untouched.contains($0) }
        var out: [(rank: [Int], c: StartCandidate)] = []
        var counts = [Int](repeating: 0, count: pools.count)
        func cost(_ k: Int) -> Int {
            var s = 0, o = EximArithmetic.firstOrder
            for _ in 0..<k { s += EximArithmetic.standardMLength(order: o); o += 1 }
            return s
        }
        func emit() {
            let used = counts.enumerated().filter { $0.element > 0 }.map { (pool: pools[$0.offset], count: $0.element) }
            let spent = used.reduce(0) { $0 + cost($1.count) }
            let rest = r - spent
            guard rest >= 0 else { return }
            let total = used.reduce(0) { $0 + $1.count }
            let prefs = used.map { poolPreference.firstIndex(of: $0.pool) ?? 99 }
            if rest == 0 {
                out.append(([0, total] + prefs, StartCandidate(blocks: used)))
                return
            }
            guard rest % 8 == 0 else { return }
            for p in poolPreference where closed.contains(p) {
                out.append(([1, total, poolPreference.firstIndex(of: p) ?? 99] + prefs,
                            StartCandidate(blocks: used, delta: rest, deltaPool: p, deltaOnClosed: true)))
            }
            for u in used {
                out.append(([2, total, poolPreference.firstIndex(of: u.pool) ?? 99] + prefs,
                            StartCandidate(blocks: used, delta: rest, deltaPool: u.pool, deltaOnClosed: false)))
            }
        }
        func walk(_ i: Int, _ left: Int, _ spent: Int) {
            if i == pools.count { emit(); return }
            var k = 0
            while k <= left, spent + cost(k) <= r {
                counts[i] = k
                walk(i + 1, left - k, spent + cost(k))
                k += 1
            }
            counts[i] = 0
        }
        walk(0, maxBlocks, 0)
        out.sort { a, b in a.rank.lexicographicallyPrecedes(b.rank) }
        return Array(out.prefix(limit).map(\.c))
    }
}

/// Surviving (n0, max0) start values of the non-pool block counters for a start-up class
/// (section 19.6): n0 ≥ 0, max0 even, max0 ≥ n0 − 1.
struct NonpoolStartCandidates: Sendable {
    var pairs: [(n0: Int, max0: Int)]

    static let all: NonpoolStartCandidates = {
        var p: [(Int, Int)] = []
        for n0 in 0..<64 {
            for max0 in stride(from: 0, through: 126, by: 2) where max0 >= n0 - 1 { p.append((n0, max0)) }
        }
        return NonpoolStartCandidates(pairs: p)
    }()

    func predictions(_ s: NonpoolStaircase) -> [Int] { pairs.map { s.maxBlocks(n0: $0.n0, max0: $0.max0) ?? -1 } }

    func narrowed(_ s: NonpoolStaircase, to value: Int) -> NonpoolStartCandidates {
        NonpoolStartCandidates(pairs: pairs.filter { s.maxBlocks(n0: $0.n0, max0: $0.max0) == value })
    }
}
