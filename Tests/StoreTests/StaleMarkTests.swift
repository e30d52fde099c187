import Testing
@_spi(Replay) @_spi(Testing) import Store

/// Issue 10 point 7: a mark that a reset to an older mark undid is refused.
@Suite struct StaleMarkTests {
    /// Everything a reset could change: statistics and every pool's cursor.
    static func state(_ s: Store) -> (StoreStatistics, [UnsafeMutableRawPointer?], [Int]) {
        (s.statistics(), PoolID.allPaired.map { s.cursor(of: $0).nextYield },
         PoolKind.allCases.map { s.validMarkCountForTesting($0) })
    }

    @Test(arguments: [false, true])
    func aNewerMarkIsStaleAfterAResetToAnOlderOne(poison: Bool) throws {
        let s = try Store(options: .init(poisonOnRelease: poison))
        let older = try s.mark()
        let keep = try s.get(64)
        let newer = try s.mark()
        _ = try s.get(64); _ = try s.get(64, .tainted)
        try s.reset(to: older)
        // Live data again over the newer mark's cookie (a pointer into the tainted twin,
        // the worst case: it looks like a watermark).
        let live = try s.get(64), liveT = try s.get(64, .tainted)
        for k in 0..<8 { (live + 8 * k).storeBytes(of: UInt(bitPattern: liveT), as: UInt.self) }
        let before = Self.state(s)
        #expect(throws: StoreError.badMark) { try s.reset(to: newer) }
        let after = Self.state(s)
        #expect(after.0 == before.0 && after.1 == before.1 && after.2 == before.2)
        // The next get does not overlap live data.
        let next = try s.get(8)
        #expect(next >= live + 64)
        _ = keep
    }

    @Test(arguments: [false, true])
    func aNewerMarkIsStaleEvenWithNoGetsInBetween(poison: Bool) throws {
        let s = try Store(options: .init(poisonOnRelease: poison))
        let older = try s.mark()
        _ = try s.get(100)
        let newer = try s.mark()
        try s.reset(to: older)
        let before = Self.state(s)
        #expect(throws: StoreError.badMark) { try s.reset(to: newer) }
        #expect(Self.state(s).0 == before.0 && Self.state(s).1 == before.1)
    }

    @Test func staleAcrossBlocksAndOnTheSlowPath() throws {
        let s = try Store()
        let log = TraceLog(s)                      // every operation on the slow path
        let older = try s.mark()
        for _ in 0..<200 { _ = try s.get(100); _ = try s.get(100, .tainted) }   // later blocks
        let newer = try s.mark()
        try s.reset(to: older)
        for _ in 0..<200 { _ = try s.get(100); _ = try s.get(100, .tainted) }   // blocks again
        _ = log.take()
        let before = Self.state(s)
        #expect(throws: StoreError.badMark) { try s.reset(to: newer) }
        #expect(log.take().isEmpty)
        #expect(Self.state(s).0 == before.0 && Self.state(s).1 == before.1)
    }

    @Test func nestedMarksStillWorkAndAResetKeepsOlderMarks() throws {
        let s = try Store()
        let a = try s.mark()
        _ = try s.get(10)
        let b = try s.mark()
        _ = try s.get(10)
        let c = try s.mark()
        try s.reset(to: c)                         // innermost first: all fine
        try s.reset(to: b)
        #expect(s.validMarkCountForTesting(.main) == 1)
        _ = try s.get(10)
        let d = try s.mark()                       // a new mark where c was
        try s.reset(to: d)
        #expect(throws: StoreError.badMark) { try s.reset(to: c) }   // c is gone for good
        try s.reset(to: a)
        #expect(s.validMarkCountForTesting(.main) == 0)
    }

    /// A reset that pops several marks at once: a mark it popped stays refused after new
    /// marks reach its depth again (without a reset in between), fast path or slow.
    @Test(arguments: [false, true])
    func aMarkPoppedByADeeperResetNeverComesBack(traced: Bool) throws {
        let s = try Store()
        if traced { s.traceSink = { _ in } }
        let a = try s.mark()
        _ = try s.get(10)
        let b = try s.mark()
        _ = try s.get(10)
        let c = try s.mark()                       // depth 2
        _ = try s.get(10)
        let e = try s.mark()                       // depth 3
        try s.reset(to: a)                         // pops b, c, e at once
        _ = try s.get(40)                          // over b's cookie; f's cookie then lands on c's
        let d = try s.mark(), f = try s.mark(), g = try s.mark()   // depths 0, 1, 2 again
        let before = StaleMarkTests.state(s)
        for stale in [b, c, e] {
            #expect(throws: StoreError.badMark) { try s.reset(to: stale) }
        }
        #expect(StaleMarkTests.state(s).0 == before.0 && StaleMarkTests.state(s).1 == before.1)
        try s.reset(to: g)
        try s.reset(to: f)
        try s.reset(to: d)
        #expect(s.validMarkCountForTesting(.main) == 0)
    }

