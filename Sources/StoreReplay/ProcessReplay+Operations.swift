@_spi(Replay) import Store
import EximTrace

/// Applying one Exim memory operation to the process's store: untraced when it cannot
/// touch a block (the figures are known), traced otherwise (the store prints Exim's lines).
extension ProcessReplay {
    // MARK: running store operations

    /// Runs `body` against the store with Exim's call site and returns the lines the store printed.
    func run(_ site: TraceCallSite?, _ line: Int, _ body: () throws(StoreError) -> Void) -> [TraceEvent] {
        applyUnappliedFrees()
        capture.lines.removeAll(keepingCapacity: true)
        backing.traceSink = sink
        backing.callSiteOverride = site.map { ($0.function, $0.line) }
        do { try body() } catch { problem(line, "the replay's store refused the operation: \(error)") }
        backing.callSiteOverride = nil
        backing.traceSink = nil
        var out: [TraceEvent] = []
        out.reserveCapacity(capture.lines.count)
        for l in capture.lines {
            let e = lineParser.parse(line: l).event
            if let t = e.poolTotal { ourPoolTotal = t }
            if case .malloc(_, _, _, _, let n) = e { ourNonpool = n }
            if case .free(_, let size, _) = e { ourNonpool -= size }
            out.append(e)
        }
        capture.lines.removeAll(keepingCapacity: true)
        // A new config block changes the total without a line.
        if backing.currentPool == .config || out.isEmpty { refreshTotals() }
        return out
    }

    /// Reads the store's running totals (where they moved without a printed figure).
    func refreshTotals() {
        let s = backing.statistics()
        ourPoolTotal = s.poolMalloc
        ourNonpool = s.nonpoolMalloc
    }

    /// Sets the store's non-pool counters (and the followed total).
    func seedNonpool(malloc: Int, maxMalloc: Int, blocks: Int, maxBlocks: Int) {
        backing.seedNonpoolCounters(malloc: malloc, maxMalloc: maxMalloc, blocks: blocks, maxBlocks: maxBlocks)
        ourNonpool = malloc
    }

    /// Runs `body` untraced (it cannot touch any block): no lines, no figures to follow.
    func runQuiet(_ line: Int, _ body: () throws(StoreError) -> Void) -> Bool {
        do { try body(); return true } catch {
            problem(line, "the replay's store refused the operation: \(error)")
            return false
        }
    }

    /// The bytes left in pool `index`'s current block (-1 before its first block).
    func room(_ index: Int) -> Int {
        guard let id = PoolID(index: index) else { return -1 }
        return backing.cursor(of: id).yieldLength
    }

    func cursor(of owner: PoolOwner) -> (nextYield: UnsafeMutableRawPointer?, yieldLength: Int) {
        switch owner {
        case .paired(let id): return backing.cursor(of: id)
        case .quoted(let q): return backing.cursor(ofQuoter: q) ?? (nil, -1)
        }
    }

    static func kind(_ index: Int) -> PoolKind { PoolKind(rawValue: index % 5) ?? .main }

    func executeGet(_ r: TraceRecord) {
        guard case .get(.paired(let p), _, let size, let site) = r.event, p < 10 else {
            problem(r.line, "a get from pool \(r.event) that Exim cannot have")
            return
        }
        backing.currentPool = Self.kind(p)
        if pendingMalloc == nil, pendingBlockFrees.isEmpty, size >= 0, size < Store.maxRequest, (size + 7) & ~7 <= room(p) {
            var q: UnsafeMutableRawPointer?
            guard runQuiet(r.line, { () throws(StoreError) in q = try backing.get(size, p >= 5 ? .tainted : .untainted) }), let q else { return }
            let e = TraceEvent.get(pool: .paired(p), address: UInt64(UInt(bitPattern: q)), size: size, site: site)
            compare(OurLine(event: e, poolBlock: false, seedEpoch: seedShifts.count), r)
            return
        }
        let malloc = pendingMalloc
        pendingMalloc = nil
        let ours = run(site, r.line) { () throws(StoreError) in _ = try backing.get(size, p >= 5 ? .tainted : .untainted) }
        var exim = pendingBlockFrees
        pendingBlockFrees = []
        let storeMallocAfter: TraceRecord?
        if let m = malloc, ours.contains(where: { $0.kind == .malloc }) {
            exim.append(m)
            storeMallocAfter = nil
        } else {
            storeMallocAfter = malloc
        }
        exim.append(r)
        compareSequence(ours.map { OurLine(event: $0, poolBlock: true, seedEpoch: seedShifts.count) }, exim)
        if let m = storeMallocAfter { executeStoreMalloc(m) }
    }

