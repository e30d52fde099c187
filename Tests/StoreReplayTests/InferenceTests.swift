import FixtureSupport
import Testing
import EximTrace
import StoreReplay

/// State from before the trace (section 18): pool 5's 384 bytes, the pre-trace
/// block in pool 6, the non-pool counters' start values.
@Suite struct InferenceTests {
    @Test func poolFiveHolds384BytesAndIsMarkedInferred() throws {
        let report = CheckReport.check(try TraceReader(path: Fixtures.path("traces/trace1-bt.txt")))
        let p = try #require(report.processes.first)
        #expect(p.inferences.contains { $0.message.contains("pool 5 holds 384 bytes") })
        #expect(p.inferences.contains { $0.message.contains("starts 384 bytes before") })
        let pool5 = p.lines.first { $0.subject == .pool(.paired(5)) }
        #expect(pool5?.inferred == true && pool5?.matches == true)
        #expect(p.lines.first { $0.subject == .pool(.paired(0)) }?.inferred == false)
        #expect(p.lines.first { $0.subject == .nonpool }?.inferred == true)
    }

    @Test func aPreTraceBlockInPoolSixIsDeducedFromTheFirstPoolTotal() throws {
        // trace3's first mark shows pool 8160: pool 5's block plus an unseen one.
        let report = CheckReport.check(try TraceReader(path: Fixtures.path("traces/trace3-bh.txt")))
        let p = try #require(report.processes.first)
        #expect(p.inferences.contains { $0.line == 2 && $0.message.contains("pool 6") })
        let pool6 = p.lines.first { $0.subject == .pool(.paired(6)) }
        #expect(pool6?.inferred == true && pool6?.matches == true)
        // trace1 needs no such block.
        let t1 = CheckReport.check(try TraceReader(path: Fixtures.path("traces/trace1-bt.txt")))
        #expect(!(t1.processes.first?.inferences.contains { $0.message.contains("pool 6") } ?? true))
    }

    @Test func messageIdArgumentStartsNonpoolBlocksAtNine() throws {
        // trace6 is `exim -M <id>`: 26 blocks at exit only with the 9/8 start values.
        let lines = TraceText.lines("traces/trace6-deliver-remote.txt")
        let ok = TraceText.check(lines)
        let nonpool = ok.processes.first?.lines.first { $0.subject == .nonpool }
        #expect(nonpool?.exim == ExitFigures(kB: 73, blocks: 26) && nonpool?.matches == true)
        #expect(ok.processes.first?.inferences.contains { $0.message.contains("started at 9") } == true)
        // Without the argument line the replay starts at 7 and is two blocks short.
        let argLine = try #require(TraceText.index(lines, of: " args: "))
        var edited = lines
        edited[argLine] = "  cwd=/ (argument list removed)"
        let off = TraceText.check(edited)
        let np = off.processes.first?.lines.first { $0.subject == .nonpool }
        #expect(np?.replay == ExitFigures(kB: 73, blocks: 24))
        #expect(off.hasDifferences)
    }

    @Test func startValuesAreNamedConstants() {
        #expect(ReplayConstants.preTraceTaintedMainBytes == 384)
        #expect(ReplayConstants.startNonpoolBlocks == 7 && ReplayConstants.startMaxNonpoolBlocks == 8)
        #expect(ReplayConstants.startNonpoolBlocksAfterMessageID == 9 && ReplayConstants.startMaxNonpoolBlocksAfterMessageID == 8)
    }
}
