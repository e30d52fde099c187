import EximTrace

/// A `--Malloc` waiting for the next record of its process: a pool get at its address + 16
/// makes it a pool block, anything else a `store_malloc`.
struct PendingMalloc: Sendable {
    var header: UInt64
    var size: Int
    var poolTotal: Int
    var nonpoolTotal: Int
    var line: Int
}

/// A `----Free` of a pool block waiting for the reset (or the too-small discard) that frees it.
struct PendingFree: Sendable {
    var header: UInt64
    var size: Int
    var line: Int
}

/// A quoted pool (section 2.3), newest first in `ProcessModel.quoted`.
struct QuotedPoolModel: Sendable {
    var quoter: Int
    var pool: PoolModel
}

/// One Exim process, replayed as Exim's allocator state in Exim's own address space: ten
/// paired pools, the quoted pools, the running totals and the live `store_malloc` blocks.
/// A value: a fork copies it (cost ∝ the state, not the history), and attribution without
/// `+pid` tries a record on a copy.
struct ProcessModel: Sendable {
    /// Replay-wide id (pids are reused).
    var id: Int
    var pid: Int?
    /// `fresh-exec` for an exec'd process, else the fork purpose (`delivery-local`, …).
    var purpose: String
    var parentID: Int?
    var parentPid: Int?
    var lineage: Int
    /// Whether the process prints its lines without a `+pid` prefix.
    var unprefixed: Bool
    /// Forked (not exec'd): an `Exim version` line with its pid replaces it.
    var forked = false
    var terminated = false
    var exitCode: Int?
    /// The trace line that created it and the last line applied to it.
    var firstLine = 0
    var lastLine = 0

    var pools: [PoolModel] = Array(repeating: PoolModel(), count: 10)
    var quoted: [QuotedPoolModel] = []
    /// `pool_malloc − P0` and its high-water (the high-water at start is P0 itself).
    var poolDelta = 0, maxPoolDelta = 0
    /// `nonpool_malloc − N0` and its high-water (moved only inside `internal_store_malloc`).
    var nonpoolDelta = 0, maxNonpoolDelta = 0
    /// Corrections after a difference, so one wrong figure is reported once; a difference
    /// is adopted only when the next figure confirms it (otherwise it was a one-line blip).
    var poolCheck = RunningTotal(label: "pool", symbol: "P0")
    var nonpoolCheck = RunningTotal(label: "nonpool", symbol: "N0")
    var poolAdjust: Int { poolCheck.adjust }
    var nonpoolAdjust: Int { nonpoolCheck.adjust }
    /// `n_nonpool_blocks − n0`, and the staircase table of section 19.6.
    var depth = 0
    var staircase = NonpoolStaircase()
    /// Live `store_malloc` blocks: Exim's address → printed size.
    var mallocs: [UInt64: Int] = [:]

    var pendingMalloc: PendingMalloc?
    var pendingFrees: [PendingFree] = []
    var expectFree: (header: UInt64, size: Int)?
    var quoter: Int?
    /// The last memory record applied, while no other line of the process followed it (section 19.2).
    var lastEvent: TraceEvent?
    /// The last address a record of this process named (attribution, section 19.9).
    var lastAddress: UInt64 = 0
    /// Memory records applied.
    var records = 0
    /// `----Free`s of blocks malloc'd before the trace (no `--Malloc` line for them).
    var preTraceFrees = 0
    /// The `----Exit` lines of the process, waiting to be compared.
    var exitLines: [TraceRecord] = []
    /// What the replay inferred for this process (the first 32).
    var inferences: [ReplayInference] = []

    init(id: Int, pid: Int?, purpose: String, lineage: Int, unprefixed: Bool, line: Int) {
        self.id = id
        self.pid = pid
        self.purpose = purpose
        self.lineage = lineage
        self.unprefixed = unprefixed
        firstLine = line
        lastLine = line
    }

    var poolTotalDisplay: Int { poolDelta + poolAdjust }

    // MARK: records

