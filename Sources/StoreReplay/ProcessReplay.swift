import Store
import EximTrace

/// Collects the Store's own trace lines during one replayed operation.
final class LineCapture {
    @exclusivity(unchecked) var lines: [String] = []
}

/// A line the replay's store printed, parsed, waiting to be matched with Exim's.
struct OurLine {
    var event: TraceEvent
    /// True for `--Malloc`/`----Free` of a pool block (not a `store_malloc`).
    var poolBlock: Bool
    /// How many pre-trace blocks had been seeded when the store printed it.
    var seedEpoch: Int
}

/// The quirky non-pool block counter (`if (n++ > max) max = n`), run from one start value.
struct NonpoolBlockCount {
    var blocks: Int
    var maxBlocks: Int
    mutating func malloc() {
        let old = blocks
        blocks += 1
        if old > maxBlocks { maxBlocks = blocks }
    }
    mutating func free() { blocks -= 1 }
}

/// One Exim process replayed into its own `Store`: every memory record of the process
/// is applied to the store, and the lines the store prints (in Exim's format) are
/// compared, figure by figure, with Exim's. Addresses are translated block by block.
public final class ProcessReplay {
    /// The process id (nil while unknown: a forked child without `+pid` until its parent names it).
    public internal(set) var pid: Int?
    /// The process's purpose (`fresh-exec`, or the fork purpose such as `delivery-local`).
    public internal(set) var purpose: String
    /// The pid of the process this one was forked from.
    public internal(set) var parentPid: Int?
    /// The store the process's records are replayed into (a forked child's is brought
    /// to its parent's state at the fork when first used).
    public var store: Store {
        ensureForked()
        return backing
    }
    private let backing: Store
    /// A forked child not yet brought to its parent's state: the parent and how many of
    /// its history records came before the fork. An exec'd child never needs it.
    private var forkSource: (parent: ProcessReplay, count: Int)?
    /// Whether a `terminating` line was seen.
    public internal(set) var isTerminated = false
    /// The exit code from the `terminating` line.
    public internal(set) var exitCode: Int?
    /// The `----Exit` lines compared (empty if the process printed none).
    public internal(set) var exitComparisons: [ExitLineComparison] = []
    /// What was assumed for this process (section 18 inferences).
    public internal(set) var inferences: [ReplayInference] = []
    /// Memory records applied.
    @exclusivity(unchecked) public internal(set) var memoryRecords = 0
    /// The line number of the last record applied to this process.
    @exclusivity(unchecked) public internal(set) var lastLine = 0

    weak var parent: ProcessReplay?
    /// Processes of one exec'd process and its forked children share a family number
    /// (for attributing unprefixed lines); set when the replay registers the process.
    var family = 0
    let recorder: ReplayRecorder
    /// True while a forked child replays its parent's history (no findings reported).
    var silent = false
    /// Records that make up this process's state (memory records and argument lines), for forks.
    @exclusivity(unchecked) var history: [TraceRecord] = []
    /// Whether the process started with Exim's pre-trace state (a version line).
    let seededAtStart: Bool

