import Testing
@_spi(Replay) @_spi(Testing) import Store

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

@Suite("Clearing maxima")
struct ClearMaximaTests {
    @Test("clearMaxima restarts every high-water mark from the current figures")
    func clearMaximaRestartsHighWaterMarks() throws {
        let store = try Store()
        let m = try store.mark()
        for _ in 0..<200 { _ = try store.get(512) }          // several blocks in main
        _ = try store.get(100, .tainted)
        let p = try store.malloc(100)
        try store.reset(to: m)
        let before = store.statistics()
        #expect(before.pools[0].maxBlocks > before.pools[0].blocks)
        #expect(before.pools[0].maxBytes > before.pools[0].bytes)
        #expect(before.maxPoolMalloc > before.poolMalloc)

        store.clearMaxima()
        let after = store.statistics()
        for (i, pool) in after.pools.enumerated() {
            #expect(pool.maxBytes == pool.bytes, "pool \(i)")
            #expect(pool.maxBlocks == pool.blocks, "pool \(i)")
            #expect(pool.bytes == before.pools[i].bytes, "pool \(i): current figures unchanged")
            #expect(pool.chain == before.pools[i].chain, "pool \(i): chain unchanged")
        }
        #expect(after.pools[0].maxOrder == after.pools[0].order)
        #expect(after.pools[1].maxOrder == 0, "a pool that never had a block keeps order 0")
        #expect(after.maxPoolMalloc == after.poolMalloc)
        #expect(after.maxNonpoolBlocks == after.nonpoolBlocks)
        #expect(after.maxNonpoolMalloc == after.nonpoolMalloc)
        store.free(p)
    }
}
