import Testing
@testable import Store

/// Issue point 10: statistics as a value snapshot.
@Suite struct StatisticsTests {
    @Test func aSnapshotOutlivesResets() throws {
        let s = try Store()
        let m = try s.mark()
        for _ in 0..<200 { _ = try s.get(100) }
        let snap = s.statistics()
        try s.reset(to: m)
        let now = s.statistics()
        #expect(snap != now)
        #expect(snap.pools[0].chain.count == 3 && now.pools[0].chain.count == 1)
        #expect(snap.pools[0].currentBlock == 2)
        #expect(snap.pools[0].usedBytes == 8 + 200 * 104)
        #expect(now.pools[0].maxBytes == snap.pools[0].maxBytes)
        #expect(now.maxPoolMalloc == snap.maxPoolMalloc && now.poolMalloc < snap.poolMalloc)
        #expect(snap[PoolID(.main, tainted: true)].blocks == 1)
    }

    @Test func chainShowsUseOfEveryBlock() throws {
        let s = try Store()
        _ = try s.get(4000)
        _ = try s.get(100)                      // no room: block 2
        let st = s.stats(.main)
        #expect(st.chain == [BlockStatistics(length: 4064, used: 4000), BlockStatistics(length: 8160, used: 104)])
        #expect(st.currentBlock == 1)
        #expect(s.stats(.perm).currentBlock == nil && s.stats(.perm).chain.isEmpty)
    }

    @Test func exitLinesAreEximsFormat() throws {
        let s = try Store()
        _ = try s.malloc(5000)
        _ = try s.get(100)
        _ = try s.get(9000, .tainted)
        let lines = s.exitLines()
        #expect(lines[0] == "----Exit nonpool max:   5 kB in 0 blocks")
        #expect(lines[1] == "----Exit npools  max:  12 kB")
        #expect(lines[2] == "----Exit  pool  0 max:   4 kB in 1 blocks at order 13\tuntainted main")
        #expect(lines[3] == "----Exit  pool  1 max:   0 kB in 0 blocks at order 0\tuntainted perm")
        #expect(lines[7] == "----Exit  pool  5 max:   9 kB in 1 blocks at order 13\ttainted main")
        #expect(lines.count == 12)
        let log = TraceLog(s)
        s.traceExit()
        #expect(log.take() == lines)
    }
}