    /// Applies one memory record. `lineage` is the process's lineage (its start totals are
    /// solved and its finds pooled here).
    mutating func apply(_ r: TraceRecord, _ L: inout LineageInfo, _ c: inout LineCheck) {
        records += 1
        lastLine = r.line
        switch r.event {
        case .malloc(let a, let size, _, let pt, let nt):
            flushMalloc(&L, &c)
            guard let a else { c.problem(r.line, "a --Malloc with a (nil) address"); return }
            pendingMalloc = PendingMalloc(header: a, size: size, poolTotal: pt, nonpoolTotal: nt, line: r.line)
            lastAddress = a
        case .free(let a, let size, _):
            guard let a else { return }
            lastAddress = a
            if let e = expectFree, e.header == a {
                expectFree = nil
                if e.size != size { c.differ(r.line, "size", exim: String(size), replay: String(e.size)) } else { c.checked = true }
                nonpoolDelta -= size
                return
            }
            flushMalloc(&L, &c)
            if isPoolBlockHeader(a) {
                pendingFrees.append(PendingFree(header: a, size: size, line: r.line))
            } else {
                storeFree(a, size, r.line, &c)
            }
        case .get(.paired(let p), let a, let size, _):
            guard p >= 0, p < 10, let a else { c.problem(r.line, "a get from pool \(p), which Exim does not have"); flushMalloc(&L, &c); return }
            lastAddress = a
            let malloc = takeMalloc(for: a, &L, &c)
            var pool = PoolModel()
            swap(&pool, &pools[p])
            get(&pool, key: p, address: a, size: size, malloc: malloc, line: r.line, &L, &c)
            swap(&pool, &pools[p])
        case .get(.quoted, let a, let size, _):
            guard let a else { flushMalloc(&L, &c); return }
            lastAddress = a
            let malloc = takeMalloc(for: a, &L, &c)
            guard let q = quoter else {
                c.problem(r.line, "a quoted get without its 'allocating quoted-block' line")
                return
            }
            quoter = nil
            let i: Int
            if let found = quoted.firstIndex(where: { $0.quoter == q }) {
                i = found
            } else {
                var fresh = PoolModel()
                fresh.touched = true
                quoted.insert(QuotedPoolModel(quoter: q, pool: fresh), at: 0)
                i = 0
            }
            var pool = PoolModel()
            swap(&pool, &quoted[i].pool)
            get(&pool, key: -1, address: a, size: size, malloc: malloc, line: r.line, &L, &c)
            swap(&pool, &quoted[i].pool)
        case .quotedBlock(let q, _):
            flushAll(&L, &c)
            quoter = q
        case .mark(let p, _, let total):
            flushAll(&L, &c)
            if p < 0 || p >= 5 { c.differ(r.line, "pool", exim: String(p), replay: "a mark needs pool 0…4") }
            checkPoolTotal(total, r.line, &L, &c)
        case .reset(let p, let a, let bytes, _, let total):
            flushMalloc(&L, &c)
            guard p >= 0, p < 10, let a else { c.problem(r.line, "a reset of pool \(p), which Exim does not have"); return }
            lastAddress = a
            var pool = PoolModel()
            swap(&pool, &pools[p])
            reset(&pool, key: p, ptr: a, printed: bytes, total: total, line: r.line, &L, &c)
            swap(&pool, &pools[p])
        case .releaseAbove(let tp, let a, let bytes, _, let total):
            flushAll(&L, &c)
            guard let a else { return }
            lastAddress = a
            releaseAbove(tp, a, bytes, total, r.line, &L, &c)
        case .extend(let tp, let a, let newSize, _):
            flushAll(&L, &c)
            guard let a else { return }
            lastAddress = a
            extend(tp, a, newSize, r.line, &L, &c)
        case .releaseBlock(let h, _, let total):
            flushAll(&L, &c)
            guard let h else { return }
            lastAddress = h
            releaseBlock(h, total, r.line, &L, &c)
        case .releaseMiss:
            flushAll(&L, &c)
        default:
            break
        }
    }

    /// Ends what is pending (at the exit block, a `terminating` line or the end of input).
    mutating func finishPending(_ L: inout LineageInfo, _ c: inout LineCheck) {
        flushAll(&L, &c)
        if let e = expectFree {
            c.differ(lastLine, "sequence", exim: "no ----Free", replay: "----Free of the released block \(hex(e.header))")
            expectFree = nil
        }
        quoter = nil
    }

    mutating func flushAll(_ L: inout LineageInfo, _ c: inout LineCheck) {
        flushMalloc(&L, &c)
        for f in pendingFrees {
            c.differ(f.line, "sequence", exim: "----Free of pool block \(hex(f.header))", replay: "the block stays")
            nonpoolDelta -= f.size
        }
        pendingFrees.removeAll()
    }

