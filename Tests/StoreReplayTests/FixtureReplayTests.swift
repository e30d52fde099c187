import FixtureSupport
import Testing
import EximTrace
import StoreReplay

/// The fidelity target: on the eleven real traces, zero line mismatches and every
/// `----Exit` line matched.
@Suite struct FixtureReplayTests {
    @Test(arguments: Fixtures.traceNames)
    func replayMatchesEximOnEveryLineAndExitLine(name: String) throws {
        let report = CheckReport.check(try TraceReader(path: Fixtures.path(name)))
        #expect(report.lineMismatches == 0, "\(report.mismatches.prefix(5))")
        #expect(report.problems.isEmpty, "\(report.problems.prefix(5))")
        // Each Exit block has 12 lines to compare (nonpool, npools, ten pools); count the
        // blocks independently. trace2 (-bp) has none, trace5 four, e5 (a queue run) 22.
        let blocks = Fixtures.grepCount("----Exit npools", name)
        #expect(blocks >= 0 && report.compared == 12 * blocks)
        #expect(report.matched == report.compared)
        #expect(!report.hasDifferences)
        // Every memory line was replayed (count them independently).
        let memory = Fixtures.grepCount("(---([0-9]+|QQ|Q[0-9]+) (Get|Ext|Rel|Rst|Mrk) |--Malloc |----Free |-Release |non-last memory|allocating quoted)", name)
        #expect(report.memoryRecords == memory)
    }

    @Test func forkedChildrenStartFromTheirParentsPools() throws {
        // trace4: the parent and three delivery children (+pid); trace6: one transport child, no +pid.
        let t4 = CheckReport.check(try TraceReader(path: Fixtures.path("traces/trace4-deliver-local.txt")))
        #expect(t4.processCount == 4 && t4.lineMismatches == 0)
        let replay = TraceReplay()
        let reader = try TraceReader(path: Fixtures.path("traces/trace6-deliver-remote.txt"))
        while let r = reader.next() { replay.apply(r) }
        replay.finish()
        #expect(replay.processes.map(\.pid) == [28557, 28559])
        #expect(replay.processes[1].parentPid == 28557 && replay.processes[1].purpose == "transport")
        #expect(replay.lineMismatchCount == 0)
    }

    @Test func unprefixedForksAreAttributedByConsistency() throws {
        // trace4 and trace5 with their +pid/+timestamp prefixes removed.
        for name in ["traces/trace4-deliver-local.txt", "traces/trace5-daemon.txt"] {
            let stripped = TraceText.lines(name).map { line -> String in
                var s = Substring(line)
                if s.count > 9, s.dropFirst(2).first == ":" { s = s.dropFirst(9) }
                // `%5d `: left padding, the digits, exactly one space.
                let pad = s.prefix { $0 == " " }
                let digits = s.dropFirst(pad.count).prefix { $0.isNumber }
                if !digits.isEmpty, pad.count + digits.count >= 5, s.dropFirst(pad.count + digits.count).first == " " {
                    s = s.dropFirst(pad.count + digits.count + 1)
                }
                return String(s)
            }
            let report = TraceText.check(stripped)
            #expect(report.lineMismatches == 0, "\(name): \(report.mismatches.prefix(3))")
            #expect(report.matched == report.compared && report.compared > 0)
            #expect(report.attributedByConsistency > 0)
        }
    }

    @Test func exitBlocksOfTrace5SideBySide() throws {
        let report = CheckReport.check(try TraceReader(path: Fixtures.path("traces/trace5-daemon.txt")))
        #expect(report.processes.map(\.pid) == [28351, 28358, 28357, 28346])
        #expect(report.processes.map(\.purpose) == ["cipher-validate", "daemon-accept-delivery", "daemon-accept", "daemon"])
        let accept = report.processes[2].lines
        guard case .pool(.paired(6)) = accept[8].subject else { Issue.record("not pool 6"); return }
        #expect(accept[8].exim == ExitFigures(kB: 52, blocks: 3, order: 15))
        #expect(accept[8].replay == accept[8].exim)
    }
}
