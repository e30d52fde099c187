import Testing
@_spi(Replay) @_spi(Testing) import Store

/// Issue point 4: extend in place, release above, new block.
@Suite struct ExtendReleaseTests {
    @Test func extendGrowsOnlyTheLatestAllocationWhenThereIsRoom() throws {
        let s = try Store()
        let log = TraceLog(s)
        let a = try s.get(100)
        let b = try s.get(100)
        _ = log.take()
        #expect(try !s.extend(a, from: 100, to: 200))          // not the latest
        let extLine = #line + 1
        #expect(try s.extend(b, from: 100, to: 200))           // latest, room
        #expect(log.take() == ["---0 Ext \(TraceFormatForTesting.ptr(b))   200 extendGrowsOnl \(TraceFormatForTesting.num(extLine, 4))"])
        #expect(s.cursor(of: PoolID(.main, tainted: false)).nextYield == b + 200)
        #expect(try s.extend(b + 16, from: 184, to: 190))      // an address inside the allocation (gstring style)
        #expect(s.cursor(of: PoolID(.main, tainted: false)).nextYield == b + 16 + 192)
        let room = s.cursor(of: PoolID(.main, tainted: false)).yieldLength
        #expect(try !s.extend(b + 16, from: 190, to: 192 + room + 1))   // no room
        #expect(try s.extend(b + 16, from: 190, to: 192 + room))
        #expect(s.cursor(of: PoolID(.main, tainted: false)).yieldLength == 0)
    }

    @Test func extendRejectsBadSizesAndUnknownAddresses() throws {
        let s = try Store()
        let p = try s.get(16)
        #expect(throws: StoreError.badExtension(from: -1, to: 8)) { try s.extend(p, from: -1, to: 8) }
        #expect(throws: StoreError.badExtension(from: 16, to: 8)) { try s.extend(p, from: 16, to: 8) }
        #expect(throws: StoreError.badExtension(from: 16, to: 1 << 30 - 1)) { try s.extend(p, from: 16, to: 1 << 30 - 1) }
        var x = 0
        _ = withUnsafeMutablePointer(to: &x) { q in
            #expect(throws: StoreError.poolNotFound) { try s.extend(UnsafeMutableRawPointer(q), from: 8, to: 16) }
        }
    }

    @Test func extendKeepsTaintBecauseItStaysInItsPool() throws {
        let s = try Store()
        let t = try s.get(10, .tainted)
        #expect(try s.extend(t, from: 10, to: 300))
        #expect(s.cursor(of: PoolID(.main, tainted: true)).nextYield == t + 304)
    }

    @Test func releaseAboveGivesBackTheTail() throws {
        let s = try Store()
        let log = TraceLog(s)
        let p = try s.get(1000)
        _ = log.take()
        #expect(s.releaseAbove(p + 13))
        // The cursor is rounded up to 8 measured from the block end (block ends are 8-aligned).
        #expect(s.cursor(of: PoolID(.main, tainted: false)).nextYield == p + 16)
        let line = log.take()[0]
        #expect(line.hasPrefix("---0 Rel \(TraceFormatForTesting.ptr(p + 13)) \(TraceFormatForTesting.num(984, 5)) releaseAboveGi "))
        #expect(line.hasSuffix("\tpool 4080"))
        // Released memory is handed out again.
        #expect(try s.get(8) == p + 16)
        // Nothing checks for later allocations (as in Exim): releasing above an earlier one discards them.
        let later = try s.get(64)
        #expect(s.releaseAbove(p))
        #expect(try s.get(8) == p)
        _ = later
    }

    @Test func releaseAboveOutsideEveryCurrentBlockIsANonLastTry() throws {
        let s = try Store()
        let log = TraceLog(s)
        let first = try s.get(4064)
        _ = try s.get(8)                 // second block is current now
        _ = log.take()
        #expect(!s.releaseAbove(first))
        var x = 0
        withUnsafePointer(to: &x) { #expect(!s.releaseAbove(UnsafeRawPointer($0))) }
        let lines = log.take()
        #expect(lines.count == 2 && lines.allSatisfy { $0.hasPrefix("non-last memory release try: releaseAboveOutsideEveryCurrentBlockIsANonLastTry ") })
    }

    @Test func newBlockMovesTheObjectAndReleasesTheOldBlock() throws {
        let s = try Store()
        let log = TraceLog(s)
        _ = try s.get(100)                          // block 1
        let old = try s.get(5000)                   // starts block 2 (8160)
        for i in 0..<5000 { old.storeBytes(of: UInt8(truncatingIfNeeded: i), toByteOffset: i, as: UInt8.self) }
        _ = log.take()
        let new = try s.newBlock(old, size: 9000, copying: 5000)
        for i in stride(from: 0, to: 5000, by: 97) { #expect(new.load(fromByteOffset: i, as: UInt8.self) == UInt8(truncatingIfNeeded: i)) }
        let lines = log.take()
        #expect(lines.count == 4)
        #expect(lines[0].hasPrefix("--Malloc ") && lines[0].contains("\t    store_newblock_3 1118\t"))
        #expect(lines[1].hasPrefix("---0 Get \(TraceFormatForTesting.ptr(new))  9000 store_newblock 1118"))
        #expect(lines[2].hasPrefix("-Release \(TraceFormatForTesting.ptr(old - 16)) \(TraceFormatForTesting.field("newBlockMovesTheObjectAndReleasesTheOldBlock", 20)) "))
        #expect(lines[3].hasPrefix("----Free \(TraceFormatForTesting.ptr(old - 16))  8184 bytes\t"))
        let st = s.stats(.main)
        #expect(st.blocks == 2 && st.chain.map(\.length) == [4064, 16352])
        #expect(st.order == 15)                     // release does not lower the order
    }

    @Test func newBlockNeverReleasesTaintedOrNonLatestOrFirstBlocks() throws {
        let s = try Store()
        _ = try s.get(100, .tainted)
        let t = try s.get(5000, .tainted)
        let nt = try s.newBlock(t, size: 9000, copying: 10)
        #expect(s.isTainted(nt))
        #expect(s.stats(.main, tainted: true).blocks == 3)
        let first = try s.get(10, .untainted)       // the first block of pool 0
        _ = try s.newBlock(first, size: 8000, copying: 10)
        #expect(s.stats(.main).blocks == 2)
        #expect(throws: StoreError.badExtension(from: 20, to: 10)) { try s.newBlock(first, size: 10, copying: 20) }
        #expect(throws: StoreError.badExtension(from: -1, to: 10)) { try s.newBlock(first, size: 10, copying: -1) }
        var x = 0
        _ = withUnsafeMutablePointer(to: &x) { q in
            #expect(throws: StoreError.poolNotFound) { try s.newBlock(UnsafeMutableRawPointer(q), size: 10, copying: 0) }
        }
    }

    @Test func releaseBlockIsEximsStoreRelease3() throws {
        let s = try Store()
        _ = try s.get(100)
        let b2 = try s.get(5000)
        _ = try s.get(9000)                          // block 3 current
        #expect(s.releaseBlock(startingAt: b2))
        #expect(s.stats(.main).blocks == 2)
        #expect(!s.releaseBlock(startingAt: b2))     // gone
    }
}