    /// A held `--Malloc` that no pool get took: a `store_malloc`.
    mutating func flushMalloc(_ L: inout LineageInfo, _ c: inout LineCheck) {
        guard let m = pendingMalloc else { return }
        pendingMalloc = nil
        nonpoolDelta += m.size
        if nonpoolDelta > maxNonpoolDelta { maxNonpoolDelta = nonpoolDelta }
        staircase.malloc(depth: depth)
        depth += 1
        mallocs[m.header] = m.size
        checkPoolTotal(m.poolTotal, m.line, &L, &c)
        checkNonpoolTotal(m.nonpoolTotal, m.line, &L, &c)
    }

    /// The held `--Malloc` if a get at `a` takes it as its new block; otherwise it is flushed.
    mutating func takeMalloc(for a: UInt64, _ L: inout LineageInfo, _ c: inout LineCheck) -> PendingMalloc? {
        guard let m = pendingMalloc else { return nil }
        if a == m.header &+ UInt64(truncatingIfNeeded: EximArithmetic.header) {
            pendingMalloc = nil
            return m
        }
        flushMalloc(&L, &c)
        return nil
    }

    /// Whether some block of the process (or its held `--Malloc`) holds `a`.
    func holds(_ a: UInt64?) -> Bool {
        guard let a else { return true }
        if let m = pendingMalloc, a >= m.header, a < m.header &+ UInt64(truncatingIfNeeded: m.size) { return true }
        for p in pools where p.current >= 0 {
            for b in p.chain where b.contains(a, inclusiveEnd: true) { return true }
        }
        for q in quoted { for b in q.pool.chain where b.contains(a, inclusiveEnd: true) { return true } }
        return false
    }

    func isPoolBlockHeader(_ h: UInt64) -> Bool {
        let start = h &+ UInt64(truncatingIfNeeded: EximArithmetic.header)
        for p in pools where p.current >= 0 {
            for b in p.chain where b.kind == .known && b.start == start { return true }
        }
        for q in quoted where q.pool.current >= 0 {
            for b in q.pool.chain where b.kind == .known && b.start == start { return true }
        }
        return false
    }

    mutating func storeFree(_ a: UInt64, _ size: Int, _ line: Int, _ c: inout LineCheck) {
        if let s = mallocs.removeValue(forKey: a) {
            if s != size { c.differ(line, "size", exim: String(size), replay: String(s)) } else { c.checked = true }
        } else {
            preTraceFrees += 1
        }
        nonpoolDelta -= size
        depth -= 1
    }

    // MARK: totals

    mutating func addPool(_ n: Int) {
        poolDelta += n
        if poolDelta > maxPoolDelta { maxPoolDelta = poolDelta }
    }

    mutating func checkPoolTotal(_ printed: Int, _ line: Int, _ L: inout LineageInfo, _ c: inout LineCheck) {
        poolCheck.check(printed: printed, line: line, delta: poolDelta, start: &L.p0, startLine: &L.p0Line, &c)
    }

    mutating func checkNonpoolTotal(_ printed: Int, _ line: Int, _ L: inout LineageInfo, _ c: inout LineCheck) {
        nonpoolCheck.check(printed: printed, line: line, delta: nonpoolDelta, start: &L.n0, startLine: &L.n0Line, &c)
    }

    // MARK: get (section 4)

