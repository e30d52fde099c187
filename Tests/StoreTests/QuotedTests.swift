import Testing
@_spi(Replay) @_spi(Testing) import Store

/// Issue point 6: quoted pools.
@Suite struct QuotedTests {
    let mysql = Quoter(id: 3, name: "mysql")
    let pgsql = Quoter(id: 5, name: "pgsql")

    @Test func quotedPoolsAreCreatedOnFirstUseAndKnowTheirQuoter() throws {
        let s = try Store()
        let log = TraceLog(s)
        let getLine = #line + 1
        let q = try s.getQuoted(20, like: .tainted, quoter: mysql)
        let lines = log.take()
        #expect(lines.count == 5)
        #expect(lines[0] == "allocating quoted-block for quoter 3 (from quotedPoolsAreCreatedOnFirstUseAndKnowTheirQuoter \(getLine))")
        #expect(lines[1].hasPrefix("--Malloc ") && lines[2].hasPrefix("---1 Get ") && lines[2].contains("    80 quoted_pool_ne    0"))
        #expect(lines[3].hasPrefix("--Malloc ") && lines[4].hasPrefix("---QQ Get \(TraceFormatForTesting.ptr(q))    20 quotedPoolsAre"))
        #expect(s.quoter(of: q) == mysql)
        #expect(s.owner(of: q) == .quoted(mysql))
        #expect(s.isTainted(q) && s.isTaintedByWalk(q))
        #expect(s.stats(.perm).chain.first?.used == 80)   // Exim 4.96's descriptor lives in perm
        // Found again by number only.
        let q2 = try s.getQuoted(8, like: .tainted, quoter: Quoter(id: 3, name: "other"))
        #expect(q2 == q + 24 && s.statistics().quoted.count == 1)
        let q3 = try s.getQuoted(8, like: .tainted, quoterID: 3)
        #expect(s.quoter(of: q3)?.name == "mysql")
    }

    @Test func untaintedPrototypeMeansAPlainGet() throws {
        let s = try Store()
        let p = try s.getQuoted(20, like: .untainted, quoter: mysql)
        #expect(s.owner(of: p) == .paired(PoolID(.main, tainted: false)))
        #expect(s.statistics().quoted.isEmpty)
        let t = try s.get(8, .tainted)
        let q = try s.getQuoted(20, like: .like(t), quoter: mysql)
        #expect(s.quoter(of: q) == mysql)
    }

    @Test func aQuotedPrototypeOverridesTheCurrentPool() throws {
        let s = try Store()
        let q = try s.getQuoted(8, like: .tainted, quoter: pgsql)
        s.currentPool = .search
        let a = try s.get(32, .like(q))
        let b = try s.getPerm(32, .like(q))
        #expect(s.quoter(of: a) == pgsql && s.quoter(of: b) == pgsql)
        #expect(s.stats(.search).blocks == 0)
    }

    @Test func quotedPoolsAreNeverReset() throws {
        let s = try Store()
        let m = try s.mark()
        let q = try s.getQuoted(64, like: .tainted, quoter: mysql)
        q.storeBytes(of: 7, as: Int.self)
        try s.reset(to: m)
        #expect(q.load(as: Int.self) == 7)
        #expect(s.cursor(ofQuoter: mysql)?.nextYield == q + 64)
        // Extend and release above find quoted pools by pointer.
        #expect(try s.extend(q, from: 64, to: 100))
        let log = TraceLog(s)
        #expect(s.releaseAbove(q + 72))
        #expect(log.take()[0].hasPrefix("---Q0 Rel "))
    }

    @Test func exitLinesListQuotedPoolsNewestFirst() throws {
        let s = try Store()
        _ = try s.getQuoted(8, like: .tainted, quoter: mysql)
        _ = try s.getQuoted(8, like: .tainted, quoter: pgsql)
        let lines = s.exitLines()
        #expect(lines.count == 14)
        #expect(lines[12] == "----Exit  pool Q0 max:   4 kB in 1 blocks at order 13\ttainted quoted:pgsql")
        #expect(lines[13] == "----Exit  pool Q1 max:   4 kB in 1 blocks at order 13\ttainted quoted:mysql")
        #expect(s.statistics().quoted.map(\.quoter) == [pgsql, mysql])
    }

    @Test func tooManyQuotersIsATypedError() throws {
        let s = try Store()
        for i in 0..<Store.quotedPoolLimit { _ = try s.getQuoted(8, like: .tainted, quoterID: i) }
        let before = s.statistics()
        #expect(throws: StoreError.tooManyQuoters(limit: Store.quotedPoolLimit)) {
            try s.getQuoted(8, like: .tainted, quoterID: 999)
        }
        #expect(s.statistics() == before)
    }
}
