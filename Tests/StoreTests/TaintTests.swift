import Testing
@_spi(Replay) @_spi(Testing) import Store

/// Issue points 12 and 13: checked copies, and O(1) taint that agrees with Exim's walk.
@Suite struct TaintTests {
    @Test func taintedIntoUntaintedIsATypedError() throws {
        let s = try Store()
        let t = try s.get(16, .tainted)
        let u = try s.get(16)
        let u2 = try s.get(16)
        for i in 0..<16 { t.storeBytes(of: 0x41, toByteOffset: i, as: UInt8.self); u.storeBytes(of: 0, toByteOffset: i, as: UInt8.self) }
        let src = UnsafeRawBufferPointer(start: t, count: 4)
        #expect(throws: StoreError.taintMismatch(operation: "Ustrcpy")) { try s.copy(src, to: u) }
        #expect(u.load(as: UInt8.self) == 0)                 // nothing was written
        #expect(throws: StoreError.taintMismatch(operation: "Ustrcat")) { try s.concatenate(src, to: u) }
        // Every other combination is allowed.
        let t2 = try s.get(16, .tainted)
        try s.copy(src, to: t2)
        try s.copy(UnsafeRawBufferPointer(start: u2, count: 4), to: u)
        t2.storeBytes(of: 0, toByteOffset: 4, as: UInt8.self)
        try s.concatenate(UnsafeRawBufferPointer(start: u2, count: 2), to: t2)
        #expect(t2.load(fromByteOffset: 6, as: UInt8.self) == 0)
        let q = try s.getQuoted(16, like: .tainted, quoter: Quoter(id: 1, name: "q"))
        #expect(throws: StoreError.taintMismatch(operation: "Ustrcpy")) {
            try s.copy(UnsafeRawBufferPointer(start: q, count: 4), to: u)
        }
    }

    @Test func constantTimeTaintAgreesWithTheWalkInsideLiveBlocks() throws {
        let s = try Store(options: .init(restrictedMemory: true))
        var blocks: [(UnsafeMutableRawPointer, Int)] = []
        for i in 0..<300 {
            s.currentPool = PoolKind(rawValue: i % 5)!
            blocks.append((try s.get(2000, i % 2 == 0 ? .tainted : .untainted), 2000))
            if i % 7 == 0 { blocks.append((try s.getQuoted(100, like: .tainted, quoterID: i % 3), 100)) }
            if i % 11 == 0 { blocks.append((try s.getPerm(3000), 3000)) }
        }
        var rng = SystemRandomNumberGenerator()
        var checked = 0
        for (p, n) in blocks {
            for _ in 0..<5 {
                let q = p + Int.random(in: 0..<n, using: &rng)
                #expect(s.isTainted(q) == s.isTaintedByWalk(q))
                checked += 1
            }
        }
        // Every address of every live block, block by block, as the walk sees them.
        for b in s.blocksForTesting() {
            do {
                for off in [0, 1, b.length / 2, b.length - 1] {
                    let q = UnsafeRawPointer(bitPattern: b.dataStart + UInt(off))!
                    #expect(s.isTainted(q) == s.isTaintedByWalk(q))
                    #expect(s.owner(of: q)?.isTainted == s.isTainted(q))
                }
            }
        }
        #expect(checked > 1000)
        var x = 0
        withUnsafePointer(to: &x) { #expect(!s.isTainted(UnsafeRawPointer($0)) && !s.isTaintedByWalk(UnsafeRawPointer($0))) }
    }

    @Test func theOneDeliberateDifferenceIsTheSafeDirection() throws {
        let s = try Store()
        // A tainted block filled exactly: a size-0 get returns its end, which no block contains.
        _ = try s.get(8, .tainted)
        _ = try s.get(4064 - 8, .tainted)
        let end = try s.get(0, .tainted)
        #expect(!s.isTaintedByWalk(end))     // Exim: untainted
        #expect(s.isTainted(end))            // here: inside the tainted range, so tainted
        // Above every block of a tainted pool: also tainted here, unknown to the walk.
        let beyond = s.cursor(of: PoolID(.main, tainted: true)).nextYield! + (1 << 20)
        #expect(s.isTainted(beyond) && !s.isTaintedByWalk(beyond))
        #expect(s.owner(of: beyond) == nil)
    }

    @Test func ownerIsFoundForEveryPool() throws {
        let s = try Store()
        let q = Quoter(id: 9, name: "ldap")
        let a = try s.getQuoted(8, like: .tainted, quoter: q)
        #expect(s.owner(of: a) == .quoted(q) && s.quoter(of: a) == q)
        let b = try s.get(8)
        #expect(s.quoter(of: b) == nil)
        #expect(s.blockLocation(containing: b)?.owner == .paired(PoolID(.main, tainted: false)))
        #expect(s.blockLocation(containing: b)?.dataStart == UInt(bitPattern: b))
        let full = try s.get(4064 - 8)
        let end = full + (4064 - 8)
        #expect(s.blockLocation(containing: end) == nil)
        #expect(s.blockLocation(containing: end, inclusiveEnd: true)?.length == 4064)
    }
}