    @Test func aSecondResetToTheSameMarkIsExims() throws {
        let s = try Store()
        let m = try s.mark()
        _ = try s.get(100)
        try s.reset(to: m)
        try s.reset(to: m)                         // cookie intact: accepted, as in Exim
        let reuse = try s.get(64)                  // reuses the cookie's bytes
        reuse.storeBytes(of: 42, as: UInt.self)
        let before = Self.state(s)
        #expect(throws: StoreError.badMark) { try s.reset(to: m) }
        #expect(Self.state(s).0 == before.0)
    }

    @Test func aMarkOfAnotherPoolIsRefused() throws {
        let s = try Store()
        let m = try s.mark()
        s.currentPool = .perm
        _ = try s.get(8)
        #expect(throws: StoreError.badMark) { try s.reset(to: m) }
        s.currentPool = .main
        try s.reset(to: m)
    }

    @Test(arguments: [false, true])
    func markResetLoopsKeepTheStackFlat(traced: Bool) throws {
        let s = try Store()
        if traced { s.traceSink = { _ in } }                  // every call on the slow path
        for _ in 0..<10_000 {
            let m = try s.mark()
            try s.reset(to: m)
        }
        #expect(s.validMarkCountForTesting(.main) == 0)
    }

    @Test func rawMarksAreUncheckedButKeepTheStackShort() throws {
        let s = try Store()
        for _ in 0..<10_000 {
            let m = try s.mark()
            _ = try s.get(32)
            try s.reset(to: Store.Mark(cookie: m.cookie))    // replay's way
        }
        #expect(s.validMarkCountForTesting(.main) == 0)
        #expect(!Store.Mark(cookie: try s.get(8)).isChecked)
    }
}

/// Where a mark lies, as plain values (for the monitor).
@Suite struct MarkPositionTests {
    @Test func positionsOfLiveAndStaleMarks() throws {
        let s = try Store()
        _ = try s.get(40)
        let a = try s.mark()
        #expect(s.position(of: a).untainted == MarkPosition(block: 0, offset: 40))
        #expect(s.position(of: a).tainted == MarkPosition(block: 0, offset: 0))
        for _ in 0..<100 { _ = try s.get(100); _ = try s.get(50, .tainted) }
        let b = try s.mark()
        let pb = s.position(of: b)
        #expect(pb.untainted?.block == 1 && pb.tainted?.block == 1)
        let st = s.statistics()
        #expect(pb.tainted!.offset == st.pools[5].chain[1].used)
        try s.reset(to: a)
        #expect(s.position(of: b) == (nil, nil) || s.position(of: b).untainted == nil)
        #expect(s.position(of: a).untainted == MarkPosition(block: 0, offset: 40))
        s.currentPool = .perm
        #expect(s.position(of: a).untainted == MarkPosition(block: 0, offset: 40))   // its own pool, not the current one
    }
}

/// Exim's block-sizing rules as pure functions.
@Suite struct BlockRulesTests {
    @Test func eximsSizingStaircase() {
        #expect(BlockRules.standardLength(order: 12, restrictedMemory: false) == 4064)
        #expect(BlockRules.standardLength(order: 14, restrictedMemory: false) == 16352)
        #expect(BlockRules.standardLength(order: 20, restrictedMemory: true) == 4064)
        #expect(BlockRules.newBlockLength(request: 20001, order: 12, restrictedMemory: false) == 20008)
        var o = (order: 12, maxOrder: 0)
        var seen: [Int] = []
        for _ in 0..<4 { o = BlockRules.afterNewBlock(order: o.order, maxOrder: o.maxOrder, restrictedMemory: false); seen.append(o.maxOrder) }
        #expect(seen == [13, 13, 15, 15])
        #expect(BlockRules.afterFreedBlock(order: 13, restrictedMemory: false) == 13)
        #expect(BlockRules.afterFreedBlock(order: 15, restrictedMemory: false) == 14)
        #expect(BlockRules.keepsNextBlock(yieldAfterReset: 100, nextLength: 4080))
        #expect(!BlockRules.keepsNextBlock(yieldAfterReset: 100, nextLength: 4064))
        #expect(!BlockRules.keepsNextBlock(yieldAfterReset: 256, nextLength: 4080))
    }
}