    mutating func get(_ pool: inout PoolModel, key: Int, address a: UInt64, size: Int, malloc: PendingMalloc?,
                      line: Int, _ L: inout LineageInfo, _ c: inout LineCheck) {
        let rounded = EximArithmetic.round8(max(0, size))
        let isConfig = key == 2
        if !pool.touched, key >= 0 {
            pool.touched = true
            L.touched |= 1 << UInt16(key)
            if let m = malloc {
                // Closed blocks (section 19.4 item 2): a first block of order > 12.
                if let o = EximArithmetic.order(ofMallocSize: m.size), o > EximArithmetic.firstOrder, o <= 32,
                   rounded <= EximArithmetic.standardLength(order: o) {
                    var bytes = 0
                    for k in EximArithmetic.firstOrder..<o {
                        let b = ModelBlock(kind: .closed, start: 0, length: EximArithmetic.standardLength(order: k))
                        pool.chain.append(b)
                        pool.countNew(mlength: b.mlength)
                        bytes += b.mlength
                        EximArithmetic.bump(order: &pool.order, maxOrder: &pool.maxOrder)
                    }
                    pool.current = pool.chain.count - 1
                    pool.yieldLength = 0
                    let find = PreTraceFind(kind: .closed, blocks: o - EximArithmetic.firstOrder, bytes: bytes,
                                            order: pool.order, maxOrder: pool.maxOrder, line: line)
                    if L.finds[key] == nil { L.finds[key] = find }
                    c.infer(line, "pool \(key) held \(o - EximArithmetic.firstOrder) full block(s) (\(bytes) bytes) before the trace: its first --Malloc is order \(o)")
                }
            } else if !(isConfig && (a &- 16) % EximArithmetic.pageSize == 0) {
                // A floating block (section 19.4 item 1).
                var b = ModelBlock(kind: .floating, start: 0, length: EximArithmetic.standardLength(order: EximArithmetic.firstOrder))
                b.endLo = a &+ UInt64(truncatingIfNeeded: rounded)
                b.endHi = a &+ UInt64(truncatingIfNeeded: b.length)
                b.start = b.endHi &- UInt64(truncatingIfNeeded: b.length)
                pool.chain = [b]
                pool.current = 0
                pool.countNew(mlength: b.mlength)
                EximArithmetic.bump(order: &pool.order, maxOrder: &pool.maxOrder)
                pool.nextYield = a &+ UInt64(truncatingIfNeeded: rounded)
                pool.yieldLength = 0
                if L.finds[key] == nil {
                    L.finds[key] = PreTraceFind(kind: .floating, blocks: 1, bytes: b.mlength, order: pool.order,
                                                maxOrder: pool.maxOrder, line: line)
                }
                c.infer(line, "pool \(key) held a block before the trace (first touch at \(hex(a)) with no --Malloc): one order-12 block assumed")
                return
            }
        }
        if let m = malloc {
            newBlockByMalloc(&pool, key: key, a: a, rounded: rounded, m: m, line: line, &L, &c)
            return
        }
        if pool.current >= 0, pool.currentIsFloating {
            if a == pool.nextYield {
                pool.chain[pool.current].endLo = max(pool.chain[pool.current].endLo, a &+ UInt64(truncatingIfNeeded: rounded))
                pool.nextYield = a &+ UInt64(truncatingIfNeeded: rounded)
                return
            }
        } else if pool.current >= 0, rounded <= pool.yieldLength {
            let shifted = pool.eximNext
            pool.eximNext = nil
            if a == pool.nextYield {
                c.checked = true
            } else if let e = shifted, a == e {
                // The difference before was real: carry on from Exim's address (reported once).
                resync(&pool, a)
                pool.nextYield = a
            } else {
                c.differ(line, "address", exim: hex(a), replay: hex(pool.nextYield))
                // Keep ours for a one-line blip; remember Exim's in case the shift is real.
                pool.eximNext = a &+ UInt64(truncatingIfNeeded: rounded)
                pool.nextYield = pool.nextYield &+ UInt64(truncatingIfNeeded: rounded)
                pool.yieldLength = max(0, pool.yieldLength - rounded)
                return
            }
            pool.nextYield = a &+ UInt64(truncatingIfNeeded: rounded)
            pool.yieldLength -= rounded
            if pool.yieldLength < 0 { pool.yieldLength = 0 }
            return
        }
        // No room: a kept next block, or (config pool) a new page-aligned block with no line.
        let need = max(EximArithmetic.standardLength(order: pool.order), rounded)
        if pool.current >= 0, pool.current + 1 < pool.chain.count {
            let next = pool.chain[pool.current + 1]
            if next.kind == .known, next.length >= need {
                if a != next.start { c.differ(line, "address", exim: hex(a), replay: hex(next.start)) } else { c.checked = true }
                pool.current += 1
                pool.nextYield = a &+ UInt64(truncatingIfNeeded: rounded)
                pool.yieldLength = max(0, next.length &- rounded &- Int(truncatingIfNeeded: a &- next.start))
                return
            }
        }
        if isConfig {
            if (a &- 16) % EximArithmetic.pageSize != 0 {
                c.differ(line, "address", exim: hex(a), replay: "a new page-aligned config block")
            } else {
                c.checked = true
            }
            let mlength = need + EximArithmetic.header
            addPool(mlength)
            nonpoolDelta -= mlength
            pool.countNew(mlength: mlength)
            EximArithmetic.bump(order: &pool.order, maxOrder: &pool.maxOrder)
            pool.link(.known(start: a, length: need))
            pool.nextYield = a &+ UInt64(truncatingIfNeeded: rounded)
            pool.yieldLength = need - rounded
            return
        }
        if pool.currentIsFloating {
            // The floating block had no room after all is impossible without a --Malloc:
            // Exim's address is not at the yield.
            c.differ(line, "address", exim: hex(a), replay: hex(pool.nextYield))
            pool.nextYield = a &+ UInt64(truncatingIfNeeded: rounded)
            return
        }
        c.differ(line, "sequence", exim: "Get without --Malloc", replay: pool.current < 0 ? "a first block" : "a new block (\(pool.yieldLength) bytes left)")
        // Carry on as Exim must have: a new standard block whose --Malloc line is missing.
        let mlength = need + EximArithmetic.header
        addPool(mlength)
        nonpoolDelta += EximArithmetic.mallocPrefix
        if nonpoolDelta > maxNonpoolDelta { maxNonpoolDelta = nonpoolDelta }
        pool.countNew(mlength: mlength)
        EximArithmetic.bump(order: &pool.order, maxOrder: &pool.maxOrder)
        pool.link(.known(start: a, length: need))
        pool.nextYield = a &+ UInt64(truncatingIfNeeded: rounded)
        pool.yieldLength = need - rounded
    }