    private let capture = LineCapture()
    /// The store's trace sink, set only while an operation that may touch blocks runs.
    private var sink: ((String) -> Void)?
    /// The store's `pool_malloc`, followed from the figures it prints (and refreshed from
    /// `statistics()` where it moves without a line), for lines replayed untraced.
    @exclusivity(unchecked) private var ourPoolTotal = 0
    /// The store's `nonpool_malloc`, followed the same way (for `store_malloc`/`store_free`
    /// replayed untraced).
    @exclusivity(unchecked) private var ourNonpool = 0
    /// Sizes the store recorded for live `store_malloc` blocks, by Exim's address.
    @exclusivity(unchecked) private var mallocSizes: [UInt64: Int] = [:]
    @exclusivity(unchecked) private var lineParser = TraceParser(prefixes: TracePrefixes(pid: false, timestamp: false), followSelector: false)
    @exclusivity(unchecked) private var queue: [OurLine] = []
    @exclusivity(unchecked) private var queueHead = 0
    @exclusivity(unchecked) private var pendingMalloc: TraceRecord?
    @exclusivity(unchecked) private var pendingBlockFrees: [TraceRecord] = []
    @exclusivity(unchecked) private var heldTaintedReset: TraceRecord?
    @exclusivity(unchecked) private var freesAfterHeldReset: [TraceRecord] = []
    @exclusivity(unchecked) private var heldQuoted: [TraceRecord] = []
    @exclusivity(unchecked) private var blocks = BlockMap()
    @exclusivity(unchecked) private var mallocs: [UInt64: UnsafeMutableRawPointer] = [:]
    private var poolTotalAdjust = 0
    /// Frees of memory malloc'd before the trace, not yet taken off the store's counters.
    private var unappliedFrees: (bytes: Int, blocks: Int) = (0, 0)
    /// The adjustment before the last pool-total mismatch (to undo a one-line blip).
    @exclusivity(unchecked) private var previousPoolTotalAdjust: Int?
    /// The last correction of the non-pool total (to undo a one-line blip).
    @exclusivity(unchecked) private var lastNonpoolCorrection: Int?
    /// The block mapping before the last address mismatch: our block and Exim's old start.
    @exclusivity(unchecked) private var previousMapping: (UInt, UInt64)?
    /// Pool bytes added by each pre-trace block seeded after the trace began (lines the
    /// store printed before a seed lack them).
    @exclusivity(unchecked) private var seedShifts: [Int] = []
    private var sawPoolFigure = false
    private var sawNonpoolFigure = false
    private var inferredPools: Set<Int> = []
    private var messageIDArgument = false
    @exclusivity(unchecked) private var count7 = NonpoolBlockCount(blocks: ReplayConstants.startNonpoolBlocks, maxBlocks: ReplayConstants.startMaxNonpoolBlocks)
    @exclusivity(unchecked) private var count9 = NonpoolBlockCount(blocks: ReplayConstants.startNonpoolBlocksAfterMessageID,
                                           maxBlocks: ReplayConstants.startMaxNonpoolBlocksAfterMessageID)
    private var exitStats: StoreStatistics?
    /// Set when the exit block's lines are being read (the next non-exit record ends it).
    @exclusivity(unchecked) private var inExitBlock = false

    init(pid: Int?, purpose: String, seeded: Bool, recorder: ReplayRecorder) throws(StoreError) {
        self.pid = pid
        self.purpose = purpose
        self.recorder = recorder
        self.seededAtStart = seeded
        backing = try Store(options: Store.Options(slotSizeLog2: ReplayConstants.storeSlotSizeLog2))
        let cap = capture
        sink = { cap.lines.append($0) }
        if seeded { seedPreTraceState() }
        refreshTotals()
    }

    // MARK: inference at process start

    /// Exim's state when debug output begins: pool 5 holds 384 bytes, the non-pool
    /// block counters stand at 7 (high-water 8). Lines the store prints here are dropped.
    private func seedPreTraceState() {
        backing.currentPool = .main
        _ = try? backing.get(ReplayConstants.preTraceTaintedMainBytes, .tainted)
        inferredPools.insert(5)
        let s = backing.statistics()
        seedNonpool(malloc: s.nonpoolMalloc, maxMalloc: s.maxNonpoolMalloc,
                                  blocks: ReplayConstants.startNonpoolBlocks, maxBlocks: ReplayConstants.startMaxNonpoolBlocks)
        inferences.append(ReplayInference(line: 0, message: "pool 5 holds \(ReplayConstants.preTraceTaintedMainBytes) bytes from before the trace"))
        inferences.append(ReplayInference(line: 0, message: "non-pool blocks start at \(ReplayConstants.startNonpoolBlocks), high-water \(ReplayConstants.startMaxNonpoolBlocks)"))
    }

    /// A forked child: a fresh store brought to the parent's state at the fork by
    /// replaying the parent's history up to `historyCount` records, silently.
    func fork(historyCount: Int, pid: Int?, purpose: String) throws(StoreError) -> ProcessReplay {
        let child = try ProcessReplay(pid: pid, purpose: purpose, seeded: seededAtStart, recorder: recorder)
        child.parent = self
        child.parentPid = self.pid
        child.forkSource = (self, historyCount)
        child.family = family
        return child
    }

