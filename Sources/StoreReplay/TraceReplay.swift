@_spi(Replay) import Store
import EximTrace

/// Replays an `exim -d+memory` trace record by record: one `Store` per Exim process,
/// exec'd processes (`Exim version … pid=N`) start fresh, forked children start as a
/// copy of their parent at the fork. Each memory line's figures are checked against
/// the store's own account of the same operation, and each `----Exit` block against
/// the store's statistics.
///
/// Step it with `apply(_:)` (a screen can draw `processes` between steps), then call
/// `finish()` at the end of input.
public final class TraceReplay {
    /// Every process seen, in order of appearance.
    public private(set) var processes: [ProcessReplay] = []
    /// The last record applied.
    /// (Kept only when `keepsCurrentRecord`; a check that only reports does not need it.)
    @exclusivity(unchecked) public private(set) var currentRecord: TraceRecord?
    /// Whether `currentRecord` is kept (a screen needs it).
    public let keepsCurrentRecord: Bool
    /// The line number of the last record applied.
    @exclusivity(unchecked) public private(set) var currentLine = 0
    /// The process the last record was applied to (nil for noise outside any process).
    @exclusivity(unchecked) public private(set) var currentProcess: ProcessReplay?
    /// Lines read.
    @exclusivity(unchecked) public private(set) var linesRead = 0
    /// Memory records applied.
    @exclusivity(unchecked) public private(set) var memoryRecords = 0
    /// Lines attributed to a process by consistency (no `+pid` prefix after a fork).
    public private(set) var attributedByConsistency = 0
    /// Whether a fork was followed by lines without a `+pid` prefix: those lines were
    /// attributed to parent or child by consistency.
    public private(set) var unprefixedFork = false
    /// Whether any line carried a `+pid` prefix.
    public private(set) var sawPidPrefix = false

    /// Exit blocks of processes that have terminated (kept even when the process is dropped).
    public private(set) var finishedExits: [CheckReport.ProcessExit] = []
    /// Whether terminated processes (and their stores) stay in `processes`.
    public let keepFinished: Bool
    /// Processes replayed in all (including dropped ones).
    public private(set) var processCount = 0

    private let recorder: ReplayRecorder
    private var byPid: [Int: ProcessReplay] = [:]
    /// The process unprefixed lines go to.
    @exclusivity(unchecked) private var active: ProcessReplay?
    /// Live (not terminated) processes per family.
    private var liveInFamily: [Int] = [0]
    private var nextFamily = 0
    /// A mark (no `+pid`) waiting for its first get to tell which process made it.
    @exclusivity(unchecked) private var heldMark: TraceRecord?
    /// Forks announced (`forking for`) whose child has not yet printed `postfork`.
    private var pendingForks: [(purpose: String, parent: ProcessReplay, history: Int)] = []
    /// Child pids named by a parent before the child's postfork line (no `+pid`).
    private var forkedBeforePostfork: [String: Int] = [:]

    /// Makes a replay; at most `keepLimit` mismatches and problems are kept as values
    /// (all are counted).
    /// (all are counted). With `keepFinished` false, a process is dropped (its store
    /// freed) once it has terminated; its exit block stays in `finishedExits`.
    public init(keepLimit: Int = 10_000, keepFinished: Bool = true, keepsCurrentRecord: Bool = true) {
        recorder = ReplayRecorder(keepLimit: keepLimit)
        self.keepFinished = keepFinished
        self.keepsCurrentRecord = keepsCurrentRecord
    }

    /// Line mismatches found so far (the first `keepLimit`).
    public var mismatches: [LineMismatch] { recorder.mismatches }
    /// The number of memory lines with any differing figure.
    public var lineMismatchCount: Int { recorder.mismatchLines.count }
    /// Problems with the trace itself (cut, garbled, unknown addresses).
    public var problems: [ReplayProblem] { recorder.problems }
    /// Every `----Exit` line compared, process by process.
    public var exitComparisons: [ExitLineComparison] { processes.flatMap(\.exitComparisons) }

