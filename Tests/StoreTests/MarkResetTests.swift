import Testing
@_spi(Replay) @_spi(Testing) import Store

/// Issue point 5: marks and resets.
@Suite struct MarkResetTests {
    @Test func aMarkCoversThePoolAndItsTwinLikeExim() throws {
        let s = try Store()
        let log = TraceLog(s)
        let markLine = #line + 1
        let m = try s.mark()
        let lines = log.take()
        #expect(lines.count == 5)
        #expect(lines[0] == "---0 Mrk                    aMarkCoversThe \(TraceFormatForTesting.num(markLine, 4))\tpool 0")
        #expect(lines[1].hasPrefix("--Malloc ") && lines[2].hasPrefix("---0 Get \(TraceFormatForTesting.ptr(m.cookie))     8 "))
        #expect(lines[3].hasPrefix("--Malloc ") && lines[4].hasPrefix("---5 Get ") && lines[4].contains("     0 aMarkCoversThe"))
        let w = m.cookie.load(as: UInt.self)
        #expect(s.blockLocation(containing: UnsafeRawPointer(bitPattern: w)!)?.owner == .paired(PoolID(.main, tainted: true)))
    }

    @Test func resetGivesBackBothTwinsTaintedFirst() throws {
        let s = try Store()
        s.currentPool = .message
        let m = try s.mark()
        let u0 = s.cursor(of: PoolID(.message, tainted: false)), t0 = s.cursor(of: PoolID(.message, tainted: true))
        for _ in 0..<500 { _ = try s.get(100); _ = try s.get(50, .tainted) }
        let log = TraceLog(s)
        try s.reset(to: m)
        let rst = log.take().filter { $0.contains(" Rst ") }
        #expect(rst.count == 2 && rst[0].hasPrefix("---9 Rst") && rst[1].hasPrefix("---4 Rst \(TraceFormatForTesting.ptr(m.cookie))"))
        // Back to the mark (the cookie itself is given back too).
        #expect(s.cursor(of: PoolID(.message, tainted: false)).nextYield == m.cookie)
        #expect(s.cursor(of: PoolID(.message, tainted: true)) == t0)
        #expect(u0.nextYield == m.cookie + 8)
        #expect(s.stats(.message).blocks == 1 && s.stats(.message, tainted: true).blocks == 1)
    }

    @Test func aBadMarkIsATypedErrorAndTouchesNothing() throws {
        let s = try Store()
        _ = try s.get(8)
        s.currentPool = .perm
        let permMark = try s.mark()
        for _ in 0..<300 { _ = try s.get(64); _ = try s.get(64, .tainted) }
        s.currentPool = .main
        for _ in 0..<300 { _ = try s.get(64); _ = try s.get(64, .tainted) }
        func snapshot() -> (StoreStatistics, [UnsafeMutableRawPointer?]) {
            (s.statistics(), PoolID.allPaired.map { s.cursor(of: $0).nextYield })
        }
        let before = snapshot()
        #expect(throws: StoreError.badMark) { try s.reset(to: permMark) }         // made in another pool
        var x = 0
        _ = withUnsafeMutablePointer(to: &x) { q in
            #expect(throws: StoreError.badMark) { try s.reset(to: Store.Mark(cookie: UnsafeMutableRawPointer(q))) }
        }
        var after = snapshot()
        #expect(after.0 == before.0 && after.1 == before.1)
        // A cookie in the current pool whose watermark lies in no block of the twin.
        let fake = try s.get(8)
        fake.storeBytes(of: UInt(bitPattern: Int(bitPattern: fake) &+ 1 << 40), as: UInt.self)
        let mid = snapshot()
        #expect(throws: StoreError.badMark) { try s.reset(to: Store.Mark(cookie: fake)) }
        after = snapshot()
        #expect(after.0 == mid.0 && after.1 == mid.1)
        // A misaligned cookie inside a live block (a replay fuzz find): an error, not a trap.
        let real = try s.mark()
        _ = try s.get(100); _ = try s.get(100, .tainted)
        let beforeBad = snapshot()
        #expect(throws: StoreError.badMark) { try s.reset(to: Store.Mark(cookie: real.cookie + 3)) }
        after = snapshot()
        #expect(after.0 == beforeBad.0 && after.1 == beforeBad.1)
        try s.reset(to: real)
        // The perm mark still works where it belongs.
        s.currentPool = .perm
        try s.reset(to: permMark)
        #expect(s.stats(.perm).blocks == 1)
    }

    @Test func withMarkResetsAfterTheBodyAndOnThrow() throws {
        struct Boom: Error {}
        let s = try Store()
        _ = try s.get(8)
        let start = s.cursor(of: PoolID(.main, tainted: false))
        let n = try s.withMark { () -> Int in
            for _ in 0..<1000 { _ = try s.get(64) }
            return 42
        }
        #expect(n == 42)
        #expect(s.cursor(of: PoolID(.main, tainted: false)) == start)
        #expect(throws: Boom.self) {
            try s.withMark { () -> Int in
                for _ in 0..<1000 { _ = try s.get(64, .tainted) }
                throw Boom()
            }
        }
        #expect(s.cursor(of: PoolID(.main, tainted: false)) == start)
        #expect(s.stats(.main).blocks == 1 && s.stats(.main, tainted: true).blocks == 1)
    }

    @Test func nestedMarksResetInnerThenOuter() throws {
        let s = try Store()
        let outer = try s.mark()
        let a = try s.get(100)
        let inner = try s.mark()
        _ = try s.get(5000)
        try s.reset(to: inner)
        #expect(try s.get(8) == inner.cookie)
        try s.reset(to: outer)
        #expect(try s.get(8) == outer.cookie)
        _ = a
    }

    @Test func aPoolWithoutBlocksIsSkippedOnReset() throws {
        let s = try Store()
        s.currentPool = .search
        let p = try s.get(8)                          // untainted search has a block, its twin none
        p.storeBytes(of: UInt(bitPattern: Int(bitPattern: p)), as: UInt.self)
        _ = try s.get(100)
        try s.reset(to: Store.Mark(cookie: p))
        #expect(s.stats(.search, tainted: true).blocks == 0)
        #expect(s.cursor(of: PoolID(.search, tainted: true)).yieldLength == -1)
        #expect(s.cursor(of: PoolID(.search, tainted: false)).nextYield == p)
    }

    @Test func markAndResetAfterSwitchingPools() throws {
        let s = try Store()
        for kind in PoolKind.allCases {
            s.currentPool = kind
            let m = try s.mark()
            for _ in 0..<200 { _ = try s.get(48); _ = try s.get(24, .tainted) }
            s.currentPool = .main
            _ = try s.get(16)
            s.currentPool = kind
            try s.reset(to: m)
            #expect(s.cursor(of: PoolID(kind, tainted: false)).nextYield == m.cookie)
        }
    }
}