    /// After a wrong address: carry on from Exim's.
    func resync(_ pool: inout PoolModel, _ a: UInt64) {
        guard pool.current >= 0 else { return }
        let b = pool.chain[pool.current]
        if b.kind == .known, a >= b.start, a <= b.end {
            pool.yieldLength = Int(truncatingIfNeeded: b.end &- a)
        }
    }

    mutating func newBlockByMalloc(_ pool: inout PoolModel, key: Int, a: UInt64, rounded: Int, m: PendingMalloc,
                                   line: Int, _ L: inout LineageInfo, _ c: inout LineCheck) {
        let need = max(EximArithmetic.standardLength(order: pool.order), rounded)
        // Section 4 step 4.1: a kept next block too small for the request is discarded first.
        if pool.current >= 0, pool.current + 1 < pool.chain.count {
            let next = pool.chain[pool.current + 1]
            if next.kind == .known, next.length >= need {
                c.differ(line, "sequence", exim: "a new block", replay: "reuse of the kept block \(hex(next.start))")
            } else {
                pool.chain.remove(at: pool.current + 1)
                pool.nblocks -= 1
                let header = next.start &- 16
                if let i = pendingFrees.firstIndex(where: { $0.header == header }) {
                    let f = pendingFrees.remove(at: i)
                    if f.size != next.mlength + 8 { c.differ(f.line, "size", exim: String(f.size), replay: String(next.mlength + 8)) }
                    nonpoolDelta -= f.size
                } else {
                    c.differ(line, "sequence", exim: "no ----Free", replay: "----Free of the too-small kept block \(hex(header))")
                    nonpoolDelta -= next.mlength + 8
                }
            }
        }
        if pool.current >= 0 {
            if pool.currentIsFloating {
                let b = pool.chain[pool.current]
                let limit = pool.nextYield &+ UInt64(truncatingIfNeeded: rounded)
                if limit > b.endLo { pool.chain[pool.current].endHi = min(b.endHi, limit &- 8) }
            } else if rounded <= pool.yieldLength {
                c.differ(line, "sequence", exim: "a new block", replay: "room in the current block (\(pool.yieldLength) bytes)")
            }
        }
        // (A garbled --Malloc size smaller than a block header still gives a block of 0 bytes.)
        let mlength = max(EximArithmetic.header, m.size - EximArithmetic.mallocPrefix)
        let length = mlength - EximArithmetic.header
        if length != need {
            c.differ(m.line, "size", exim: String(m.size), replay: String(need + EximArithmetic.header + EximArithmetic.mallocPrefix))
        } else {
            c.checked = true
        }
        addPool(mlength)
        nonpoolDelta += EximArithmetic.mallocPrefix
        if nonpoolDelta > maxNonpoolDelta { maxNonpoolDelta = nonpoolDelta }
        pool.countNew(mlength: mlength)
        EximArithmetic.bump(order: &pool.order, maxOrder: &pool.maxOrder)
        pool.link(.known(start: a, length: length))
        pool.nextYield = a &+ UInt64(truncatingIfNeeded: rounded)
        pool.yieldLength = length - rounded
        checkPoolTotal(m.poolTotal, m.line, &L, &c)
        checkNonpoolTotal(m.nonpoolTotal, m.line, &L, &c)
    }

    // MARK: reset (section 6.3)

