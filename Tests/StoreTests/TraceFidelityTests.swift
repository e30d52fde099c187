import FixtureSupport
import Testing
@_spi(Replay) @_spi(Testing) import Store

/// Real Exim 4.96 `-d+memory` traces replayed through the store: every memory line the
/// store prints (Get, Mrk, Rst, Rel, Ext, --Malloc, ----Free, -Release and the ----Exit
/// block) must equal Exim's own, addresses translated block by block.
@Suite struct TraceFidelityTests {
    @Test(arguments: ["trace1-bt.txt", "trace2-bp.txt", "e1-be-newblock.txt", "e2-be-config-negative.txt",
                      "e3-be-config-reuse.txt", "e4-be-keepone-discard.txt"])
    func replayReproducesEveryLine(_ name: String) throws {
        let r = try TraceReplayer(trace: try Fixtures.trace(name))
        try r.run()
        #expect(r.mismatches.isEmpty, "\(r.mismatches.prefix(8).joined(separator: "\n"))")
        #expect(r.compared > 100)
    }
}
