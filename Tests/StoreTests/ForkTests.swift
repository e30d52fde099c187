import Testing
@_spi(Replay) @_spi(Testing) import Store

/// Issue 8 point 5: a fork copy for replay.
@Suite struct ForkTests {
    /// Replaces every hex address in `line` by the child's address for it.
    static func translated(_ line: String, _ parent: Store, _ child: Store) -> String {
        var out = "", i = line.startIndex
        while i < line.endIndex {
            if line[i...].hasPrefix("0x") {
                var j = line.index(i, offsetBy: 2)
                while j < line.endIndex, line[j].isHexDigit { j = line.index(after: j) }
                let v = UInt(line[line.index(i, offsetBy: 2)..<j], radix: 16)!
                if let p = UnsafeRawPointer(bitPattern: v), let t = parent.translate(p, into: child) {
                    out += "0x" + String(UInt(bitPattern: t), radix: 16)
                } else {
                    out += String(line[i..<j])
                }
                i = j
            } else {
                out.append(line[i])
                i = line.index(after: i)
            }
        }
        return out
    }

    /// The same work on a store: gets in several pools, a quoted pool, extends, a reset.
    static func work(_ s: Store, _ m: Store.Mark) throws {
        s.currentPool = .main
        for k in 0..<300 { _ = try s.get(40 + k % 7); _ = try s.get(24, .tainted) }
        let p = try s.get(16)
        _ = try s.extend(p, from: 16, to: 40)
        s.currentPool = .search
        _ = try s.get(5000)
        _ = try s.getQuoted(30, like: .tainted, quoterID: 4)
        s.currentPool = .main
        try s.reset(to: m)
        _ = try s.get(8)
    }

    @Test(arguments: [false, true])
    func aChildResetToAParentMarkMatchesTheParent(poison: Bool) throws {
        let parent = try Store(options: .init(poisonOnRelease: poison, slotSizeLog2: 20))
        // State before the fork: marks and gets in several pools, blocks past the first
        // range, a quoted pool, a malloc, changed maxima.
        let m0 = try parent.mark()
        for _ in 0..<100 { _ = try parent.get(100); _ = try parent.get(60, .tainted) }
        let m1 = try parent.mark()
        _ = try parent.get(3 << 20)                              // a second range
        parent.currentPool = .perm
        let mp = try parent.mark()
        _ = try parent.get(200); _ = try parent.getPerm(300, .tainted)
        _ = try parent.getQuoted(12, like: .tainted, quoterID: 3)
        parent.currentPool = .message
        _ = try parent.get(70)
        let heap = try parent.malloc(40)
        heap.storeBytes(of: 7, as: Int.self)
        parent.currentPool = .main
        parent.seedNonpoolCounters(malloc: 500, maxMalloc: 900, blocks: 3, maxBlocks: 4)
        _ = mp

        let child = try parent.forkCopy()
        #expect(child.statistics() == parent.statistics())
        #expect(child.exitLines() == parent.exitLines())
        #expect(child.currentPool == parent.currentPool)
        for id in PoolID.allPaired {
            let a = parent.cursor(of: id), b = child.cursor(of: id)
            #expect(a.yieldLength == b.yieldLength)
            if let n = a.nextYield { #expect(parent.translate(n, into: child) == b.nextYield) }
        }
        // Copied bytes: the malloc and the cookies (relocated watermarks).
        let childHeap = try #require(parent.translate(heap, into: child))
        #expect(childHeap != heap && childHeap.load(as: Int.self) == 7)
        let c1 = try #require(parent.translate(m1, into: child))
        #expect(c1.cookie.load(as: UInt.self) == UInt(bitPattern: parent.translate(
            UnsafeRawPointer(bitPattern: m1.cookie.load(as: UInt.self))!, into: child)))
        var x = 0
        withUnsafePointer(to: &x) { #expect(parent.translate($0, into: child) == nil) }

        // Both do the same work and reset to the (translated) mark m1, then m0.
        var pl: [String] = [], cl: [String] = []
        parent.traceSink = { pl.append($0) }
        child.traceSink = { cl.append($0) }
        try Self.work(parent, m1)
        try Self.work(child, c1)
        let c0 = try #require(parent.translate(m0, into: child))
        for (s, m) in [(parent, m0), (child, c0)] { try s.reset(to: m) }   // same line in both traces
        #expect(child.statistics() == parent.statistics())
        #expect(cl.count == pl.count && cl.count > 600)
        let want = pl.map { Self.translated($0, parent, child) }
        #expect(cl == want)
        // The tracked malloc was copied: each frees its own.
        #expect(child.free(childHeap) && parent.free(heap))
        #expect(child.statistics() == parent.statistics())
        // The marks stay checked in the child: m1 was undone by the reset to m0.
        #expect(throws: StoreError.badMark) { try child.reset(to: try #require(parent.translate(m1, into: child))) }
    }

    @Test func aForkCostsTheBytesInUseNotTheHistory() throws {
        let s = try Store()
        for _ in 0..<1000 {                            // a long history ...
            let m = try s.mark()
            for _ in 0..<1000 { _ = try s.get(64) }
            try s.reset(to: m)
        }
        _ = try s.get(16)                              // ... and little in use
        let child = try s.forkCopy()
        #expect(child.statistics() == s.statistics())
        #expect(child.reservedExtentForTesting(pool: 0) == s.reservedExtentForTesting(pool: 0))
        #expect(child.retainedBytesForTesting(pool: 0) == 0)   // nothing dirty in the child
    }

    @Test func aProtectedConfigPoolStaysProtectedAndReadable() throws {
        let s = try Store()
        s.currentPool = .config
        let p = try s.get(64)
        p.storeBytes(of: 0x55, as: Int.self)
        try s.writeProtectConfig()
        s.currentPool = .main
        let child = try s.forkCopy()
        let q = try #require(s.translate(p, into: child))
        #expect(q.load(as: Int.self) == 0x55)
        #expect(child.statistics() == s.statistics())
    }
}