    func executeQuoted() {
        let held = heldQuoted
        heldQuoted = []
        guard case .quotedBlock(let q, let site)? = held.first?.event,
              case .get(.quoted, _, let size, _)? = held.last?.event else { return }
        let ours = run(site, held[0].line) { () throws(StoreError) in _ = try backing.getQuoted(size, like: .tainted, quoterID: q) }
        compareSequence(ours.map { OurLine(event: $0, poolBlock: true, seedEpoch: seedShifts.count) }, held)
    }

    func executeMark(_ r: TraceRecord) {
        guard case .mark(let p, let site, _) = r.event, p < 5 else {
            problem(r.line, "a mark in pool \(r.event.markPool ?? -1), which Exim refuses")
            return
        }
        backing.currentPool = Self.kind(p)
        if room(p) >= 8, room(p + 5) >= 0 {
            let total = ourPoolTotal
            var mark: Store.Mark?
            guard runQuiet(r.line, { () throws(StoreError) in mark = try backing.mark() }), let m = mark else { return }
            let epoch = seedShifts.count
            compare(OurLine(event: .mark(pool: p, site: site, poolTotal: total), poolBlock: false, seedEpoch: epoch), r)
            let w = m.cookie.load(as: UInt.self)
            queue.append(OurLine(event: .get(pool: .paired(p), address: UInt64(UInt(bitPattern: m.cookie)), size: 8, site: site),
                                 poolBlock: false, seedEpoch: epoch))
            queue.append(OurLine(event: .get(pool: .paired(p + 5), address: UInt64(w), size: 0, site: site),
                                 poolBlock: false, seedEpoch: epoch))
            return
        }
        let ours = run(site, r.line) { () throws(StoreError) in _ = try backing.mark() }
        guard let first = ours.first, first.kind == .mark else {
            mismatch(r, "sequence", exim: "Mrk", replay: ours.first.map { "\($0.kind)" } ?? "nothing")
            return
        }
        let epoch = seedShifts.count
        compare(OurLine(event: first, poolBlock: false, seedEpoch: epoch), r)
        for e in ours.dropFirst() { queue.append(OurLine(event: e, poolBlock: true, seedEpoch: epoch)) }
    }

    func executeReset(tainted: TraceRecord?, untainted u: TraceRecord) {
        guard case .reset(let p, let ua, _, let site, _) = u.event, p < 5 else { return }
        guard let ua, let cookieAddr = blocks.ours(forAddress: ua, key: p, inclusiveEnd: true),
              let cookie = UnsafeMutableRawPointer(bitPattern: cookieAddr) else {
            problem(u.line, "reset to an unknown address in pool \(p); skipped")
            dropResetFrees()
            return
        }
        // A mark's cookie comes from a get, so it is 8-aligned; anything else is garbage.
        guard cookieAddr % 8 == 0 else {
            problem(u.line, "reset to an address that no mark can have made (not 8-aligned); skipped")
            dropResetFrees()
            return
        }
        if let t = tainted, case .reset(let tp, let ta, _, _, _) = t.event {
            guard let ta, let w = blocks.ours(forAddress: ta, key: tp, inclusiveEnd: true) else {
                problem(t.line, "reset to an unknown address in pool \(tp); skipped")
                dropResetFrees()
                return
            }
            // Exim reads the tainted watermark from the cookie; put Exim's there.
            guard let loc = backing.blockLocation(containing: cookie), cookieAddr + 8 <= loc.dataEnd else {
                problem(u.line, "reset cookie is not inside a block; skipped")
                dropResetFrees()
                return
            }
            cookie.storeBytes(of: w, as: UInt.self)
        }
        backing.currentPool = Self.kind(p)
        let ours = run(site, u.line) { () throws(StoreError) in try backing.reset(to: Store.Mark(cookie: cookie)) }
        var exim = pendingBlockFrees
        if let t = tainted { exim.append(t) }
        exim += freesAfterHeldReset
        exim.append(u)
        pendingBlockFrees = []
        freesAfterHeldReset = []
        compareSequence(ours.map { OurLine(event: $0, poolBlock: true, seedEpoch: seedShifts.count) }, exim)
    }

    func dropResetFrees() {
        pendingBlockFrees = []
        freesAfterHeldReset = []
    }

    func executeReleaseAbove(_ r: TraceRecord) {
        guard case .releaseAbove(let pool, let a, _, let site, _) = r.event, let a else { return }
        let key = pool.pairedIndex
        guard let ours = blocks.ours(forAddress: a, key: key, quoted: key == nil, inclusiveEnd: false),
              let p = UnsafeRawPointer(bitPattern: ours) else {
            problem(r.line, "release above an unknown address in pool \(pool); skipped")
            return
        }
        if let loc = backing.blockLocation(containing: p), loc.isCurrent {
            let before = cursor(of: loc.owner).yieldLength
            _ = backing.releaseAbove(p)
            let count = cursor(of: loc.owner).yieldLength - before
            let tag: TracePool
            switch loc.owner {
            case .paired(let id): tag = .paired(id.index)
            case .quoted: tag = pool   // Exim's Q number is not meaningful; keep it
            }
            let e = TraceEvent.releaseAbove(pool: tag, address: UInt64(ours), bytes: count, site: site, poolTotal: ourPoolTotal)
            compare(OurLine(event: e, poolBlock: false, seedEpoch: seedShifts.count), r)
            return
        }
        let out = run(site, r.line) { () throws(StoreError) in backing.releaseAbove(p) }
        compareSequence(out.map { OurLine(event: $0, poolBlock: false, seedEpoch: seedShifts.count) }, [r])
    }

