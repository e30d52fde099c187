import EximTrace

/// Comparing a process's `----Exit` block (sections 9, 19.5–19.7 and 19.10).
extension ReplayCore {
    /// Compares and files the exit lines process `id` has printed, if any.
    func closeExitBlock(_ id: Int) {
        guard let p = procs[id]?.m, !p.exitLines.isEmpty, let l = lineages[p.lineage] else { return }
        let lines = compareExit(p, l)
        procs[id]!.m.exitLines = []
        var inferences = p.inferences
        if p.preTraceFrees > 0 {
            inferences.append(ReplayInference(line: p.lastLine, message: "\(p.preTraceFrees) ----Free line(s) of blocks malloc'd before the trace"))
        }
        findings.exit(ProcessExitReport(pid: p.pid, purpose: p.purpose, lines: lines, inferences: inferences))
    }

    @inline(__always) private func kB(_ bytes: Int) -> Int { (bytes &+ 1023) / 1024 }

    private func compareExit(_ p: ProcessModel, _ l: LineageInfo) -> [ExitLineComparison] {
        // Start-state candidates for what the trace does not show (section 19.5).
        let untouched = (0..<10).filter { l.touched & (1 << UInt16($0)) == 0 && !p.pools[$0].touched }
        let closed = (0..<10).filter { l.finds[$0]?.kind == .closed }
        let classKey = "\(l.version)|\(l.p0.map(String.init) ?? "?")|\(l.n0.map(String.init) ?? "?")"
        var candidates: [StartCandidate] = []
        var surplusNote: String?
        if let r = l.surplus {
            candidates = StartCandidate.ranked(surplus: r, untouched: untouched, closed: closed)
            if r > 0 {
                surplusNote = "start surplus R = \(r) bytes (P0 \(l.p0!) from line \(l.p0Line) minus \(l.p0! &- r) bytes of first-touch finds)"
            }
            if candidates.isEmpty {
                findings.problem(ReplayProblem(line: p.exitLines.first?.line ?? p.lastLine,
                                               message: "pid \(p.pid.map(String.init) ?? "?"): a start surplus of \(r) bytes that no candidate start state explains"))
            }
        }
        var eximPools: [Int: TraceExitPool] = [:]
        for r in p.exitLines { if case .exitPool(let e) = r.event, let i = e.pool.pairedIndex { eximPools[i] = e } }

        func predicted(_ i: Int, _ c: StartCandidate?) -> ExitFigures {
            if p.pools[i].touched {
                let pm = p.pools[i]
                return ExitFigures(kB: kB(pm.maxBytes &+ (c?.closedExtra(i) ?? 0)), blocks: pm.maxBlocks, order: pm.maxOrder)
            }
            if let f = l.finds[i] { return ExitFigures(kB: kB(f.bytes &+ (c?.closedExtra(i) ?? 0)), blocks: f.blocks, order: f.maxOrder) }
            if l.touched & (1 << UInt16(i)) != 0 || c == nil { return ExitFigures(kB: 0, blocks: 0, order: 0) }
            let f = c!.figures(untouched: i)
            return ExitFigures(kB: kB(f.bytes), blocks: f.blocks, order: f.maxOrder)
        }
        let dependent = Set(untouched + closed)
        func exim(_ i: Int) -> ExitFigures? { eximPools[i].map { ExitFigures(kB: $0.kB, blocks: $0.blocks, order: $0.order) } }
        func reproduces(_ c: StartCandidate) -> Bool { dependent.allSatisfy { i in exim(i).map { predicted(i, c) == $0 } ?? true } }
        func disagree(_ cs: [StartCandidate], _ i: Int) -> Bool { Set(cs.map { predicted(i, $0).description }).count > 1 }

        /// The whole start state a candidate gives this lineage: (blocks, bytes) for every
        /// paired pool. A class's survivors are start states, so they carry over to later
        /// processes of the class whatever pools those touched.
        func startState(_ c: StartCandidate) -> [Int] {
            var v: [Int] = []
            v.reserveCapacity(20)
            for i in 0..<10 {
                if let f = l.finds[i] { v += [f.blocks, f.bytes + c.closedExtra(i)] }
                else if l.touched & (1 << UInt16(i)) != 0 || p.pools[i].touched { v += [0, 0] }
                else { let f = c.figures(untouched: i); v += [f.blocks, f.bytes] }
            }
            return v
        }
        // Section 19.6: a calibrated class keeps only its surviving start states.
        if let survivors = poolClasses[classKey] {
            let kept = candidates.filter { survivors.contains(startState($0)) }
            if !kept.isEmpty { candidates = kept }
        }
        var chosen = candidates.first
        var calibratedPools: Set<Int> = []
        var basisFor: [Int: String] = [:]
        let undecided = dependent.filter { disagree(candidates, $0) }
        if !undecided.isEmpty {
            let matching = candidates.filter(reproduces)
            if poolClasses[classKey] == nil, let first = matching.first {
                poolClasses[classKey] = matching.map(startState)
                chosen = first
                calibratedPools = Set(undecided)
            } else {
                if !matching.isEmpty { poolClasses[classKey] = matching.map(startState) }
                for i in undecided { basisFor[i] = "ranked start state (Exim start-up knowledge: pool 6, then 5, then index order): \(chosen?.description ?? "none")" }
            }
        }

        var out: [ExitLineComparison] = []
        for r in p.exitLines {
            switch r.event {
            case .exitPool(let e):
                let eFig = ExitFigures(kB: e.kB, blocks: e.blocks, order: e.order)
                switch e.pool {
                case .paired(let i) where i >= 0 && i < 10:
                    let pf = predicted(i, chosen)
                    var basis: String?
                    var inferred = false
                    if let b = basisFor[i] { basis = b; inferred = true }
                    else if calibratedPools.contains(i) {
                        basis = "calibrates start-up class \(classKey): candidates \(candidates.filter(reproduces).map(\.description).joined(separator: " | "))"
                        inferred = true
                    } else if let f = l.finds[i] {
                        basis = f.kind == .floating ? "one order-12 block from before the trace, found by first touch at line \(f.line)"
                                                    : "\(f.blocks) full block(s) from before the trace, found at line \(f.line)" + (chosen?.closedExtra(i) ?? 0 > 0 ? " plus \(chosen!.closedExtra(i)) custom bytes (\(surplusNote ?? ""))" : "")
                        inferred = true
                    } else if dependent.contains(i), let c = chosen, c.figures(untouched: i).blocks > 0 {
                        basis = "\(c.description): \(surplusNote ?? "start surplus")" + (candidates.count == 1 ? " (the only candidate)" : " (all surviving candidates agree)")
                        inferred = true
                    }
                    out.append(ExitLineComparison(line: r.line, subject: .pool(e.pool), exim: eFig, replay: pf, inferred: inferred,
                                                  basis: basis, calibrated: calibratedPools.contains(i) && pf == eFig))
                case .quoted(let n?) where n >= 0 && n < p.quoted.count:
                    let q = p.quoted[n].pool
                    out.append(ExitLineComparison(line: r.line, subject: .pool(e.pool), exim: eFig,
                                                  replay: ExitFigures(kB: kB(q.maxBytes), blocks: q.maxBlocks, order: q.maxOrder)))
                default:
                    out.append(ExitLineComparison(line: r.line, subject: .pool(e.pool), exim: eFig, replay: nil))
                }
            case .exitNpools(let k):
                if let p0 = l.p0 {
                    out.append(ExitLineComparison(line: r.line, subject: .npools, exim: ExitFigures(kB: k),
                                                  replay: ExitFigures(kB: (p0 &+ p.maxPoolDelta) / 1024), inferred: true,
                                                  basis: "P0 = \(p0) solved from line \(l.p0Line); the high-water at start taken as P0"))
                } else {
                    out.append(ExitLineComparison(line: r.line, subject: .npools, exim: ExitFigures(kB: k), replay: ExitFigures(kB: 0),
                                                  basis: "no pool total printed: P0 unknown", notDerivable: ["kB"]))
                }
            case .exitNonpool(let k, let b):
                out.append(nonpool(r.line, k, b, p, l, chosen))
            default:
                break
            }
        }
        return out
    }

