import EximTrace

/// A fork announced by `X forking for Y`, waiting for the child's `postfork: Y`: the
/// parent's state at the fork (a value copy, no history) travels with it.
struct PendingFork: Sendable {
    var snapshot: ProcessModel
    var parentID: Int
    var purpose: String
    var childPid: Int?
    var line: Int
}

/// The one replay engine behind `--check`, the animated view and the plain view: it reads
/// an `exim -d+memory` trace record by record and keeps one `ProcessModel` per live Exim
/// process, following exim-store.md sections 18 and 19 (line reading, re-prints, first
/// touches, start surplus and candidates, calibration per start-up class, forks and execs,
/// attribution without `+pid`). Every figure on every memory line is checked as it is
/// applied; every `----Exit` block when its process ends.
///
/// Cost is linear in the trace: a fork copies the parent's state (not its history), ended
/// processes are dropped, and at most `liveLimit` processes are kept (beyond it the least
/// recently active is dropped and the report says so).
final class ReplayCore {
    /// Processes kept live at most (the documented limit; see the README).
    public static let defaultLiveLimit = 50_000

    @exclusivity(unchecked) var procs: [Int: ProcessBox] = [:]
    @exclusivity(unchecked) var byPid: [Int: Int] = [:]
    @exclusivity(unchecked) var lineages = LineageTable()
    var pendingForks: [PendingFork] = []
    /// Live processes printing without `+pid`.
    @exclusivity(unchecked) var unprefixedLive: [Int] = []
    /// The process the last unprefixed line went to.
    var active: Int?
    var unprefixedExit: [TraceRecord] = []
    @exclusivity(unchecked) var findings: Findings
    /// Start-up classes (section 19.6): their surviving start states, (blocks, bytes) per pool.
    var poolClasses: [String: [[Int]]] = [:]
    var nonpoolClasses: [String: NonpoolStartCandidates] = [:]
    var nextID = 0
    var nextLineage = 0
    let liveLimit: Int
    /// The `D=` selector of a version line without the `+memory` bit, if any.
    var selectorWithoutMemory: String?
    /// The address of the last memory record read (to recognise munged traces).
    @exclusivity(unchecked) var lastRecordAddress: UInt64 = 0
    /// Unprefixed `----Free` lines held while several processes share the stream: they go
    /// with the record that follows them (a reset's or a discard's frees come before it).
    @exclusivity(unchecked) var heldFrees: [TraceRecord] = []

    /// Lines read.
    @exclusivity(unchecked) var linesRead = 0
    /// Memory records read (re-prints included).
    @exclusivity(unchecked) var memoryRecords = 0
    /// Memory records applied as operations.
    @exclusivity(unchecked) var appliedRecords = 0
    /// Exact copies of the previous record (section 19.2), not applied.
    @exclusivity(unchecked) var reprints = 0
    /// Cut or glued records (section 19.1 item 5), not applied.
    var cutRecords = 0
    /// Unprefixed memory lines given to a process other than the one before by consistency (section 19.9).
    var attributedByConsistency = 0
    /// Unprefixed memory lines decided among several live processes.
    var sharedStreamLines = 0
    /// Whether any line carried a `+pid` prefix / any memory line had none while several processes were live.
    @exclusivity(unchecked) var sawPidPrefix = false
    var unprefixedMultiProcess = false
    /// Processes replayed in all, and processes dropped at the live limit.
    var processCount = 0
    var droppedAtLimit = 0
    /// Records whose lines carry no addresses (Exim's test suite munges them).
    @exclusivity(unchecked) var recordsWithoutAddress = 0
    /// The line number of the last record applied, and the process it went to.
    @exclusivity(unchecked) var currentLine = 0
    @exclusivity(unchecked) var currentProcessID: Int?
    /// The last record read (kept for a screen).
    @exclusivity(unchecked) var currentRecord: TraceRecord?
    var keepsCurrentRecord: Bool

    /// A replay keeping at most `keepLimit` of each kind of finding as values (all are counted).
    init(keepLimit: Int = 10_000, liveLimit: Int = ReplayCore.defaultLiveLimit, keepsCurrentRecord: Bool = true) {
        findings = Findings(keepLimit: keepLimit)
        self.liveLimit = max(1, liveLimit)
        self.keepsCurrentRecord = keepsCurrentRecord
    }

