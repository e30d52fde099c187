/// State from before the trace that one pool shows by its first touch (section 19.4).
struct PreTraceFind: Sendable, Equatable {
    enum Kind: Sendable, Equatable { case floating, closed }
    var kind: Kind
    /// Blocks found.
    var blocks: Int
    /// Their `mlength` total (what they add to the pool total at trace start).
    var bytes: Int
    /// The pool's order after them (staircase from 12).
    var order: Int
    var maxOrder: Int
    /// The line that showed it.
    var line: Int
}

/// An exec'd Exim process and all its forked descendants: they share the state from before
/// the trace (section 19.5 item 3), so the start totals and the first-touch finds are pooled.
struct LineageInfo: Sendable {
    /// `Exim version` text (`?` when the trace began without one).
    var version: String
    /// `pool_malloc` when the trace began (solved from the first printed pool total).
    var p0: Int?
    var p0Line = 0
    /// `nonpool_malloc` when the trace began (solved from the first `--Malloc` figure).
    var n0: Int?
    var n0Line = 0
    /// First-touch finds, by paired pool index.
    var finds: [Int: PreTraceFind] = [:]
    /// Paired pools some member touched (bit i: pool i); their start state is known.
    var touched: UInt16 = 0
    /// Live members and pending forks that refer to this lineage.
    var references = 0

    init(version: String) { self.version = version }

    /// The surplus R of section 19.5 item 2: start bytes no find explains.
    var surplus: Int? { p0.map { $0 &- finds.values.reduce(0) { $0 &+ $1.bytes } } }
}

/// The live lineages, in slots reused once a lineage has no member left (so ids stay small
/// and lookups are array indexing, not hashing, on the replay's hot path).
struct LineageTable: Sendable {
    private var slots: [LineageInfo?] = []
    private var free: [Int] = []

    /// Adds a lineage and returns its id.
    mutating func add(_ l: LineageInfo) -> Int {
        if let i = free.popLast() { slots[i] = l; return i }
        slots.append(l)
        return slots.count - 1
    }

    /// The lineage with id `i` (nil once removed).
    subscript(i: Int) -> LineageInfo? {
        get { i >= 0 && i < slots.count ? slots[i] : nil }
        _modify {
            if i >= 0 && i < slots.count {
                yield &slots[i]
            } else {
                var none: LineageInfo? = nil
                yield &none
            }
        }
    }

    /// Calls `body` with lineage `i` in place (nil, without calling it, once removed): the
    /// hot path's access, without the subscript's coroutine and optional write-back.
    @inline(__always)
    mutating func withInfo<R>(_ i: Int, _ body: (inout LineageInfo) -> R) -> R? {
        guard i >= 0 && i < slots.count else { return nil }
        return slots.withUnsafeMutableBufferPointer { p -> R? in
            guard p[i] != nil else { return nil }
            return body(&p[i]!)
        }
    }

    /// Removes lineage `i` (its slot is reused).
    mutating func remove(_ i: Int) {
        guard i >= 0, i < slots.count, slots[i] != nil else { return }
        slots[i] = nil
        free.append(i)
    }
}