    /// The `nonpool` line: kB exact once N0 is solved; the block count by start-up class (section 19.6).
    private func nonpool(_ line: Int, _ k: Int, _ b: Int, _ p: ProcessModel, _ l: LineageInfo, _ chosen: StartCandidate?) -> ExitLineComparison {
        var notDerivable: [String] = []
        var basis: [String] = []
        var replayKB = 0
        if let n0 = l.n0 {
            replayKB = kB(n0 &+ p.maxNonpoolDelta)
            basis.append("N0 = \(n0) solved from line \(l.n0Line)")
        } else {
            notDerivable.append("kB")
            basis.append("no --Malloc figure: N0 unknown")
        }
        let preBlocks = l.finds.values.reduce(0) { $0 + $1.blocks } + (chosen?.totalBlocks ?? 0)
        let key = "\(l.version)|\((l.n0 ?? 0) &- 8 &* preBlocks)"
        let isNew = nonpoolClasses[key] == nil
        let set = nonpoolClasses[key] ?? .all
        let predictions = set.predictions(p.staircase).filter { $0 >= 0 }
        let distinct = Array(Set(predictions)).sorted()
        var replayBlocks = distinct.first ?? 0
        var alternatives: [ExitFigures] = []
        if distinct.count == 1 {
            basis.append("non-pool block counts at start from start-up class \(key) (calibrated earlier)")
        } else {
            notDerivable.append("blocks")
            alternatives = distinct.prefix(6).map { ExitFigures(kB: replayKB, blocks: $0) }
            basis.append(isNew ? "the block count at start is never printed: this line calibrates start-up class \(key)"
                               : "the block count at start is never printed; class \(key) still has \(distinct.count) candidate values")
            replayBlocks = distinct.contains(b) ? b : replayBlocks
        }
        let narrowed = set.narrowed(p.staircase, to: b)
        if narrowed.pairs.isEmpty {
            if distinct.count == 1 { nonpoolClasses[key] = set }
        } else {
            nonpoolClasses[key] = narrowed
        }
        return ExitLineComparison(line: line, subject: .nonpool, exim: ExitFigures(kB: k, blocks: b),
                                  replay: ExitFigures(kB: replayKB, blocks: replayBlocks), inferred: true,
                                  basis: basis.joined(separator: "; "), notDerivable: notDerivable, alternatives: alternatives)
    }
}