    mutating func reset(_ pool: inout PoolModel, key: Int, ptr: UInt64, printed: Int, total: Int, line: Int,
                        _ L: inout LineageInfo, _ c: inout LineCheck) {
        if pool.current < 0 {
            guard !pool.touched else {
                c.differ(line, "sequence", exim: "Rst", replay: "nothing (pool \(key) has no block)")
                checkPoolTotal(total, line, &L, &c)
                return
            }
            // First touch by a reset: a pre-trace mark in a floating block.
            firstTouchFloating(&pool, key: key, at: ptr, line: line, &L, &c, how: "its first record is a reset into it")
            flushFreesAsDifferences(&c)
            checkPoolTotal(total, line, &L, &c)
            return
        }
        // A reset pointer is a mark's cookie or watermark: always 8-aligned.
        guard ptr % 8 == 0 else {
            c.problem(line, "a reset to \(hex(ptr)), which no mark can have made (not 8-aligned); skipped")
            flushFreesAsDifferences(&c)
            return
        }
        guard let bi = pool.locate(ptr, inclusiveEnd: true) else {
            c.differ(line, "address", exim: hex(ptr), replay: "in no block of pool \(key)")
            flushFreesAsDifferences(&c)
            checkPoolTotal(total, line, &L, &c)
            return
        }
        let oldCurrent = pool.current
        let oldNext = pool.nextYield
        let oldYL = pool.yieldLength
        let oldFloating = pool.currentIsFloating
        let b = pool.chain[bi]
        let newNext = (ptr &+ 7) & ~7
        // count = new yield_length − old yield_length, with an unknown end where a floating block is involved.
        var count: Int?
        var solveEnd = false
        if b.kind == .floating {
            if bi == oldCurrent { count = Int(Int64(bitPattern: oldNext &- newNext)) } else { solveEnd = true }
        } else {
            let yl = Int(truncatingIfNeeded: b.end &- newNext)
            if oldFloating { count = nil } else { count = yl &- oldYL }
        }
        var yl = b.kind == .known ? Int(truncatingIfNeeded: b.end &- newNext) : 0
        // Keep-one rule (section 6.3 step 7).
        var cut = bi
        if b.kind == .known, yl < EximArithmetic.keepOneLimit, bi + 1 < pool.chain.count {
            let n = pool.chain[bi + 1]
            let x = n.length + EximArithmetic.header
            if n.kind == .known, x > 0, x & (x - 1) == 0 { cut = bi + 1 }
        }
        let before = poolDelta
        if cut + 1 < pool.chain.count {
            for blk in pool.chain[(cut + 1)...] {
                let ml = blk.mlength
                pool.nbytes -= ml
                poolDelta -= ml
                pool.nblocks -= 1
                if key != 2 {
                    let header = blk.start &- 16
                    if let i = pendingFrees.firstIndex(where: { $0.header == header }) {
                        let f = pendingFrees.remove(at: i)
                        if f.size != ml + 8 { c.differ(f.line, "size", exim: String(f.size), replay: String(ml + 8)) }
                        nonpoolDelta -= f.size
                    } else if blk.kind != .known, !pendingFrees.isEmpty {
                        let f = pendingFrees.removeFirst()
                        nonpoolDelta -= f.size
                    } else {
                        c.differ(line, "sequence", exim: "no ----Free", replay: "----Free of \(hex(header))")
                        nonpoolDelta -= ml + 8
                    }
                }
                if pool.order > EximArithmetic.orderFloor { pool.order -= 1 }
            }
            if key != 2 { pool.chain.removeSubrange((cut + 1)...) }
        }
        flushFreesAsDifferences(&c)
        let freed = before - poolDelta
        if solveEnd {
            // Section 19.4 item 1: a reset from a later block back into a floating one pins its end.
            let end = Int64(printed &- freed &+ oldYL) &+ Int64(bitPattern: newNext)
            var fb = b
            if end >= Int64(bitPattern: b.endLo &- 8), end <= Int64(bitPattern: b.endHi &+ 8), end % 8 == 0 {
                fb.kind = .known
                fb.start = UInt64(bitPattern: end) &- UInt64(truncatingIfNeeded: fb.length)
                pool.chain[bi] = fb
                yl = Int(truncatingIfNeeded: fb.end &- newNext)
                c.infer(line, "the end of pool \(key)'s pre-trace block is \(hex(UInt64(bitPattern: end))), pinned by this reset's byte count")
            } else {
                c.differ(line, "bytes", exim: String(printed), replay: "a pre-trace block end in \(hex(b.endLo))…\(hex(b.endHi))", inferred: true)
            }
        } else if let count {
            let ours = count &+ freed
            if ours == printed { c.checked = true } else { c.differ(line, "bytes", exim: String(printed), replay: String(ours)) }
        }
        pool.current = bi
        pool.nextYield = newNext
        pool.yieldLength = yl - yl % 8
        checkPoolTotal(total, line, &L, &c)
    }