    /// A copy of the whole replay state (a hypothesis of section 19.9's beam); the
    /// collections are copied on write, so this costs little until the copies diverge.
    func clone() -> ReplayCore {
        let c = ReplayCore(keepLimit: findings.keepLimit, liveLimit: liveLimit, keepsCurrentRecord: keepsCurrentRecord)
        c.procs = procs.mapValues { ProcessBox($0.m) }; c.byPid = byPid; c.lineages = lineages; c.pendingForks = pendingForks
        c.unprefixedLive = unprefixedLive; c.active = active; c.unprefixedExit = unprefixedExit
        c.findings = findings; c.poolClasses = poolClasses; c.nonpoolClasses = nonpoolClasses
        c.nextID = nextID; c.nextLineage = nextLineage; c.heldFrees = heldFrees
        c.linesRead = linesRead; c.memoryRecords = memoryRecords; c.appliedRecords = appliedRecords
        c.reprints = reprints; c.cutRecords = cutRecords; c.attributedByConsistency = attributedByConsistency
        c.sharedStreamLines = sharedStreamLines; c.sawPidPrefix = sawPidPrefix; c.unprefixedMultiProcess = unprefixedMultiProcess
        c.processCount = processCount; c.droppedAtLimit = droppedAtLimit; c.recordsWithoutAddress = recordsWithoutAddress; c.selectorWithoutMemory = selectorWithoutMemory; c.lastRecordAddress = lastRecordAddress
        c.currentLine = currentLine; c.currentProcessID = currentProcessID; c.currentRecord = currentRecord
        c.deviations = deviations; c.forced = forced; c.cache = nil
        return c
    }

    /// Lines this hypothesis gave to another process than the preference rule would (section 19.9 item 3).
    var deviations: [AmbiguousLine] = []
    /// The process the next shared-stream record must go to (set by the beam).
    var forced: Int?

    /// The beam gave line `line` to `chosen` instead of the preferred process.
    func noteDeviation(_ line: Int, preferred: Int, chosen: Int) {
        let p = name(preferred), c = name(chosen)
        if let last = deviations.last, last.chosen == p, last.alternatives == [c], last.through < line {
            deviations[deviations.count - 1].through = line
            return
        }
        deviations.append(AmbiguousLine(line: line, through: line, chosen: p, alternatives: [c]))
    }

    /// Memory lines with a wrong figure plus exit lines with a wrong figure: a hypothesis's score.
    var score: Int {
        findings.mismatchLines + findings.exitTotals.compared - findings.exitTotals.matched - findings.exitTotals.notDerivableOnly
    }

    /// Processes live now.
    var liveProcessCount: Int { procs.count }

    // MARK: applying records

    /// Applies one record (one physical line of the trace).
    func apply(_ r: TraceRecord) {
        linesRead += 1
        currentLine = r.line
        if keepsCurrentRecord { currentRecord = r }
        if r.pid != nil { sawPidPrefix = true }
        if !heldFrees.isEmpty, !r.event.isMemory { flushHeldFrees() }
        switch r.event {
        case .version(let v):
            exec(v, r)
        case .forking(let name, let purpose):
            // The beam may have chosen the printer among several candidates (section 19.9 item 2).
            let chosen = forced.flatMap { procs[$0] != nil ? $0 : nil }
            forced = nil
            guard let id = chosen ?? route(r, name: name) else { return }
            touchLine(id, r)
            if pendingForks.count >= liveLimit {
                pendingForks.removeFirst()
                findings.problem(ReplayProblem(line: r.line, message: "more than \(liveLimit) forks without a postfork line: the oldest was dropped"))
            }
            pendingForks.append(PendingFork(snapshot: procs[id]!.m, parentID: id, purpose: purpose, childPid: nil, line: r.line))
            lineages[procs[id]!.m.lineage]?.references += 1
            currentProcessID = id
        case .postfork(let purpose):
            postfork(purpose, r)
        case .forked(_, let purpose, let child):
            forked(purpose, child, r)
        case .terminating(let pid, let name, let rc):
            terminating(pid, name, rc, r)
        case .exitNonpool, .exitNpools, .exitPool:
            if let pid = r.pid {
                guard let id = byPid[pid] else {
                    findings.problem(ReplayProblem(line: r.line, message: "an exit line of pid \(pid), which no version or postfork line announced"))
                    return
                }
                procs[id]!.m.exitLines.append(r)
                currentProcessID = id
            } else {
                unprefixedExit.append(r)
            }
        case .noise, .malformed:
            if case .malformed = r.event { cutRecords += 1 }
            if let id = route(r, name: nil, create: false) {
                touchLine(id, r)
                currentProcessID = id
            }
        default:
            memory(r)
        }
    }

