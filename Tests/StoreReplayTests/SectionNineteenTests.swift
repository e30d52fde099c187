import FixtureSupport
import Foundation
import Testing
import EximTrace
import StoreReplay

/// One test per rule of exim-store.md section 19 (and the section 18 rules it keeps), on
/// the open fixtures that show it (section 19.13's table).
@Suite struct SectionNineteenTests {
    static func report(_ name: String) throws -> CheckReport { try AllTraces.check(name) }
    static func process(_ r: CheckReport, pid: Int) -> ProcessExitReport? { r.processes.first { $0.pid == pid } }
    static func line(_ p: ProcessExitReport?, pool i: Int) -> ExitLineComparison? { p?.lines.first { $0.subject == .pool(.paired(i)) } }

    // MARK: 19.1 reading a line

    @Test func pidPrefixIsDecidedPerLineMixedPrefixes() throws {
        // 19.1 item 2 / 19.8 item 5: a daemon started without +pid prints its first lines
        // unprefixed; once listening it and all its children print prefixed.
        let records = TraceParser.parseAll(try String(contentsOfFile: AllTraces.path("exim-4.98/traces/daemon.memory.txt"), encoding: .utf8))
        #expect(records.first?.pid == nil)
        if case .version(let v) = records.first?.event { #expect(v.pid == 6279) } else { Issue.record("no version line first") }
        #expect(records.contains { $0.pid == 6279 && $0.event.isMemory })
        #expect(records.contains { $0.pid == nil && $0.event.isMemory })
        // A number at the start of an unprefixed line that is no announced pid stays text.
        var p = TraceParser()
        _ = p.parse(line: "Exim version 4.99.1 uid=0 gid=0 pid=31150 D=f77b5cfd")
        let r = p.parse(line: "12345 messages in the queue")
        #expect(r.pid == nil)
        let known = p.parse(line: "31150 ---0 Get 0x55ac00f6d3a8     8 show_whats_sup 1261")
        #expect(known.pid == 31150 && known.kind == .get)
        for v in ["exim-4.98", "exim-4.99"] {
            let rep = try Self.report("\(v)/traces/daemon.memory.txt")
            #expect(rep.lineMismatches == 0 && rep.exitTotals.poolLinesMatched == rep.exitTotals.poolLines)
        }
    }

    @Test func indentIsStrippedAndCutRecordsAreNotOperations() {
        // 19.1 items 3–5 (4.99 qff+pid lines 595/596): the nesting indent, then a record cut
        // by the outer debug_printf's text.
        var p = TraceParser()
        _ = p.parse(line: "31152 postfork: qrun-delivery")
        let indented = p.parse(line: "31152    ╎ ---0 Get 0x55ac00f6de88   145 string_catn    1259")
        #expect(indented.pid == 31152 && indented.kind == .get && indented.gluedText == nil)
        let cut = p.parse(line: "31152    ╎ ---0 Get 0x55aharbour.test")
        #expect(cut.kind == .malformed)
        let glued = p.parse(line: "31152    ╎ ---0 Get 0x55ac00f6df20   145 string_catn    1259 and more text")
        #expect(glued.kind == .malformed)
        let forking = p.parse(line: "31152    ╎qrun-delivery forking for transport")
        #expect(forking.kind == .forking)
    }

    // MARK: 19.2 re-prints

    @Test func exactCopiesAreReprintsNotOperations() throws {
        // 4.99.1 qff+pid holds 51 exact copies (section 19.13); none is applied, and every
        // figure still matches. 4.96 traces hold none.
        let r = try Self.report("exim-4.99/traces/qff.memory+pid.txt")
        #expect(r.reprints == 51)
        #expect(r.cutRecords > 0)
        #expect(r.lineMismatches == 0 && r.exitTotals.poolLinesMatched == 352)
        #expect(try Self.report("exim-real/traces-extra/e5-qff-pid-forks.txt").reprints == 0)
        // Applying a copy would be a second get at an address already handed out.
        let lines = TraceText.lines("traces/trace1-bt.txt")
        let i = try #require(lines.indices.dropFirst(20).first { lines[$0].hasPrefix("---0 Get") && !lines[$0].contains("     0 ") })
        var copied = lines
        copied.insert(lines[i], at: i + 1)
        let rc = TraceText.check(copied)
        #expect(rc.reprints == 1 && rc.lineMismatches == 0 && rc.matched == rc.compared)
    }

    // MARK: 19.3 records after other text

    @Test func aRecordAfterOtherTextIsReal() throws {
        // trace6 line 721: `Connecting to … ---0 Get …` is a real get.
        let lines = TraceText.lines("traces/trace6-deliver-remote.txt")
        var p = TraceParser()
        let r = p.parse(line: lines[720])
        #expect(r.kind == .get && r.gluedText?.hasPrefix("Connecting to") == true)
        #expect(try Self.report("exim-real/traces/trace6-deliver-remote.txt").lineMismatches == 0)
        // Dropping it breaks the next figures: it was applied.
        var without = lines
        without[720] = "Connecting to 127.0.0.1 [127.0.0.1]:2999 ..."
        #expect(TraceText.check(without).lineMismatches > 0)
    }

    // MARK: 19.4 pre-trace blocks by first touch

    @Test func floatingBlockOnFirstTouch() throws {
        // trace1 lines 2–5: pool 5's first get has no --Malloc (process_info at +384).
        let r = try Self.report("exim-real/traces/trace1-bt.txt")
        let p = try #require(r.processes.first)
        #expect(p.inferences.contains { $0.line == 5 && $0.message.contains("pool 5 held a block before the trace") })
        let pool5 = try #require(Self.line(p, pool: 5))
        #expect(pool5.inferred && pool5.matches && pool5.basis?.contains("first touch at line 5") == true)
        #expect(Self.line(p, pool: 0)?.inferred == false)
    }

    @Test func aResetBackIntoAFloatingBlockPinsItsEnd() throws {
        let t3 = try Self.report("exim-real/traces/trace3-bh.txt")
        #expect(t3.processes.first?.inferences.contains { $0.line == 1898 && $0.message.contains("pinned") } == true)
        let fb = try Self.report("exim-real/traces-extra2/field-bs-bounce.txt")
        #expect(fb.processes.contains { $0.inferences.contains { $0.line == 2993 && $0.message.contains("pinned") } })
    }

    @Test func execdBounceProcessWithPreTraceBlocksInSeveralPools() throws {
        // field-bs-bounce pid 5101: pools 5 and 6 found by first touch, one more standard
        // block (R = 4080) in a pool no line names: calibrated on this first process of its class.
        let r = try Self.report("exim-real/traces-extra2/field-bs-bounce.txt")
        let p = try #require(Self.process(r, pid: 5101))
        #expect(p.inferences.filter { $0.message.contains("held a block before the trace") }.count >= 2)
        #expect(p.lines.allSatisfy { $0.matches || !$0.derivable })
        #expect(p.lines.contains { $0.calibrated })
    }

    @Test func closedBlocksFromAnOrderFourteenFirstMalloc() throws {
        // 4.99 Mvh: the perm pool's first traced block is order 14, so two full blocks
        // (orders 12 and 13) were there before; the rest of P0 is a custom block on them.
        for v in ["exim-4.98", "exim-4.99"] {
            let r = try Self.report("\(v)/traces/Mvh.memory+pid.txt")
            let p = try #require(r.processes.first)
            #expect(p.inferences.contains { $0.message.contains("pool 1 held 2 full block(s) (12256 bytes)") && $0.message.contains("order 14") })
            let pool1 = try #require(Self.line(p, pool: 1))
            #expect(pool1.matches && pool1.exim == ExitFigures(kB: 40, blocks: 3, order: 15))
            #expect(pool1.basis?.contains("12320 custom bytes") == true)
        }
    }

    // MARK: 19.5 the P0 surplus

    @Test func lineagePoolingChildFindsTheParentsBlock() throws {
        // trace5 line 542: the daemon-accept child (28357) finds pool 6's pre-trace block;
        // the daemon (28346), which never touches pool 6, has it too.
        let r = try Self.report("exim-real/traces/trace5-daemon.txt")
        let daemon = try #require(Self.line(Self.process(r, pid: 28346), pool: 6))
        #expect(daemon.matches && daemon.exim == ExitFigures(kB: 4, blocks: 1, order: 13))
        #expect(daemon.basis?.contains("first touch at line 542") == true)
    }

    @Test func candidateStartStatesAreRankedAndCalibratedPerClass() throws {
        // trace5: the first process of class (4.96, P0 8160, N0 17609) calibrates "1 standard
        // block in pool 6"; later processes of the class are checked, not calibrated.
        let r = try Self.report("exim-real/traces/trace5-daemon.txt")
        let first = try #require(r.processes.first)
        #expect(first.pid == 28351)
        let pool6 = try #require(Self.line(first, pool: 6))
        #expect(pool6.calibrated && pool6.basis?.contains("1 standard block in pool 6") == true)
        #expect(r.exitTotals.calibrated == 5 && r.exitTotals.poolLinesMatched == 44)
    }

    // MARK: 19.6 calibration of the non-pool block counts, 19.10 not derivable

    @Test func nonpoolBlockCountsAreNotDerivableUntilCalibrated() throws {
        let r = try Self.report("exim-real/traces/trace5-daemon.txt")
        let np = r.processes.compactMap { $0.lines.first { $0.subject == .nonpool } }
        #expect(np.count == 4)
        // The first of each class cannot be derived: never a match, never a mismatch.
        #expect(np[0].notDerivable == ["blocks"] && np[0].basis?.contains("calibrates start-up class") == true)
        #expect(np.allSatisfy { $0.replay?.kB == $0.exim.kB })
        let json = try #require(JSONSerialization.jsonObject(with: Data(r.json().utf8)) as? [String: Any])
        let procs = try #require(json["processes"] as? [[String: Any]])
        let first = try #require(procs.first?["nonpool"] as? [String: Any])
        #expect(first["derivable"] as? Bool == false && first["notDerivable"] as? [String] == ["blocks"])
        #expect(r.text().contains("blocks not derivable"))
        #expect(!r.hasDifferences)
    }

    // MARK: 19.8 processes

    @Test func aForkOutlivesItsParentsTermination() throws {
        // field-bs-bounce lines 4241/4259/4260: 5101 forks 5121 and terminates before 5121's
        // postfork; the child starts from the snapshot taken at the fork.
        let r = try Self.report("exim-real/traces-extra2/field-bs-bounce.txt")
        #expect(!r.problems.contains { $0.message.contains("postfork") || $0.message.contains("no version") })
        let child = try #require(Self.process(r, pid: 5121))
        #expect(child.purpose == "local-accept-delivery" && child.lines.allSatisfy { $0.matches || !$0.derivable })
    }

    @Test func anExecReplacesTheForkedChildOfTheSamePid() throws {
        // b-bs-bounce: 14633 is forked (postfork line 641), then exec'd (version line 683).
        let r = try Self.report("exim-real/traces-extra2/b-bs-bounce.memory+pid.txt")
        #expect(r.lineMismatches == 0 && r.exitTotals.poolLinesMatched == r.exitTotals.poolLines)
        #expect(Self.process(r, pid: 14633)?.purpose == "local-accept-delivery")
        #expect(!r.problems.contains { $0.message.contains("14633") })
    }

    // MARK: 19.9 without +pid

    @Test func concurrentProcessesWithoutPidAreAttributedByConsistency() throws {
        for name in ["exim-4.98/traces/qff.memory.txt", "exim-4.98/traces/bs.memory.txt", "exim-4.99/traces/qff.memory.txt", "exim-4.99/traces/bs.memory.txt"] {
            let r = try Self.report(name)
            #expect(r.sharedStreamLines > 0 && r.lineMismatches == 0, "\(name)")
            #expect(r.exitTotals.poolLinesMatched == r.exitTotals.poolLines, "\(name)")
            // Where another attribution fits every line as well, the report names it.
            if r.ambiguousCount > 0 {
                #expect(r.failed && r.summary.contains("not decidable"))
                #expect(r.text().contains("ambiguous: line"))
                let json = try #require(JSONSerialization.jsonObject(with: Data(r.json().utf8)) as? [String: Any])
                let amb = try #require(json["ambiguous"] as? [[String: Any]])
                #expect(!amb.isEmpty && amb.allSatisfy { !(($0["alternatives"] as? [String]) ?? []).isEmpty })
            }
        }
    }

    @Test func aParentWhoseChildPrintsAloneIsUndecidableWithoutItsExitBlock() throws {
        // trace6 (19.9 item 4): after the postfork only the child prints; the memory lines fit
        // parent and child alike. Its exit block decides; without it the report must say
        // the lines are undecided and name the alternatives.
        let lines = TraceText.lines("traces/trace6-deliver-remote.txt")
        let r = TraceText.check(lines)
        #expect(r.lineMismatches == 0 && r.sharedStreamLines > 0 && r.matched == r.compared)
        let noExit = lines.filter { !$0.hasPrefix("----Exit") }
        let u = TraceText.check(noExit)
        #expect(u.ambiguousCount > 0 && u.summary.hasPrefix("UNDECIDED"))
        #expect(u.ambiguous.contains { $0.alternatives.contains { $0.contains("transport") || $0.contains("fresh-exec") } })
    }

    @Test func withoutPidTheReportSaysHowManyLinesWereAttributedByConsistency() throws {
        let r = try Self.report("exim-4.98/traces/qff.memory.txt")
        #expect(r.summary.contains("no +pid:") && r.summary.contains("attributed by consistency"))
        #expect(r.json().contains("\"attributedByConsistency\": \(r.attributedByConsistency)"))
    }
}