    mutating func flushFreesAsDifferences(_ c: inout LineCheck) {
        for f in pendingFrees {
            c.differ(f.line, "sequence", exim: "----Free of pool block \(hex(f.header))", replay: "the block stays")
            nonpoolDelta -= f.size
        }
        pendingFrees.removeAll()
    }

    // MARK: release above, extend, release block (section 7)

    /// Index of the quoted pool whose current block (or, with `anyBlock`, any block) holds `a`.
    func quotedIndex(holding a: UInt64, anyBlock: Bool) -> Int? {
        for (i, q) in quoted.enumerated() where q.pool.current >= 0 && q.pool.chain[q.pool.current].contains(a, inclusiveEnd: false) { return i }
        guard anyBlock else { return nil }
        for (i, q) in quoted.enumerated() where q.pool.locate(a, inclusiveEnd: false) != nil { return i }
        return nil
    }

    mutating func releaseAbove(_ tp: TracePool, _ a: UInt64, _ printed: Int, _ total: Int, _ line: Int,
                               _ L: inout LineageInfo, _ c: inout LineCheck) {
        if case .paired(let p) = tp, p >= 0, p < 10 {
            var pool = PoolModel()
            swap(&pool, &pools[p])
            releaseAbove(&pool, key: p, a, printed, line, &L, &c)
            swap(&pool, &pools[p])
        } else if let i = quotedIndex(holding: a, anyBlock: false) {
            var pool = PoolModel()
            swap(&pool, &quoted[i].pool)
            releaseAbove(&pool, key: -1, a, printed, line, &L, &c)
            swap(&pool, &quoted[i].pool)
        } else {
            c.differ(line, "pool", exim: "Rel in a quoted pool", replay: "no quoted pool's current block holds \(hex(a))")
        }
        checkPoolTotal(total, line, &L, &c)
    }

    mutating func releaseAbove(_ pool: inout PoolModel, key: Int, _ a: UInt64, _ printed: Int, _ line: Int,
                               _ L: inout LineageInfo, _ c: inout LineCheck) {
        if pool.current < 0, !pool.touched, key >= 0 {
            firstTouchFloating(&pool, key: key, at: a, line: line, &L, &c)
            return
        }
        guard pool.current >= 0, pool.chain[pool.current].contains(a, inclusiveEnd: false) else {
            c.differ(line, "address", exim: hex(a), replay: "not in pool \(key)'s current block")
            return
        }
        let newNext = (a &+ 7) & ~7
        if pool.currentIsFloating {
            let count = Int(Int64(bitPattern: pool.nextYield &- newNext))
            if count == printed { c.checked = true } else { c.differ(line, "bytes", exim: String(printed), replay: String(count)) }
            pool.chain[pool.current].endLo = max(pool.chain[pool.current].endLo, newNext)
        } else {
            let yl = Int(truncatingIfNeeded: pool.chain[pool.current].end &- newNext)
            let count = yl &- pool.yieldLength
            if count == printed { c.checked = true } else { c.differ(line, "bytes", exim: String(printed), replay: String(count)) }
            pool.yieldLength = yl
        }
        pool.nextYield = newNext
    }

    /// A pool first touched by an extend, release or reset: a floating block around `a`;
    /// `how` names the first touch in the inference (default: its address).
    mutating func firstTouchFloating(_ pool: inout PoolModel, key: Int, at a: UInt64, line: Int,
                                     _ L: inout LineageInfo, _ c: inout LineCheck, how: String? = nil) {
        pool.touched = true
        L.touched |= 1 << UInt16(key)
        var b = ModelBlock(kind: .floating, start: 0, length: EximArithmetic.standardLength(order: EximArithmetic.firstOrder))
        b.endLo = a
        b.endHi = a &+ UInt64(truncatingIfNeeded: b.length)
        pool.chain = [b]
        pool.current = 0
        pool.countNew(mlength: b.mlength)
        EximArithmetic.bump(order: &pool.order, maxOrder: &pool.maxOrder)
        pool.nextYield = (a &+ 7) & ~7
        if L.finds[key] == nil {
            L.finds[key] = PreTraceFind(kind: .floating, blocks: 1, bytes: b.mlength, order: pool.order, maxOrder: pool.maxOrder, line: line)
        }
        c.infer(line, "pool \(key) held a block before the trace (\(how ?? "first touch at \(hex(a))"))")
    }