    /// Marks a non-record line of process `id` (it ends the "immediately before" of section 19.2).
    private func touchLine(_ id: Int, _ r: TraceRecord) {
        procs[id]?.m.lastEvent = nil
        procs[id]?.m.lastLine = r.line
        if r.pid == nil, procs[id]?.m.unprefixed == true { active = id }
    }

    private func memory(_ r: TraceRecord) {
        memoryRecords += 1
        if r.event.hasNoAddress {
            recordsWithoutAddress += 1
        } else if let a = r.event.address {
            // A trace whose addresses were all replaced by one constant has none either.
            if a == lastRecordAddress { recordsWithoutAddress += 1 }
            lastRecordAddress = a
        }
        let id: Int
        if let pid = r.pid {
            // The common case: the same process as the line before (no lookups).
            if let c = cache, c.pid == pid {
                if c.box.m.lastEvent == r.event { reprints += 1; currentProcessID = c.id; return }
                currentProcessID = c.id
                applyRecord(c.id, r, box: c.box)
                return
            }
            if let known = byPid[pid] {
                id = known
                if procs[id]!.m.unprefixed { setUnprefixed(id, false) }
                cache = (pid, id, procs[id]!)
            } else {
                findings.problem(ReplayProblem(line: r.line, message: "pid \(pid) has no version or postfork line before it; replaying it from an empty start"))
                id = makeProcess(pid: pid, purpose: "unknown", lineage: newLineage(version: "?"), unprefixed: false, line: r.line)
            }
            if procs[id]!.m.lastEvent == r.event { reprints += 1; currentProcessID = id; return }
        } else {
            // One process prints without a prefix (the common case): no lookups.
            if unprefixedLive.count == 1, heldFrees.isEmpty, let c = cache, c.pid == -1 {
                if c.box.m.lastEvent == r.event { reprints += 1; currentProcessID = c.id; return }
                currentProcessID = c.id
                applyRecord(c.id, r, box: c.box)
                return
            }
            if case .free = r.event, unprefixedLive.count > 1 {
                heldFrees.append(r)
                return
            }
            let held = heldFrees
            heldFrees = []
            guard let chosen = attribute(r, after: held) else {
                reprints += 1
                if let a = active { for f in held { applyRecord(a, f) } }
                return
            }
            id = chosen
            for f in held { applyRecord(id, f) }
            if unprefixedLive.count == 1, unprefixedLive[0] == id, let b = procs[id] { cache = (-1, id, b) }
        }
        currentProcessID = id
        applyRecord(id, r)
    }

    /// Held frees go to the active process when a non-memory line ends the run.
    private func flushHeldFrees() {
        guard !heldFrees.isEmpty else { return }
        let held = heldFrees
        heldFrees = []
        guard let a = active ?? unprefixedLive.last else { return }
        for f in held { applyRecord(a, f) }
    }

    /// Applies a memory record to process `id` and files what the check found.
    private func applyRecord(_ id: Int, _ r: TraceRecord, box known: ProcessBox? = nil) {
        appliedRecords += 1
        var c = LineCheck()
        let box = known ?? procs[id]!
        let lid = box.m.lineage
        if !box.m.exitLines.isEmpty { closeExitBlock(id) }
        _ = lineages.withInfo(lid) { box.m.apply(r, &$0, &c) }
        box.m.lastEvent = r.event
        if !c.differences.isEmpty || !c.problems.isEmpty || !c.inferences.isEmpty { file(c, id) }
    }

    private func file(_ c: LineCheck, _ id: Int) {
        let pid = procs[id]?.m.pid
        for d in c.differences {
            findings.mismatch(LineMismatch(line: d.line, pid: pid, figure: d.figure, exim: d.exim, replay: d.replay, inferred: d.inferred))
        }
        for p in c.problems { findings.problem(p) }
        if !c.inferences.isEmpty, procs[id] != nil {
            for i in c.inferences where procs[id]!.m.inferences.count < 32 { procs[id]!.m.inferences.append(i) }
        }
    }

