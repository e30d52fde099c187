@_spi(Replay) import Store
import EximFormats
import EximTrace

/// The argument line, the `----Exit` block, and attribution of unprefixed lines.
extension ProcessReplay {
    // MARK: arguments and exit

    /// `cwd=/ 4 args: /usr/sbin/exim4 -d+memory -M 1xWd9R-0007BX-0d`: a message-id
    /// argument means Exim checked an id (two more non-pool blocks) before output began.
    func argumentsLine(_ text: String, _ r: TraceRecord) {
        history.append(r)
        guard !messageIDArgument, seededAtStart else { return }
        let words = text.split(separator: " ")
        var found = false
        for (i, w) in words.enumerated() where (w.hasPrefix("-M") || w.hasPrefix("-E")) && i + 1 < words.count {
            if MessageIDFormat.of(words[i + 1]) != nil { found = true; break }
        }
        guard found else { return }
        messageIDArgument = true
        applyUnappliedFrees()
        let s = backing.statistics()
        seedNonpool(malloc: s.nonpoolMalloc, maxMalloc: s.maxNonpoolMalloc,
                                  blocks: count9.blocks, maxBlocks: count9.maxBlocks)
        inferences.append(ReplayInference(line: r.line, message: "non-pool blocks started at \(ReplayConstants.startNonpoolBlocksAfterMessageID), high-water \(ReplayConstants.startMaxNonpoolBlocksAfterMessageID) (message-id argument)"))
    }

    func exitLine(_ r: TraceRecord) {
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
}