    /// Replays the parent's history up to the fork, silently (done on first use, so a
    /// child that execs at once costs nothing).
    private func ensureForked() {
        guard let (parent, count) = forkSource else { return }
        forkSource = nil
        parent.ensureForked()
        silent = true
        for r in parent.history.prefix(count) { apply(r) }
        finishPending()
        silent = false
        inferences = parent.inferences
        memoryRecords = 0
    }

    // MARK: records

    /// Applies one record of this process.
    func apply(_ r: TraceRecord) {
        ensureForked()
        lastLine = r.line
        switch r.event {
        case .exitNonpool, .exitNpools, .exitPool:
            exitLine(r)
            return
        case .noise(let text):
            // Exim's `  cwd=%s %d args: …` line lists the command line.
            if text.utf8.starts(with: "  cwd=".utf8) { argumentsLine(text, r) }
            return
        default:
            break
        }
        if inExitBlock { inExitBlock = false; exitStats = nil }
        guard r.event.isMemory else { return }
        history.append(r)
        memoryRecords += 1
        memory(r)
    }

    private func memory(_ r: TraceRecord) {
        // 1. Lines the store has printed and Exim has yet to show come first.
        while queueHead < queue.count {
            let head = queue[queueHead]
            if head.event.kind == r.kind {
                queueHead += 1
                compare(head, r)
                trimQueue()
                return
            }
            mismatch(r, "sequence", exim: "\(r.kind)", replay: "\(head.event.kind)")
            if r.kind == .malloc || r.kind == .free { return }   // Exim's extra line: skip it
            queueHead += 1                                       // the store's extra line: drop it
            trimQueue()
        }
        // 2. Records held until their operation is complete.
        if !heldQuoted.isEmpty {
            heldQuoted.append(r)
            if case .get(.quoted, _, _, _) = r.event { executeQuoted() }
            return
        }
        if let held = heldTaintedReset {
            if case .free = r.event { freesAfterHeldReset.append(r); return }
            if case .reset(let p, _, _, _, _) = r.event, case .reset(let t, _, _, _, _) = held.event, p == t - 5 {
                heldTaintedReset = nil
                executeReset(tainted: held, untainted: r)
                return
            }
            problem(held.line, "a reset of pool \(held.event.resetPool ?? 0) with no reset of its untainted pool after it")
            heldTaintedReset = nil
            pendingBlockFrees += freesAfterHeldReset
            freesAfterHeldReset = []
        }
        // 3. Drivers.
        switch r.event {
        case .malloc:
            flushPendingMalloc()
            pendingMalloc = r
        case .free(let a, _, _):
            if let a, blocks.ours(forExim: a &+ 16) != nil {
                pendingBlockFrees.append(r)
            } else {
                flushPendingMalloc()
                executeStoreFree(r)
            }
        case .get(.paired, _, _, _):
            executeGet(r)
        case .get(.quoted, _, _, _):
            problem(r.line, "a quoted get without its 'allocating quoted-block' line")
        case .quotedBlock:
            flushPendingMalloc()
            flushBlockFrees()
            heldQuoted = [r]
        case .mark:
            flushAll()
            executeMark(r)
        case .reset(let p, _, _, _, _):
            flushPendingMalloc()
            if p >= 5 {
                heldTaintedReset = r
                freesAfterHeldReset = []
            } else {
                executeReset(tainted: nil, untainted: r)
            }
        case .releaseAbove:
            flushAll()
            executeReleaseAbove(r)
        case .extend:
            flushAll()
            executeExtend(r)
        case .releaseBlock:
            flushAll()
            executeReleaseBlock(r)
        case .releaseMiss:
            // Exim changed nothing and printed no address: nothing to replay.
            flushAll()
        default:
            break
        }
    }

    /// Ends the trace for this process: anything still pending is applied or reported.
    func finishPending() {
        ensureForked()
        flushAll()
        if let held = heldTaintedReset {
            problem(held.line, "the trace ends inside a reset pair")
            heldTaintedReset = nil
        }
        if let first = heldQuoted.first {
            problem(first.line, "the trace ends inside a quoted get")
            heldQuoted = []
        }
        while queueHead < queue.count {
            let head = queue[queueHead]
            queueHead += 1
            mismatch(lastLine, "sequence", exim: "end of trace", replay: "\(head.event.kind)")
        }
        trimQueue()
    }