    mutating func extend(_ tp: TracePool, _ a: UInt64, _ newSize: Int, _ line: Int,
                         _ L: inout LineageInfo, _ c: inout LineCheck) {
        if case .paired(let p) = tp, p >= 0, p < 10 {
            var pool = PoolModel()
            swap(&pool, &pools[p])
            extend(&pool, key: p, a, newSize, line, &L, &c)
            swap(&pool, &pools[p])
        } else if let i = quotedIndex(holding: a, anyBlock: true) {
            var pool = PoolModel()
            swap(&pool, &quoted[i].pool)
            extend(&pool, key: -1, a, newSize, line, &L, &c)
            swap(&pool, &quoted[i].pool)
        } else {
            c.differ(line, "pool", exim: "Ext in a quoted pool", replay: "no quoted pool holds \(hex(a))")
        }
    }

    mutating func extend(_ pool: inout PoolModel, key: Int, _ a: UInt64, _ newSize: Int, _ line: Int,
                         _ L: inout LineageInfo, _ c: inout LineCheck) {
        if pool.current < 0, !pool.touched, key >= 0 {
            firstTouchFloating(&pool, key: key, at: a, line: line, &L, &c)
            pool.nextYield = a &+ UInt64(truncatingIfNeeded: EximArithmetic.round8(newSize))
            pool.chain[0].endLo = pool.nextYield
            return
        }
        guard pool.current >= 0, pool.chain[pool.current].contains(a, inclusiveEnd: true), a <= pool.nextYield else {
            c.differ(line, "extend", exim: "in place at \(hex(a))", replay: "not the latest allocation of pool \(key)")
            return
        }
        let newNext = a &+ UInt64(truncatingIfNeeded: EximArithmetic.round8(max(0, newSize)))
        if pool.currentIsFloating {
            pool.chain[pool.current].endLo = max(pool.chain[pool.current].endLo, newNext)
        } else {
            let yl = pool.yieldLength - Int(Int64(bitPattern: newNext &- pool.nextYield))
            if yl < 0 {
                c.differ(line, "extend", exim: "in place", replay: "no room (\(pool.yieldLength) bytes left)")
                pool.yieldLength = 0
            } else {
                c.checked = true
                pool.yieldLength = yl
            }
        }
        pool.nextYield = newNext
    }

    mutating func releaseBlock(_ h: UInt64, _ total: Int, _ line: Int, _ L: inout LineageInfo, _ c: inout LineCheck) {
        let start = h &+ UInt64(truncatingIfNeeded: EximArithmetic.header)
        func unlink(_ pool: inout PoolModel) -> Int? {
            guard let k = pool.chain.firstIndex(where: { $0.kind == .known && $0.start == start }), k > 0 else { return nil }
            let ml = pool.chain[k].mlength
            pool.chain.remove(at: k)
            if k <= pool.current { pool.current -= 1 }
            pool.nbytes -= ml
            pool.nblocks -= 1
            return ml
        }
        var ml: Int?
        for p in 0..<10 where ml == nil { ml = unlink(&pools[p]) }
        for i in quoted.indices where ml == nil { ml = unlink(&quoted[i].pool) }
        guard let ml else {
            c.differ(line, "release", exim: "block \(hex(h)) released", replay: "no such non-first block")
            checkPoolTotal(total, line, &L, &c)
            return
        }
        poolDelta -= ml
        expectFree = (h, ml + 8)
        checkPoolTotal(total, line, &L, &c)
    }
}

/// The non-pool block counter's staircase (`if (n++ > max) max = n`) as a function of the
/// unknown start values (section 19.6): `table[μ + 1]` is `max − n0` at the end for a start
/// with `max0 − n0 = μ`, which does not depend on n0.
struct NonpoolStaircase: Sendable {
    static let span = 130
    var table: [Int32] = (0..<NonpoolStaircase.span).map { Int32($0 - 1) }

    mutating func malloc(depth: Int) {
        let d = Int32(clamping: depth)
        // Not monotone in μ, so every entry is stepped (130 compares a store_malloc).
        for j in table.indices where table[j] < d { table[j] = d + 1 }
    }

    /// `max_nonpool_blocks` at the end for start values (n0, max0), nil outside the table.
    func maxBlocks(n0: Int, max0: Int) -> Int? {
        let mu = max0 - n0
        guard mu >= -1, mu + 1 < table.count else { return nil }
        return n0 + Int(table[mu + 1])
    }
}

/// A process's model in the replay's table: a box, so reading one field of a process does
/// not copy its whole state (a hypothesis clone copies the boxes).
final class ProcessBox {
    @exclusivity(unchecked) var m: ProcessModel
    init(_ m: ProcessModel) { self.m = m }
}