    func executeExtend(_ r: TraceRecord) {
        guard case .extend(let pool, let a, let newSize, _) = r.event, let a else { return }
        let key = pool.pairedIndex
        guard let ours = blocks.ours(forAddress: a, key: key, quoted: key == nil, inclusiveEnd: false),
              let p = UnsafeMutableRawPointer(bitPattern: ours), let loc = backing.blockLocation(containing: p) else {
            problem(r.line, "extend of an unknown address in pool \(pool); skipped")
            return
        }
        // Exim's extend succeeded, so the old size rounded up reaches the pool's next yield.
        guard let next = cursor(of: loc.owner).nextYield, next >= p else {
            mismatch(r, "extend", exim: "in place", replay: "not the latest allocation")
            return
        }
        let rOld = next - p
        let old = min(rOld, newSize)
        var extended = false
        guard runQuiet(r.line, { () throws(StoreError) in extended = try backing.extend(p, from: old, to: newSize) }) else { return }
        if !extended {
            mismatch(r, "extend", exim: "in place", replay: "no room")
        }
    }

    func executeReleaseBlock(_ r: TraceRecord) {
        guard case .releaseBlock(let h, let site, _) = r.event, let h,
              let ours = blocks.ours(forExim: h &+ 16), let p = UnsafeRawPointer(bitPattern: ours) else {
            problem(r.line, "release of an unknown block; skipped")
            return
        }
        var released = false
        let out = run(site, r.line) { () throws(StoreError) in released = backing.releaseBlock(startingAt: p) }
        guard released, let first = out.first else {
            mismatch(r, "release", exim: "block released", replay: "not released")
            return
        }
        let epoch = seedShifts.count
        compare(OurLine(event: first, poolBlock: true, seedEpoch: epoch), r)
        for e in out.dropFirst() { queue.append(OurLine(event: e, poolBlock: true, seedEpoch: epoch)) }
    }

    func executeStoreMalloc(_ r: TraceRecord) {
        guard case .malloc(_, let size, let site, _, _) = r.event else { return }
        // Exim prints request + 8 (at least 16); the request is what is left.
        let request = max(0, size - 8)
        // Untraced: a store_malloc touches no block, and its figures are known here.
        applyUnappliedFrees()
        var p: UnsafeMutableRawPointer?
        guard runQuiet(r.line, { () throws(StoreError) in p = try backing.malloc(request) }), let p else { return }
        let ourSize = max(request + 8, 16)
        ourNonpool += ourSize
        count7.malloc()
        count9.malloc()
        if case .malloc(let ea?, _, _, _, _) = r.event { mallocSizes[ea] = ourSize }
        let e = TraceEvent.malloc(address: UInt64(UInt(bitPattern: p)), size: ourSize, site: site,
                                  poolTotal: ourPoolTotal, nonpoolTotal: ourNonpool)
        compare(OurLine(event: e, poolBlock: false, seedEpoch: seedShifts.count), r)
    }

    func executeStoreFree(_ r: TraceRecord) {
        guard case .free(let a, let size, let site) = r.event else { return }
        count7.free()
        count9.free()
        if let a, let p = mallocs.removeValue(forKey: a) {
            let ourSize = mallocSizes.removeValue(forKey: a) ?? size
            backing.free(p)
            ourNonpool -= ourSize
            compare(OurLine(event: .free(address: UInt64(UInt(bitPattern: p)), size: ourSize, site: site),
                            poolBlock: false, seedEpoch: seedShifts.count), r)
            return
        }
        // Memory malloc'd before the trace began: only the counters move (applied before
        // the store next prints or is read, so a run of such frees costs one read).
        unappliedFrees.bytes += size
        unappliedFrees.blocks += 1
        inferences.append(ReplayInference(line: r.line, message: "free of \(size) bytes malloc'd before the trace"))
    }

    /// Applies the counter changes of frees of pre-trace memory.
    func applyUnappliedFrees() {
        guard unappliedFrees.blocks > 0 else { return }
        let s = backing.statistics()
        ourPoolTotal = s.poolMalloc
        seedNonpool(malloc: s.nonpoolMalloc - unappliedFrees.bytes, maxMalloc: s.maxNonpoolMalloc,
                                    blocks: s.nonpoolBlocks - unappliedFrees.blocks, maxBlocks: s.maxNonpoolBlocks)
        unappliedFrees = (0, 0)
    }
}
