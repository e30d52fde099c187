import Store

/// Internal: an open `/` search. Its query (untainted) and a copy of every matching line
/// (tainted) live in the search pools, from the mark taken when the search opened; closing
/// the search resets the pool to that mark (Exim's "tidy up after a search").
final class LogSearch {
    /// Most matches kept (the search pool stays bounded however long a search stays open).
    static let maxMatches = 5_000

    let mark: Store.Mark
    let query: String
    private let needle: [UInt8]          // lower-cased query bytes
    private let queryInPool: PoolText
    /// Matching lines, copied into the tainted search pool: (line number, bytes).
    private(set) var matches: [(number: Int, bytes: TaintedBytes)] = []
    private(set) var total = 0
    /// Line number of the current match.
    var currentNumber: Int?
    /// Highest line number already searched.
    private(set) var searchedThrough = 0

    /// Opens a search: `store.currentPool` must be `.search` (the session sees to it).
    init(query: String, store: Store) throws(StoreError) {
        mark = try store.mark()
        self.query = query
        needle = Array(query.utf8).map(LogSearch.lower)
        queryInPool = try PoolText(query, in: store)
    }

    /// The query as it sits in the search pool.
    var storedQuery: String { queryInPool.string }

    /// Searches lines newer than `searchedThrough`, copying matches into the tainted twin
    /// of `store.currentPool` (`.search`).
    func scan(_ lines: ArraySlice<LogTailLine>, store: Store) throws(StoreError) {
        for line in lines where line.number > searchedThrough {
            searchedThrough = line.number
            guard !needle.isEmpty, contains(line.text) else { continue }
            total += 1
            guard matches.count < LogSearch.maxMatches else { continue }
            let copied: Result<TaintedBytes, StoreError> = line.text.withTaintedBytes { b in
                b.withUnsafeBytes { raw in
                    Result { () throws(StoreError) -> TaintedBytes in try store.copyTainted(raw) }
                }
            }
            let copy = try copied.get()
            matches.append((line.number, copy))
        }
    }

    private func contains(_ text: TaintedString) -> Bool {
        text.withTaintedBytes { b in
            b.withUnsafeBytes { raw in
                let n = needle.count
                guard raw.count >= n else { return false }
                let first = needle[0]
                var i = 0
                while i + n <= raw.count {
                    if LogSearch.lower(raw[i]) == first {
                        var k = 1
                        while k < n && LogSearch.lower(raw[i + k]) == needle[k] { k += 1 }
                        if k == n { return true }
                    }
                    i += 1
                }
                return false
            }
        }
    }

    private static func lower(_ b: UInt8) -> UInt8 { b >= 65 && b <= 90 ? b + 32 : b }

    /// The snapshot view against the current tail.
    func snapshot(tail: [LogTailLine]) -> SearchSnapshot {
        var indexes: [Int] = []
        var current: Int?
        if let firstNumber = tail.first?.number {
            for m in matches where m.number >= firstNumber {
                guard let index = LogSearch.index(of: m.number, in: tail) else { continue }
                if m.number == currentNumber { current = indexes.count }
                indexes.append(index)
            }
        }
        return SearchSnapshot(query: query, matches: indexes, current: current, totalMatches: total,
                              isCapped: total > matches.count)
    }

    /// Binary search for a line number in the tail (numbers ascend, with gaps for blank lines).
    static func index(of number: Int, in tail: [LogTailLine]) -> Int? {
        var lo = 0, hi = tail.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if tail[mid].number < number { lo = mid + 1 } else { hi = mid }
        }
        return lo < tail.count && tail[lo].number == number ? lo : nil
    }

    /// Moves to the next (or previous) match still in the tail; wraps around.
    func move(forward: Bool, tail: [LogTailLine]) {
        let shown = snapshot(tail: tail)
        guard !shown.matches.isEmpty else { currentNumber = nil; return }
        let n = shown.matches.count
        let next: Int
        if let c = shown.current {
            next = forward ? (c + 1) % n : (c - 1 + n) % n
        } else {
            next = forward ? 0 : n - 1
        }
        currentNumber = tail[shown.matches[next]].number
    }
}
