import Testing
@testable import Store

@Suite struct BasicTests {
    @Test func firstGetAllocatesFirstStandardBlock() throws {
        let s = try Store()
        let p = try s.get(10)
        let st = s.statistics()
        #expect(st.pools[0].blocks == 1)
        #expect(st.pools[0].bytes == 4080)
        #expect(st.pools[0].chain == [BlockStatistics(length: 4064, used: 16)])
        #expect(st.pools[0].order == 13 && st.pools[0].maxOrder == 13)
        #expect(st.poolMalloc == 4080 && st.nonpoolMalloc == 8)
        let q = try s.get(1)
        #expect(q == p + 16)
        #expect(Int(bitPattern: p) % 8 == 0)
    }

    @Test func markAndResetGiveBackEverything() throws {
        let s = try Store()
        _ = try s.get(100)
        let before = s.cursor(of: PoolID(.main, tainted: false))
        let m = try s.mark()
        for _ in 0..<1000 { _ = try s.get(64); _ = try s.get(32, .tainted) }
        #expect(s.statistics().pools[0].blocks > 1)
        try s.reset(to: m)
        let after = s.cursor(of: PoolID(.main, tainted: false))
        #expect(after.nextYield == before.nextYield)
        #expect(after.yieldLength == before.yieldLength)
        #expect(s.statistics().pools[0].blocks == 1)
        #expect(s.statistics().pools[5].blocks == 1)
    }
}