    // MARK: processes (section 19.8)

    private func newLineage(version: String) -> Int {
        nextLineage += 1
        return lineages.add(LineageInfo(version: version))
    }

    @discardableResult
    private func makeProcess(pid: Int?, purpose: String, lineage: Int, unprefixed: Bool, line: Int) -> Int {
        nextID += 1
        let p = ProcessModel(id: nextID, pid: pid, purpose: purpose, lineage: lineage, unprefixed: unprefixed, line: line)
        register(p)
        return nextID
    }

    private func register(_ p: ProcessModel) {
        cache = nil
        enforceLiveLimit(p.firstLine)
        procs[p.id] = ProcessBox(p)
        processCount += 1
        lineages[p.lineage]?.references += 1
        if let pid = p.pid {
            if let old = byPid[pid], old != p.id, procs[old] != nil { drop(old, reason: nil) }
            byPid[pid] = p.id
        }
        if p.unprefixed {
            unprefixedLive.append(p.id)
            active = p.id
        }
    }

    private func setUnprefixed(_ id: Int, _ on: Bool) {
        cache = nil
        procs[id]!.m.unprefixed = on
        if on { unprefixedLive.append(id) } else { unprefixedLive.removeAll { $0 == id } }
    }

    /// Above the live limit: the least recently active process is dropped (it is reported).
    private func enforceLiveLimit(_ line: Int) {
        guard procs.count >= liveLimit else { return }
        let n = max(1, liveLimit / 10)
        let victims = procs.values.sorted { $0.m.lastLine < $1.m.lastLine }.prefix(n).map(\.m.id)
        for v in victims { drop(v, reason: nil) }
        droppedAtLimit += victims.count
        findings.problem(ReplayProblem(line: line, message: "more than \(liveLimit) live processes: dropped the \(victims.count) least recently active (their exit blocks, if any, are not compared)"))
    }

    /// The process of the last prefixed memory line (cleared whenever a process is dropped or added).
    @exclusivity(unchecked) var cache: (pid: Int, id: Int, box: ProcessBox)?

    /// Forgets a process (ended, exec'd over, pid reused, or beyond the limit).
    private func drop(_ id: Int, reason: String?) {
        cache = nil
        guard let p = procs.removeValue(forKey: id)?.m else { return }
        if let pid = p.pid, byPid[pid] == id { byPid[pid] = nil }
        if p.unprefixed { unprefixedLive.removeAll { $0 == id } }
        if active == id { active = unprefixedLive.last }
        release(lineage: p.lineage)
        if let reason { findings.problem(ReplayProblem(line: currentLine, message: reason)) }
    }

    private func release(lineage: Int) {
        guard var l = lineages[lineage] else { return }
        l.references -= 1
        if l.references <= 0 { lineages.remove(lineage) } else { lineages[lineage] = l }
    }

    private func exec(_ v: TraceVersion, _ r: TraceRecord) {
        if !v.hasMemory, selectorWithoutMemory == nil, let sel = v.selector { selectorWithoutMemory = String(sel, radix: 16) }
        var purpose = "fresh-exec"
        var parentID: Int?, parentPid: Int?
        var replaced: Int?
        if let old = byPid[v.pid], let op = procs[old]?.m {
            replaced = old
            if op.forked { purpose = op.purpose; parentID = op.parentID; parentPid = op.parentPid }
        } else if r.pid == nil,
                  let child = unprefixedLive.last(where: { procs[$0]!.m.forked && procs[$0]!.m.pid == nil }) {
            // Section 19.8 item 3: the newest forked child with no known pid exec'd.
            replaced = child
            purpose = procs[child]!.m.purpose
            parentID = procs[child]!.m.parentID
            parentPid = procs[child]!.m.parentPid
        }
        if let replaced {
            var c = LineCheck()
            if var p = procs[replaced]?.m, var l = lineages[p.lineage] {
                p.finishPending(&l, &c)
                lineages[p.lineage] = l
            }
            file(c, replaced)
            drop(replaced, reason: nil)
        }
        let id = makeProcess(pid: v.pid, purpose: purpose, lineage: newLineage(version: v.version), unprefixed: r.pid == nil, line: r.line)
        procs[id]!.m.parentID = parentID
        procs[id]!.m.parentPid = parentPid
        currentProcessID = id
    }

