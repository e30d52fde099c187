@_spi(Replay) import Store
import EximTrace

/// Comparing the store's account of an operation with Exim's, figure by figure, and
/// carrying on from Exim's figures after a difference.
extension ProcessReplay {
    // MARK: comparison

    /// Pairs the store's lines with Exim's in order; a line on one side only is a difference.
    func compareSequence(_ ours: [OurLine], _ exim: [TraceRecord]) {
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
    func compare(_ o: OurLine, _ r: TraceRecord) {
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
    func missedShift(_ o: OurLine) -> Int {
        o.seedEpoch >= seedShifts.count ? 0 : seedShifts[o.seedEpoch...].reduce(0, +)
    }

    func key(of owner: PoolOwner) -> Int {
        switch owner {
        case .paired(let id): return id.index
        case .quoted(let q): return BlockMap.quotedKeyBase + q.id
        }
    }

    func hex(_ v: UInt64) -> String { "0x" + String(v, radix: 16) }

    /// A get's address: the same offset in the same block as Exim's. An unmapped block is
    /// mapped here (a config block, or a block from before the trace).
    func checkGetAddress(ours oa: UInt64, exim ea: UInt64, _ r: TraceRecord) {
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

    func checkPoolTotal(_ ours: Int, _ exim: Int, _ r: TraceRecord) {
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
    func seedPreTracePermBlock() -> Bool {
        guard backing.cursor(of: PoolID(.perm, tainted: true)).yieldLength < 0 else { return false }
        let saved = capture.lines
        _ = try? backing.getPerm(0, .tainted)
        capture.lines = saved
        refreshTotals()
        inferredPools.insert(6)
        // The non-pool total moved by +8 for this block; the first non-pool figure re-seeds it.
        return true
    }

    func checkNonpoolTotal(_ ours: Int, _ exim: Int, _ r: TraceRecord) {
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
}