    /// Applies one record (one physical line of the trace).
    public func apply(_ r: TraceRecord) {
        linesRead += 1
        currentLine = r.line
        if keepsCurrentRecord { currentRecord = r }
        if r.pid != nil { sawPidPrefix = true }
        switch r.event {
        case .version(let v):
            startProcess(pid: v.pid, purpose: "fresh-exec", line: r.line)
            currentProcess = active
        case .forking(_, let purpose):
            guard let parent = process(for: r) else { return }
            pendingForks.append((purpose, parent, parent.history.count))
            currentProcess = parent
        case .postfork(let purpose):
            guard let i = pendingForks.lastIndex(where: { $0.purpose == purpose }) else {
                recorder.problem(ReplayProblem(line: r.line, message: "postfork: \(purpose) with no 'forking for \(purpose)' before it"))
                _ = process(for: r)
                return
            }
            let f = pendingForks.remove(at: i)
            if r.pid == nil { unprefixedFork = true }
            // Without +pid, the parent may already have named the child ("forked for … : pid").
            let pid = r.pid ?? forkedBeforePostfork.removeValue(forKey: purpose)
            do {
                let child = try f.parent.fork(historyCount: f.history, pid: pid, purpose: purpose)
                register(child)
                if let pid { byPid[pid] = child }
                active = child
                currentProcess = child
            } catch {
                recorder.problem(ReplayProblem(line: r.line, message: "cannot make a store for the child: \(error)"))
            }
        case .forked(_, let purpose, let childPid):
            if r.pid == nil {
                if let child = processes.last(where: { $0.pid == nil && $0.purpose == purpose && $0.parent != nil }) {
                    child.pid = childPid
                    byPid[childPid] = child
                    // This line is the parent's: it runs again.
                    active = child.parent ?? active
                } else if pendingForks.contains(where: { $0.purpose == purpose }) {
                    forkedBeforePostfork[purpose] = childPid
                }
            }
            currentProcess = process(for: r)
        case .terminating(let pid, _, let rc):
            let p = byPid[pid] ?? process(for: r)
            if let p, !p.isTerminated { liveInFamily[p.family] -= 1 }
            p?.isTerminated = true
            p?.exitCode = rc
            if let name = r.event.terminatingName { p?.purpose = name }
            p?.finishPending()
            if let p, active === p {
                active = p.parent.flatMap { $0.isTerminated ? nil : $0 } ?? processes.last { !$0.isTerminated && $0 !== p }
            }
            currentProcess = p
            if let p { retire(p) }
        case .noise:
            let p = process(for: r, create: false)
            p?.apply(r)
            currentProcess = p
        case .malformed(let text):
            recorder.problem(ReplayProblem(line: r.line, message: "cut or garbled record: \(text.prefix(80))"))
            currentProcess = process(for: r, create: false)
        default:
            guard var p = process(for: r) else { return }
            if r.event.isMemory {
                memoryRecords += 1
                if r.pid == nil, let held = heldMark {
                    // The mark's first get (the cookie) tells whose mark it was.
                    heldMark = nil
                    if let other = consistentAlternative(to: p, for: r) {
                        p = other
                        active = other
                        attributedByConsistency += 1
                    }
                    p.apply(held)
                } else if r.pid == nil, case .mark = r.event, liveCandidates(besides: p) {
                    heldMark = r
                    currentProcess = p
                    return
                } else if r.pid == nil, let other = consistentAlternative(to: p, for: r) {
                    p = other
                    active = other
                    attributedByConsistency += 1
                }
            }
            p.apply(r)
            currentProcess = p
        }
    }

    /// Whether another live process shares the unprefixed stream with `p`.
    private func liveCandidates(besides p: ProcessReplay) -> Bool {
        p.family < liveInFamily.count && liveInFamily[p.family] > (p.isTerminated ? 0 : 1)
    }

