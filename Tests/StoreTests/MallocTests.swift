import Testing
@_spi(Replay) @_spi(Testing) import Store

/// Issue point 7: tracked malloc and free with Exim's non-pool counters.
@Suite struct MallocTests {
    @Test func mallocCountsThePrefixAndTheMinimum() throws {
        let s = try Store()
        let log = TraceLog(s)
        let mallocLine = #line + 1
        let a = try s.malloc(100)
        let b = try s.malloc(0)
        var st = s.statistics()
        #expect(st.nonpoolMalloc == 108 + 16 && st.maxNonpoolMalloc == 124)
        #expect(st.nonpoolBlocks == 2)
        let lines = log.take()
        #expect(lines[0] == "--Malloc \(TraceFormatForTesting.ptr(a))   108 bytes\tmallocCountsThePrefi \(TraceFormatForTesting.num(mallocLine, 4))\tpool     0  nonpool   108")
        #expect(lines[1].hasSuffix("\tpool     0  nonpool   124"))
        let freeLine = #line + 1
        #expect(s.free(a))
        #expect(log.take() == ["----Free \(TraceFormatForTesting.ptr(a))   108 bytes\tmallocCountsThePrefi \(TraceFormatForTesting.num(freeLine, 4))"])
        st = s.statistics()
        #expect(st.nonpoolMalloc == 16 && st.maxNonpoolMalloc == 124 && st.nonpoolBlocks == 1)
        #expect(s.free(b))
        #expect(!s.free(b))                       // a double free is refused, not a crash
        var x = 0
        withUnsafeMutablePointer(to: &x) { #expect(!s.free(UnsafeMutableRawPointer($0))) }
        #expect(s.owner(of: a) == nil)   // tracked mallocs are outside every pool
    }

    @Test func maxNonpoolBlocksHasEximsQuirk() throws {
        let s = try Store()
        var seen: [Int] = []
        var ps: [UnsafeMutableRawPointer] = []
        for _ in 0..<5 {
            ps.append(try s.malloc(8))
            seen.append(s.statistics().maxNonpoolBlocks)
        }
        #expect(seen == [0, 2, 2, 4, 4])              // n even: n, n odd: n - 1
        for p in ps { s.free(p) }
        #expect(s.statistics().nonpoolBlocks == 0 && s.statistics().maxNonpoolBlocks == 4)
    }

    @Test func poolBlocksMoveTheNonpoolTotalAsInExim() throws {
        let s = try Store()
        let m = try s.mark()                          // two pool blocks: +8 each
        #expect(s.statistics().nonpoolMalloc == 16)
        _ = try s.get(5000)                           // a third (8160): +8
        try s.reset(to: m)                            // freed: -(8176 + 8)
        #expect(s.statistics().nonpoolMalloc == 24 - 8184)
    }
}