    private func postfork(_ purpose: String, _ r: TraceRecord) {
        var index: Int?
        if let pid = r.pid { index = pendingForks.firstIndex { $0.childPid == pid && $0.purpose == purpose } }
        if index == nil { index = pendingForks.firstIndex { $0.purpose == purpose && ($0.childPid == nil || r.pid == nil) } }
        guard let i = index else {
            findings.problem(ReplayProblem(line: r.line, message: "postfork: \(purpose) with no 'forking for \(purpose)' before it; replaying the child from an empty start"))
            let id = makeProcess(pid: r.pid, purpose: purpose, lineage: newLineage(version: "?"), unprefixed: r.pid == nil, line: r.line)
            currentProcessID = id
            return
        }
        let f = pendingForks.remove(at: i)
        nextID += 1
        var child = f.snapshot
        child.id = nextID
        child.pid = r.pid ?? f.childPid
        child.purpose = purpose
        child.parentID = f.parentID
        child.parentPid = f.snapshot.pid
        child.forked = true
        child.terminated = false
        child.unprefixed = r.pid == nil
        child.exitLines = []
        child.lastEvent = nil
        child.records = 0
        child.firstLine = r.line
        child.lastLine = r.line
        register(child)
        release(lineage: child.lineage)   // the pending fork's reference passes to the child
        currentProcessID = child.id
    }

    private func forked(_ purpose: String, _ childPid: Int, _ r: TraceRecord) {
        // With +pid the line names the parent; without, the parent is not known (the child
        // may be the active process), so any child of that purpose with no pid yet is taken.
        let parent = r.pid != nil ? route(r, name: nil, create: false) : nil
        if let parent { touchLine(parent, r); currentProcessID = parent }
        // With +pid the child announced itself by its postfork line already.
        if let known = byPid[childPid], procs[known]?.m.forked == true, procs[known]?.m.purpose == purpose { return }
        // The child may have printed its postfork line already.
        if let cid = procs.values.map(\.m).filter({ $0.pid == nil && $0.forked && $0.purpose == purpose && (parent == nil || $0.parentID == parent) })
            .max(by: { $0.id < $1.id })?.id {
            procs[cid]!.m.pid = childPid
            if let old = byPid[childPid], old != cid, procs[old] != nil { drop(old, reason: nil) }
            byPid[childPid] = cid
            cache = nil
            if r.pid == nil, let pp = procs[cid]!.m.parentID, procs[pp]?.m.unprefixed == true { active = pp; currentProcessID = pp }
            return
        }
        if let i = pendingForks.lastIndex(where: { $0.childPid == nil && $0.purpose == purpose && (parent == nil || $0.parentID == parent) }) {
            pendingForks[i].childPid = childPid
            if r.pid == nil, procs[pendingForks[i].parentID]?.m.unprefixed == true { active = pendingForks[i].parentID }
        }
    }

    private func terminating(_ pid: Int, _ name: String, _ rc: Int, _ r: TraceRecord) {
        var id = byPid[pid]
        if id == nil, r.pid == nil {
            // An unprefixed process whose pid no line named: by purpose, else the active one.
            let unnamed = unprefixedLive.filter { procs[$0]!.m.pid == nil }
            id = unnamed.last { procs[$0]!.m.purpose == name } ?? (active.flatMap { procs[$0]?.m.pid == nil ? $0 : nil })
        }
        guard let id else {
            if !unprefixedExit.isEmpty {
                findings.problem(ReplayProblem(line: r.line, message: "an exit block for pid \(pid), which the replay does not know; not compared"))
                unprefixedExit = []
            }
            return
        }
        if procs[id]!.m.pid == nil { procs[id]!.m.pid = pid; byPid[pid] = id; cache = nil }
        if !unprefixedExit.isEmpty {
            procs[id]!.m.exitLines += unprefixedExit
            unprefixedExit = []
        }
        procs[id]!.m.terminated = true
        procs[id]!.m.exitCode = rc
        procs[id]!.m.lastLine = r.line
        currentProcessID = id
        end(id)
    }