    /// Ends the input: anything pending in any process is applied or reported.
    public func finish() {
        if let held = heldMark, let p = active {
            heldMark = nil
            p.apply(held)
        }
        for p in processes where !p.isTerminated {
            p.finishPending()
            if !p.exitComparisons.isEmpty { finishedExits.append(p.exitReport) }
        }
        for f in pendingForks {
            recorder.problem(ReplayProblem(line: currentLine, message: "'forking for \(f.purpose)' with no postfork line"))
        }
        pendingForks = []
    }

    /// Records a terminated process's exit block; drops it unless `keepFinished`.
    private func retire(_ p: ProcessReplay) {
        if !p.exitComparisons.isEmpty { finishedExits.append(p.exitReport) }
        guard !keepFinished else { return }
        processes.removeAll { $0 === p }
        if let pid = p.pid, byPid[pid] === p { byPid[pid] = nil }
        if currentProcess === p { currentProcess = nil }
        pendingForks.removeAll { $0.parent === p }
    }

    private func register(_ p: ProcessReplay) {
        processes.append(p)
        processCount += 1
        while liveInFamily.count <= p.family { liveInFamily.append(0) }
        liveInFamily[p.family] += 1
    }

    // MARK: routing

    private func startProcess(pid: Int, purpose: String, line: Int) {
        do {
            let p = try ProcessReplay(pid: pid, purpose: purpose, seeded: true, recorder: recorder)
            // An exec'd forked child (postfork, then a version line) keeps its parent.
            if let old = byPid[pid], let parent = old.parent {
                p.parent = parent
                p.parentPid = parent.pid
                p.purpose = old.purpose
                p.family = old.family
                // The forked image is gone: the exec replaced it.
                if !old.isTerminated { liveInFamily[old.family] -= 1 }
                old.isTerminated = true
                retire(old)
            } else {
                nextFamily += 1
                p.family = nextFamily
            }
            register(p)
            byPid[pid] = p
            active = p
        } catch {
            recorder.problem(ReplayProblem(line: line, message: "cannot make a store: \(error)"))
        }
    }

    /// The process a line belongs to: by its pid prefix, else the active one. A memory
    /// line with no process yet starts an anonymous one (the trace began mid-way).
    private func process(for r: TraceRecord, create: Bool = true) -> ProcessReplay? {
        if let pid = r.pid {
            if let p = byPid[pid] { return p }
            guard create else { return nil }
            recorder.problem(ReplayProblem(line: r.line, message: "pid \(pid) has no version or postfork line before it; replaying from an empty store"))
            return makeAnonymous(pid: pid, line: r.line)
        }
        if let a = active { return a }
        guard create else { return nil }
        recorder.problem(ReplayProblem(line: r.line, message: "no 'Exim version' line before the first record; replaying from an empty store"))
        return makeAnonymous(pid: nil, line: r.line)
    }

    private func makeAnonymous(pid: Int?, line: Int) -> ProcessReplay? {
        guard let p = try? ProcessReplay(pid: pid, purpose: "unknown", seeded: false, recorder: recorder) else { return nil }
        nextFamily += 1
        p.family = nextFamily
        register(p)
        if let pid { byPid[pid] = p }
        if pid == nil || !sawPidPrefix { active = p }
        return p
    }

    /// Without `+pid`, a record that does not fit the active process but fits exactly
    /// one other live process of the same stream goes to that one.
    private func consistentAlternative(to p: ProcessReplay, for r: TraceRecord) -> ProcessReplay? {
        guard liveCandidates(besides: p), p.plausibility(of: r) == false else { return nil }
        let others = processes.filter { $0 !== p && !$0.isTerminated && $0.family == p.family && $0.plausibility(of: r) == true }
        return others.count == 1 ? others[0] : nil
    }
}

extension TraceEvent {
    /// The process name a `terminating` line gives.
    var terminatingName: String? {
        if case .terminating(_, let name, _) = self { return name } else { return nil }
    }
}
