#if canImport(Glibc)
import Glibc
#endif
import Testing
@_spi(Replay) @_spi(Testing) import Store

/// Issue point 8: the config pool (page-aligned, never cut or freed, write-protectable).
@Suite struct ConfigTests {
    @Test func configBlocksArePageAlignedAndHaveNoMallocLine() throws {
        let s = try Store()
        let log = TraceLog(s)
        s.currentPool = .config
        let p = try s.get(10)
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        #expect((Int(bitPattern: p) - 16) % page == 0)
        #expect(log.take().count == 1)                    // just the Get
        let st = s.statistics()
        #expect(st.poolMalloc == 4080 && st.nonpoolMalloc == -4080)
        _ = try s.get(25456)                              // a custom block, also page-aligned
        #expect(s.stats(.config).chain.map(\.length) == [4064, 25456])
    }

    @Test func configResetsKeepTheChainAndCountersGoNegative() throws {
        let s = try Store()
        s.currentPool = .config
        let m = try s.mark()
        let p2 = try s.get(8000)                          // second config block
        #expect(s.statistics().poolMalloc == 4080 + 4080 + 8176)
        try s.reset(to: m)
        #expect(s.stats(.config).chain.count == 2 && s.stats(.config).blocks == 1)
        try s.reset(to: m)                                // walks past the kept block again
        let st = s.statistics()
        #expect(st.poolMalloc == 4080 + 4080 - 8176)
        #expect(s.stats(.config).blocks == 0 && s.stats(.config).bytes == -4096)
        // The kept block is reused as it is: same address, no counter change.
        _ = try s.get(200)
        #expect(try s.get(8000) == p2)
        #expect(s.statistics().poolMalloc == st.poolMalloc)
        #expect(s.exitLines()[4] == "----Exit  pool  2 max:  12 kB in 2 blocks at order 13\tuntainted config")
    }

    @Test func writeProtectedConfigStaysReadable() throws {
        let s = try Store()
        s.currentPool = .config
        let p = try s.get(64)
        p.storeBytes(of: 0x1234, as: Int.self)
        let t = try s.get(64, .tainted)                   // pool 7 is never protected
        try s.writeProtectConfig()
        #expect(p.load(as: Int.self) == 0x1234)
        t.storeBytes(of: 1, as: Int.self)
        #expect(t.load(as: Int.self) == 1)
    }

    @Test func resetOfAProtectedPoolWithPoisoningDoesNotFault() throws {
        let s = try Store(options: .init(poisonOnRelease: true))
        s.currentPool = .config
        let m = try s.mark()
        let p = try s.get(64)
        p.storeBytes(of: 5, as: Int.self)
        try s.writeProtectConfig()
        try s.reset(to: m)                                // must not write into the read-only block
        #expect(p.load(as: Int.self) == 5)
    }

    @Test func writingToProtectedConfigKillsTheProcess() async {
        await #expect(processExitsWith: .signal(SIGSEGV)) {
            let s = try! Store()
            s.currentPool = .config
            let p = try! s.get(64)
            try! s.writeProtectConfig()
            p.storeBytes(of: 1, as: UInt8.self)
        }
    }

    @Test func unprotectedConfigIsWritable() async {
        await #expect(processExitsWith: .success) {
            let s = try! Store()
            s.currentPool = .config
            let p = try! s.get(64)
            p.storeBytes(of: 1, as: UInt8.self)
        }
    }
}