    private func trimQueue() {
        if queueHead >= queue.count { queue.removeAll(keepingCapacity: true); queueHead = 0 }
    }

    private func flushAll() {
        flushPendingMalloc()
        flushBlockFrees()
    }

    private func flushPendingMalloc() {
        if let m = pendingMalloc {
            pendingMalloc = nil
            executeStoreMalloc(m)
        }
    }

    private func flushBlockFrees() {
        for f in pendingBlockFrees {
            mismatch(f, "sequence", exim: "----Free of a pool block", replay: "no free")
        }
        pendingBlockFrees = []
    }

    // MARK: running store operations

    /// Runs `body` against the store with Exim's call site and returns the lines the store printed.
    private func run(_ site: TraceCallSite?, _ line: Int, _ body: () throws(StoreError) -> Void) -> [TraceEvent] {
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
    private func refreshTotals() {
        let s = backing.statistics()
        ourPoolTotal = s.poolMalloc
        ourNonpool = s.nonpoolMalloc
    }

    /// Sets the store's non-pool counters (and the followed total).
    private func seedNonpool(malloc: Int, maxMalloc: Int, blocks: Int, maxBlocks: Int) {
        backing.seedNonpoolCounters(malloc: malloc, maxMalloc: maxMalloc, blocks: blocks, maxBlocks: maxBlocks)
        ourNonpool = malloc
    }

    /// Runs `body` untraced (it cannot touch any block): no lines, no figures to follow.
    private func runQuiet(_ line: Int, _ body: () throws(StoreError) -> Void) -> Bool {
        do { try body(); return true } catch {
            problem(line, "the replay's store refused the operation: \(error)")
            return false
        }
    }

    /// The bytes left in pool `index`'s current block (-1 before its first block).
    private func room(_ index: Int) -> Int {
        guard let id = PoolID(index: index) else { return -1 }
        return backing.cursor(of: id).yieldLength
    }

    private func cursor(of owner: PoolOwner) -> (nextYield: UnsafeMutableRawPointer?, yieldLength: Int) {
        switch owner {
        case .paired(let id): return backing.cursor(of: id)
        case .quoted(let q): return backing.cursor(ofQuoter: q) ?? (nil, -1)
        }
    }

    private static func kind(_ index: Int) -> PoolKind { PoolKind(rawValue: index % 5) ?? .main }

    private func executeGet(_ r: TraceRecord) {
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

    private func executeQuoted() {
        let held = heldQuoted
        heldQuoted = []
        guard case .quotedBlock(let q, let site)? = held.first?.event,
              case .get(.quoted, _, let size, _)? = held.last?.event else { return }
        let ours = run(site, held[0].line) { () throws(StoreError) in _ = try backing.getQuoted(size, like: .tainted, quoterID: q) }
        compareSequence(ours.map { OurLine(event: $0, poolBlock: true, seedEpoch: seedShifts.count) }, held)
    }

    private func executeMark(_ r: TraceRecord) {
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

    private func executeReset(tainted: TraceRecord?, untainted u: TraceRecord) {
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

    private func dropResetFrees() {
        pendingBlockFrees = []
        freesAfterHeldReset = []
    }

    private func executeReleaseAbove(_ r: TraceRecord) {
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

    private func executeExtend(_ r: TraceRecord) {
        guard case .extend(let pool, let a, let newSize, let site) = r.event, let a else { return }
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

    private func executeReleaseBlock(_ r: TraceRecord) {
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

    private func executeStoreMalloc(_ r: TraceRecord) {
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

    private func executeStoreFree(_ r: TraceRecord) {
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
    private func applyUnappliedFrees() {
        guard unappliedFrees.blocks > 0 else { return }
        let s = backing.statistics()
        ourPoolTotal = s.poolMalloc
        seedNonpool(malloc: s.nonpoolMalloc - unappliedFrees.bytes, maxMalloc: s.maxNonpoolMalloc,
                                    blocks: s.nonpoolBlocks - unappliedFrees.blocks, maxBlocks: s.maxNonpoolBlocks)
        unappliedFrees = (0, 0)
    }

    // MARK: comparison

    /// Pairs the store's lines with Exim's in order; a line on one side only is a difference.
    private func compareSequence(_ ours: [OurLine], _ exim: [TraceRecord]) {
        var i = 0, j = 0
        while i < ours.count || j < exim.count {
            if i < ours.count, j < exim.count, ours[i].event.kind == exim[j].kind {
                compare(ours[i], exim[j])
                i += 1; j += 1
            } else if i < ours.count, ours[i].event.kind == .malloc || ours[i].event.kind == .free || j == exim.count {
                let at = j < exim.count ? exim[j].line : (exim.last?.line ?? 0)
                mismatch(at, "sequence", exim: j < exim.count ? "\(exim[j].kind)" : "nothing", replay: "\(ours[i].event.kind)")
                i += 1
            } else {
                mismatch(exim[j], "sequence", exim: "\(exim[j].kind)", replay: i < ours.count ? "\(ours[i].event.kind)" : "nothing")
                j += 1
            }
        }
    }

    /// Compares one of the store's lines with Exim's line of the same kind.
    private func compare(_ o: OurLine, _ r: TraceRecord) {
        switch (o.event, r.event) {
        case (.get(let op, let oa, let os, _), .get(let ep, let ea, let es, _)):
            if op != ep { mismatch(r, "pool", exim: "\(ep)", replay: "\(op)") }
            if os != es { mismatch(r, "size", exim: "\(es)", replay: "\(os)") }
            if let oa, let ea { checkGetAddress(ours: oa, exim: ea, r) }
        case (.extend(let op, _, let on, _), .extend(let ep, _, let en, _)):
            if (op.pairedIndex != nil || ep.pairedIndex != nil) && op != ep { mismatch(r, "pool", exim: "\(ep)", replay: "\(op)") }
            if on != en { mismatch(r, "size", exim: "\(en)", replay: "\(on)") }
        case (.releaseAbove(let op, _, let ob, _, let ot), .releaseAbove(let ep, _, let eb, _, let et)):
            if (op.pairedIndex != nil || ep.pairedIndex != nil) && op != ep { mismatch(r, "pool", exim: "\(ep)", replay: "\(op)") }
            if ob != eb { mismatch(r, "bytes", exim: "\(eb)", replay: "\(ob)") }
            checkPoolTotal(ot + missedShift(o), et, r)
        case (.reset(let op, _, let ob, _, let ot), .reset(let ep, _, let eb, _, let et)):
            if op != ep { mismatch(r, "pool", exim: "\(ep)", replay: "\(op)") }
            if ob != eb { mismatch(r, "bytes", exim: "\(eb)", replay: "\(ob)", inferred: inferredPools.contains(ep)) }
            checkPoolTotal(ot + missedShift(o), et, r)
        case (.mark(let op, _, let ot), .mark(let ep, _, let et)):
            if op != ep { mismatch(r, "pool", exim: "\(ep)", replay: "\(op)") }
            checkPoolTotal(ot + missedShift(o), et, r)
        case (.malloc(let oa, let os, _, let ot, let on), .malloc(let ea, let es, _, let et, let en)):
            if os != es { mismatch(r, "size", exim: "\(es)", replay: "\(os)") }
            checkPoolTotal(ot + missedShift(o), et, r)
            checkNonpoolTotal(on, en, r)
            if let oa, let ea {
                if o.poolBlock {
                    let ours = UInt(oa) &+ 16
                    if let p = UnsafeRawPointer(bitPattern: ours), let loc = backing.blockLocation(containing: p, inclusiveEnd: true) {
                        blocks.add(ours: loc.dataStart, exim: ea &+ 16, length: loc.length, key: key(of: loc.owner))
                    }
                } else if let p = UnsafeMutableRawPointer(bitPattern: UInt(oa)) {
                    mallocs[ea] = p
                }
            }
        case (.free(let oa, let os, _), .free(let ea, let es, _)):
            if os != es { mismatch(r, "size", exim: "\(es)", replay: "\(os)") }
            if o.poolBlock, let oa {
                let ours = UInt(oa) &+ 16
                if let e = blocks.exim(forOurs: ours), let ea, e != ea &+ 16 {
                    mismatch(r, "address", exim: hex(ea), replay: "block of Exim's \(hex(e &- 16))")
                }
                blocks.remove(ours: ours)
            }
        case (.releaseBlock(let oa, _, let ot), .releaseBlock(let ea, _, let et)):
            if let oa, let ea, let e = blocks.exim(forOurs: UInt(oa) &+ 16), e != ea &+ 16 {
                mismatch(r, "address", exim: hex(ea), replay: "block of Exim's \(hex(e &- 16))")
            }
            checkPoolTotal(ot + missedShift(o), et, r)
        case (.quotedBlock(let oq, _), .quotedBlock(let eq, _)):
            if oq != eq { mismatch(r, "quoter", exim: "\(eq)", replay: "\(oq)") }
        default:
            break
        }
    }

    /// Pool bytes seeded after the store printed `o` (its total lacks them).
    private func missedShift(_ o: OurLine) -> Int {
        o.seedEpoch >= seedShifts.count ? 0 : seedShifts[o.seedEpoch...].reduce(0, +)
    }

    private func key(of owner: PoolOwner) -> Int {
        switch owner {
        case .paired(let id): return id.index
        case .quoted(let q): return BlockMap.quotedKeyBase + q.id
        }
    }

    private func hex(_ v: UInt64) -> String { "0x" + String(v, radix: 16) }

    /// A get's address: the same offset in the same block as Exim's. An unmapped block is
    /// mapped here (a config block, or a block from before the trace).
    private func checkGetAddress(ours oa: UInt64, exim ea: UInt64, _ r: TraceRecord) {
        guard let p = UnsafeRawPointer(bitPattern: UInt(oa)),
              let loc = backing.blockLocation(containing: p, inclusiveEnd: true) else { return }
        let off = UInt64(UInt(oa) - loc.dataStart)
        if let e = blocks.exim(forOurs: loc.dataStart) {
            if e &+ off != ea {
                if let (ours, old) = previousMapping, ours == loc.dataStart, old &+ off == ea {
                    // The line before was a one-line blip: back to the old mapping.
                    blocks.add(ours: loc.dataStart, exim: old, length: loc.length, key: key(of: loc.owner))
                    previousMapping = nil
                    return
                }
                let eximOff = Int64(bitPattern: ea &- e)
                mismatch(r, "address offset", exim: "+\(eximOff)", replay: "+\(off)")
                previousMapping = (loc.dataStart, e)
                blocks.add(ours: loc.dataStart, exim: ea &- off, length: loc.length, key: key(of: loc.owner))
            } else {
                previousMapping = nil
            }
        } else {
            blocks.add(ours: loc.dataStart, exim: ea &- off, length: loc.length, key: key(of: loc.owner))
            if off != 0 {
                inferences.append(ReplayInference(line: r.line, message: "block of pool \(key(of: loc.owner)) starts \(off) bytes before \(hex(ea))"))
            }
        }
    }

    private func checkPoolTotal(_ ours: Int, _ exim: Int, _ r: TraceRecord) {
        let adjusted = ours + poolTotalAdjust
        if !sawPoolFigure {
            sawPoolFigure = true
            let diff = exim - adjusted
            if diff == 0 { return }
            if diff == ReplayConstants.orderTwelveBlockBytes, seedPreTracePermBlock() {
                seedShifts.append(diff)
                inferences.append(ReplayInference(line: r.line, message: "a block of \(diff) bytes in pool 6 from before the trace (first pool total)"))
                return
            }
            mismatch(r, "pool total", exim: "\(exim)", replay: "\(adjusted)")
            poolTotalAdjust += diff
            return
        }
        if adjusted == exim {
            previousPoolTotalAdjust = nil
            return
        }
        // Carry on from Exim's figure; but if the line before was a one-line blip (this
        // line agrees with the old figures), go back without a second report.
        if let prev = previousPoolTotalAdjust, ours + prev == exim {
            poolTotalAdjust = prev
            previousPoolTotalAdjust = nil
            return
        }
        mismatch(r, "pool total", exim: "\(exim)", replay: "\(adjusted)", inferred: !inferredPools.isEmpty)
        previousPoolTotalAdjust = poolTotalAdjust
        poolTotalAdjust += exim - adjusted
    }

    /// The pre-trace block in the tainted perm pool (section 18.7), made with a size-0 get.
    private func seedPreTracePermBlock() -> Bool {
        guard backing.cursor(of: PoolID(.perm, tainted: true)).yieldLength < 0 else { return false }
        let saved = capture.lines
        _ = try? backing.getPerm(0, .tainted)
        capture.lines = saved
        refreshTotals()
        inferredPools.insert(6)
        // The non-pool total moved by +8 for this block; the first non-pool figure re-seeds it.
        return true
    }

    private func checkNonpoolTotal(_ ours: Int, _ exim: Int, _ r: TraceRecord) {
        if ours == exim {
            sawNonpoolFigure = true
            lastNonpoolCorrection = nil
            return
        }
        let s = backing.statistics()
        if !sawNonpoolFigure {
            sawNonpoolFigure = true
            let diff = exim - ours
            seedNonpool(malloc: exim, maxMalloc: max(s.maxNonpoolMalloc + diff, exim),
                                      blocks: s.nonpoolBlocks, maxBlocks: s.maxNonpoolBlocks)
            inferences.append(ReplayInference(line: r.line, message: "non-pool total was \(diff) bytes higher before the trace than the replay counted (first nonpool figure)"))
            return
        }
        // As for the pool total: a one-line blip is undone without a second report.
        if let d = lastNonpoolCorrection, ours - d == exim {
            seedNonpool(malloc: exim, maxMalloc: s.maxNonpoolMalloc,
                                        blocks: s.nonpoolBlocks, maxBlocks: s.maxNonpoolBlocks)
            lastNonpoolCorrection = nil
            return
        }
        mismatch(r, "nonpool total", exim: "\(exim)", replay: "\(ours)", inferred: true)
        lastNonpoolCorrection = exim - ours
        seedNonpool(malloc: exim, maxMalloc: max(s.maxNonpoolMalloc, exim),
                                  blocks: s.nonpoolBlocks, maxBlocks: s.maxNonpoolBlocks)
    }

    // MARK: arguments and exit

    /// `cwd=/ 4 args: /usr/sbin/exim4 -d+memory -M 1xWd9R-0007BX-0d`: a message-id
    /// argument means Exim checked an id (two more non-pool blocks) before output began.
    private func argumentsLine(_ text: String, _ r: TraceRecord) {
        history.append(r)
        guard !messageIDArgument, seededAtStart else { return }
        let words = text.split(separator: " ")
        var found = false
        for (i, w) in words.enumerated() where (w.hasPrefix("-M") || w.hasPrefix("-E")) && i + 1 < words.count {
            if Self.looksLikeMessageID(words[i + 1]) { found = true; break }
        }
        guard found else { return }
        messageIDArgument = true
        applyUnappliedFrees()
        let s = backing.statistics()
        seedNonpool(malloc: s.nonpoolMalloc, maxMalloc: s.maxNonpoolMalloc,
                                  blocks: count9.blocks, maxBlocks: count9.maxBlocks)
        inferences.append(ReplayInference(line: r.line, message: "non-pool blocks started at \(ReplayConstants.startNonpoolBlocksAfterMessageID), high-water \(ReplayConstants.startMaxNonpoolBlocksAfterMessageID) (message-id argument)"))
    }

    /// A 4.96 id `XXXXXX-YYYYYY-ZZ` or a 4.97+ id `XXXXXX-YYYYYYYYYYY-ZZZZ` (base 62).
    static func looksLikeMessageID(_ w: Substring) -> Bool {
        let parts = w.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 6,
              (parts[1].count == 6 && parts[2].count == 2) || (parts[1].count == 11 && parts[2].count == 4) else { return false }
        return parts.allSatisfy { $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) } }
    }

    private func exitLine(_ r: TraceRecord) {
        if !inExitBlock {
            finishPending()
            applyUnappliedFrees()
            inExitBlock = true
            exitStats = backing.statistics()
        }
        guard let s = exitStats else { return }
        let seeded = seededAtStart
        switch r.event {
        case .exitNonpool(let kB, let b):
            exitComparisons.append(ExitLineComparison(
                line: r.line, subject: .nonpool, exim: ExitFigures(kB: kB, blocks: b),
                replay: ExitFigures(kB: (s.maxNonpoolMalloc + 1023) / 1024, blocks: s.maxNonpoolBlocks), inferred: seeded))
        case .exitNpools(let kB):
            exitComparisons.append(ExitLineComparison(
                line: r.line, subject: .npools, exim: ExitFigures(kB: kB),
                replay: ExitFigures(kB: s.maxPoolMalloc / 1024), inferred: !inferredPools.isEmpty))
        case .exitPool(let e):
            var ps: PoolStatistics?
            switch e.pool {
            case .paired(let i): ps = i >= 0 && i < s.pools.count ? s.pools[i] : nil
            case .quoted(let n): ps = n.flatMap { $0 >= 0 && $0 < s.quoted.count ? s.quoted[$0].pool : nil }
            }
            exitComparisons.append(ExitLineComparison(
                line: r.line, subject: .pool(e.pool), exim: ExitFigures(kB: e.kB, blocks: e.blocks, order: e.order),
                replay: ps.map { ExitFigures(kB: ($0.maxBytes + 1023) / 1024, blocks: $0.maxBlocks, order: $0.maxOrder) },
                inferred: e.pool.pairedIndex.map { inferredPools.contains($0) } ?? false))
        default:
            break
        }
    }

    /// This process's exit block for a report.
    var exitReport: CheckReport.ProcessExit {
        CheckReport.ProcessExit(pid: pid, purpose: purpose, lines: exitComparisons, inferences: inferences)
    }

    // MARK: attribution without +pid

    /// Whether `r` fits this process's state: true or false when it can tell, nil when not.
    func plausibility(of r: TraceRecord) -> Bool? {
        ensureForked()
        switch r.event {
        case .get(.paired(let p), let a?, let size, _):
            guard p < 10, let id = PoolID(index: p), queueHead >= queue.count, pendingMalloc == nil else { return nil }
            let c = backing.cursor(of: id)
            guard let next = c.nextYield, (size + 7) & ~7 <= c.yieldLength,
                  let loc = backing.blockLocation(containing: next, inclusiveEnd: true),
                  let e = blocks.exim(forOurs: loc.dataStart) else { return nil }
            return e &+ UInt64(UInt(bitPattern: next) - loc.dataStart) == a
        case .reset(let p, let a?, _, _, _):
            return blocks.ours(forAddress: a, key: p, inclusiveEnd: true) != nil
        case .releaseAbove(let pool, let a?, _, _, _), .extend(let pool, let a?, _, _):
            let k = pool.pairedIndex
            return blocks.ours(forAddress: a, key: k, quoted: k == nil, inclusiveEnd: false) != nil
        case .mark(_, _, let total):
            return ourPoolTotal + poolTotalAdjust == total
        default:
            return nil
        }
    }

    // MARK: findings

    private func mismatch(_ r: TraceRecord, _ figure: String, exim: String, replay: String, inferred: Bool = false) {
        mismatch(r.line, figure, exim: exim, replay: replay, inferred: inferred)
    }

    private func mismatch(_ line: Int, _ figure: String, exim: String, replay: String, inferred: Bool = false) {
        guard !silent else { return }
        recorder.mismatch(LineMismatch(line: line, pid: pid, figure: figure, exim: exim, replay: replay, inferred: inferred))
    }

    private func problem(_ line: Int, _ message: String) {
        guard !silent else { return }
        recorder.problem(ReplayProblem(line: line, message: message))
    }
}

extension TraceEvent {
    /// The pool of a `Rst` line.
    var resetPool: Int? { if case .reset(let p, _, _, _, _) = self { return p } else { return nil } }
    /// The running `pool` total a line prints, if any.
    var poolTotal: Int? {
        switch self {
        case .releaseAbove(_, _, _, _, let t), .reset(_, _, _, _, let t), .mark(_, _, let t),
             .malloc(_, _, _, let t, _), .releaseBlock(_, _, let t):
            return t
        default:
            return nil
        }
    }
    /// The pool of a `Mrk` line.
    var markPool: Int? { if case .mark(let p, _, _) = self { return p } else { return nil } }
}