    /// A process ended: pending records are settled, its exit block compared, and it is dropped.
    private func end(_ id: Int) {
        var c = LineCheck()
        let lid = procs[id]!.m.lineage
        procs[id]!.m.finishPending(&lineages[lid]!, &c)
        file(c, id)
        closeExitBlock(id)
        drop(id, reason: nil)
    }

    /// Ends the input: every live process's pending records and exit lines are settled.
    func finish() {
        flushHeldFrees()
        if !unprefixedExit.isEmpty, let a = active ?? unprefixedLive.last {
            procs[a]!.m.exitLines += unprefixedExit
            unprefixedExit = []
        }
        for id in procs.keys.sorted() {
            var c = LineCheck()
            let lid = procs[id]!.m.lineage
            procs[id]!.m.finishPending(&lineages[lid]!, &c)
            file(c, id)
            closeExitBlock(id)
        }
        for f in pendingForks {
            findings.problem(ReplayProblem(line: f.line, message: "'forking for \(f.purpose)' with no postfork line"))
        }
        pendingForks = []
    }

    // MARK: routing

    /// The process a non-memory line belongs to: by its pid prefix, else among the
    /// unprefixed processes (by purpose `name` when given, else the active one).
    private func route(_ r: TraceRecord, name: String?, create: Bool = true) -> Int? {
        if let pid = r.pid {
            if let id = byPid[pid] {
                if procs[id]!.m.unprefixed { setUnprefixed(id, false) }
                return id
            }
            guard create else { return nil }
            findings.problem(ReplayProblem(line: r.line, message: "pid \(pid) has no version or postfork line before it; replaying it from an empty start"))
            return makeProcess(pid: pid, purpose: name ?? "unknown", lineage: newLineage(version: "?"), unprefixed: false, line: r.line)
        }
        if let name, let n = forkCandidates(name: name).first { return n }
        if let a = active, procs[a] != nil { return a }
        if let last = unprefixedLive.last { return last }
        guard create else { return nil }
        findings.problem(ReplayProblem(line: r.line, message: "no 'Exim version' line before the first record; replaying from an empty start"))
        return makeProcess(pid: nil, purpose: "unknown", lineage: newLineage(version: "?"), unprefixed: true, line: r.line)
    }

    /// How the processes sharing the unprefixed stream take a record (section 19.9 item 3).
    enum Ranking {
        /// An exact re-print: no process takes it as a new operation (section 19.2).
        case reprint
        /// The best fit level, the processes at that level and the preferred one among them.
        case choice(best: Int, tied: [Int], preferred: Int)
    }

    /// Ranks the live unprefixed processes for a record (and the frees held before it).
    func rank(_ r: TraceRecord, after held: [TraceRecord]) -> Ranking {
        let live = unprefixedLive
        var best = -1
        var tied: [Int] = []
        for id in live {
            let f = fit(id, held, r)
            if f > best { best = f; tied = [id] } else if f == best { tied.append(id) }
        }
        if best == 0, live.contains(where: { procs[$0]!.m.lastEvent == r.event }) { return .reprint }
        let preferred = tied.contains(active ?? -1) ? active! : tied.max { procs[$0]!.m.lastLine < procs[$1]!.m.lastLine }!
        return .choice(best: best, tied: tied, preferred: preferred)
    }

    /// The live unprefixed processes that could have printed `name forking for …`
    /// (section 19.9 item 2): those whose purpose is `name` or unknown, preferred first
    /// (the active one, then the most recently active).
    func forkCandidates(name: String) -> [Int] {
        var named = unprefixedLive.filter { let p = procs[$0]!.m.purpose; return p == name || p == "unknown" }
        named.sort { procs[$0]!.m.lastLine > procs[$1]!.m.lastLine }
        if let a = active, let i = named.firstIndex(of: a), i > 0 { named.remove(at: i); named.insert(a, at: 0) }
        return named
    }

    /// The tie a record would split the beam on, preferred first; nil when one process is
    /// clearly best. A memory record: the processes it fits equally well (at level ≥ 1).
    /// An unprefixed `X forking for Y`: every live process that could have printed it
    /// (section 19.9 item 2) — each hypothesis's child carries that one's snapshot, and the
    /// records that fit only one of them decide (the others gain wrong lines and are pruned);
    /// where none decides, the report names the line and the alternatives.
    func tie(for r: TraceRecord) -> [Int]? {
        guard r.pid == nil, unprefixedLive.count > 1 else { return nil }
        if case .forking(let name, _) = r.event {
            let candidates = forkCandidates(name: name)
            return candidates.count > 1 ? Array(candidates.prefix(3)) : nil
        }
        guard r.event.isMemory else { return nil }
        if case .free = r.event { return nil }
        guard case .choice(let best, let tied, let preferred) = rank(r, after: heldFrees), best >= 1, tied.count > 1 else { return nil }
        return [preferred] + tied.filter { $0 != preferred }.prefix(2)
    }

