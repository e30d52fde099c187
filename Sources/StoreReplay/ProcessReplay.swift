@_spi(Replay) import Store
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
    let backing: Store
    /// A forked child not yet brought to its parent's state: the parent and how many of
    /// its history records came before the fork. An exec'd child never needs it.
    var forkSource: (parent: ProcessReplay, count: Int)?
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

    let capture = LineCapture()
    /// The store's trace sink, set only while an operation that may touch blocks runs.
    var sink: ((String) -> Void)?
    /// The store's `pool_malloc`, followed from the figures it prints (and refreshed from
    /// `statistics()` where it moves without a line), for lines replayed untraced.
    @exclusivity(unchecked) var ourPoolTotal = 0
    /// The store's `nonpool_malloc`, followed the same way (for `store_malloc`/`store_free`
    /// replayed untraced).
    @exclusivity(unchecked) var ourNonpool = 0
    /// Sizes the store recorded for live `store_malloc` blocks, by Exim's address.
    @exclusivity(unchecked) var mallocSizes: [UInt64: Int] = [:]
    @exclusivity(unchecked) var lineParser = TraceParser(prefixes: TracePrefixes(pid: false, timestamp: false), followSelector: false)
    @exclusivity(unchecked) var queue: [OurLine] = []
    @exclusivity(unchecked) var queueHead = 0
    @exclusivity(unchecked) var pendingMalloc: TraceRecord?
    @exclusivity(unchecked) var pendingBlockFrees: [TraceRecord] = []
    @exclusivity(unchecked) var heldTaintedReset: TraceRecord?
    @exclusivity(unchecked) var freesAfterHeldReset: [TraceRecord] = []
    @exclusivity(unchecked) var heldQuoted: [TraceRecord] = []
    @exclusivity(unchecked) var blocks = BlockMap()
    @exclusivity(unchecked) var mallocs: [UInt64: UnsafeMutableRawPointer] = [:]
    var poolTotalAdjust = 0
    /// Frees of memory malloc'd before the trace, not yet taken off the store's counters.
    var unappliedFrees: (bytes: Int, blocks: Int) = (0, 0)
    /// The adjustment before the last pool-total mismatch (to undo a one-line blip).
    @exclusivity(unchecked) var previousPoolTotalAdjust: Int?
    /// The last correction of the non-pool total (to undo a one-line blip).
    @exclusivity(unchecked) var lastNonpoolCorrection: Int?
    /// The block mapping before the last address mismatch: our block and Exim's old start.
    @exclusivity(unchecked) var previousMapping: (UInt, UInt64)?
    /// Pool bytes added by each pre-trace block seeded after the trace began (lines the
    /// store printed before a seed lack them).
    @exclusivity(unchecked) var seedShifts: [Int] = []
    var sawPoolFigure = false
    var sawNonpoolFigure = false
    var inferredPools: Set<Int> = []
    var messageIDArgument = false
    @exclusivity(unchecked) var count7 = NonpoolBlockCount(blocks: ReplayConstants.startNonpoolBlocks, maxBlocks: ReplayConstants.startMaxNonpoolBlocks)
    @exclusivity(unchecked) var count9 = NonpoolBlockCount(blocks: ReplayConstants.startNonpoolBlocksAfterMessageID,
                                           maxBlocks: ReplayConstants.startMaxNonpoolBlocksAfterMessageID)
    var exitStats: StoreStatistics?
    /// Set when the exit block's lines are being read (the next non-exit record ends it).
    @exclusivity(unchecked) var inExitBlock = false

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
    func seedPreTraceState() {
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
    func ensureForked() {
        guard let (parent, count) = forkSource else { return }
        forkSource = nil
        parent.ensureForked()
        silent = true
        for r in parent.history.prefix(count) { apply(r) }
        finishPending()
        silent = false
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

    func memory(_ r: TraceRecord) {
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

    func trimQueue() {
        if queueHead >= queue.count { queue.removeAll(keepingCapacity: true); queueHead = 0 }
    }

    func flushAll() {
        flushPendingMalloc()
        flushBlockFrees()
    }

    func flushPendingMalloc() {
        if let m = pendingMalloc {
            pendingMalloc = nil
            executeStoreMalloc(m)
        }
    }

    func flushBlockFrees() {
        for f in pendingBlockFrees {
            mismatch(f, "sequence", exim: "----Free of a pool block", replay: "no free")
        }
        pendingBlockFrees = []
    }

    // MARK: findings

    func mismatch(_ r: TraceRecord, _ figure: String, exim: String, replay: String, inferred: Bool = false) {
        mismatch(r.line, figure, exim: exim, replay: replay, inferred: inferred)
    }

    func mismatch(_ line: Int, _ figure: String, exim: String, replay: String, inferred: Bool = false) {
        guard !silent else { return }
        recorder.mismatch(LineMismatch(line: line, pid: pid, figure: figure, exim: exim, replay: replay, inferred: inferred))
    }

    func problem(_ line: Int, _ message: String) {
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