    /// Attribution of an unprefixed memory record by consistency (section 19.9); nil when
    /// the line is an exact re-print (section 19.2).
    private func attribute(_ r: TraceRecord, after held: [TraceRecord] = []) -> Int? {
        let live = unprefixedLive
        if live.count <= 1 {
            guard let id = live.first ?? route(r, name: nil) else { return nil }
            if procs[id]!.m.lastEvent == r.event { return nil }
            return id
        }
        unprefixedMultiProcess = true
        sharedStreamLines += 1
        let chosen: Int
        if let f = forced, procs[f] != nil {
            forced = nil
            chosen = f
        } else {
            forced = nil
            guard case .choice(_, _, let preferred) = rank(r, after: held) else { return nil }
            chosen = preferred
        }
        if chosen != active { attributedByConsistency += 1 }
        active = chosen
        return chosen
    }

    func name(_ id: Int) -> String {
        guard let p = procs[id]?.m else { return "?" }
        return "\(p.pid.map(String.init) ?? "?") (\(p.purpose))"
    }

    /// Fit level of a record for a process without applying it (section 19.9 item 1):
    /// 2 when its figures agree with the process's state, 1 when they cannot be checked and
    /// its address is near the process's recent ones, 0 otherwise.
    func fit(_ id: Int, _ held: [TraceRecord], _ r: TraceRecord) -> Int {
        // Exec'd processes have distinct heaps: a far address in none of this process's
        // blocks cannot be its own (a cheap test before trying the record on a copy).
        if case .malloc = r.event {} else if held.isEmpty, !near(procs[id]!.m, r), !procs[id]!.m.holds(r.event.address) { return 0 }
        var p = procs[id]!.m
        guard var l = lineages[p.lineage] else { return 0 }
        if !held.isEmpty {
            var c = LineCheck()
            for f in held { p.apply(f, &l, &c) }
            if !c.differences.isEmpty { return 0 }
        }
        if case .malloc(_, let size, _, let pt, let nt) = r.event {
            var c = LineCheck()
            p.flushMalloc(&l, &c)
            guard c.differences.isEmpty else { return 0 }
            var checked = false
            if let p0 = l.p0 {
                let ours = p0 &+ p.poolDelta &+ p.poolAdjust
                guard pt == ours || pt == ours &+ size &- 8 else { return 0 }
                checked = true
            }
            if let n0 = l.n0 {
                let ours = n0 &+ p.nonpoolDelta &+ p.nonpoolAdjust
                guard nt == ours &+ size || nt == ours &+ 8 else { return 0 }
                checked = true
            }
            return checked ? 2 : near(p, r) ? 1 : 0
        }
        var c = LineCheck()
        p.apply(r, &l, &c)
        if !c.differences.isEmpty { return 0 }
        if c.checked { return 2 }
        return near(procs[id]!.m, r) ? 1 : 0
    }

    private func near(_ p: ProcessModel, _ r: TraceRecord) -> Bool {
        guard let a = r.event.address, p.lastAddress != 0 else { return true }
        let d = a > p.lastAddress ? a - p.lastAddress : p.lastAddress - a
        return d < 256 << 20
    }
}

extension TraceEvent {
    /// The address a memory record names, if any.
    var address: UInt64? {
        switch self {
        case .get(_, let a, _, _), .extend(_, let a, _, _), .releaseAbove(_, let a, _, _, _), .reset(_, let a, _, _, _),
             .malloc(let a, _, _, _, _), .free(let a, _, _), .releaseBlock(let a, _, _):
            return a
        default:
            return nil
        }
    }

    /// Whether a memory record that should carry an address printed none (munged or `(nil)`).
    var hasNoAddress: Bool {
        switch self {
        case .get, .extend, .releaseAbove, .reset, .malloc, .free, .releaseBlock: return address == nil
        default: return false
        }
    }
}
