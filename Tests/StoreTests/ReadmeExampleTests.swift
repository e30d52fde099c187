import Testing
@_spi(Replay) @_spi(Testing) import Store

/// The README's library example, compiled and run as it is printed there.
@Suite struct ReadmeExampleTests {
    @Test func readmeExampleRuns() throws {
        let diskBytes: [UInt8] = Array("2026-11-26 17:20:58 1xWd9R-0007BX-0d <= x@example.org\n".utf8)
        var traced: [String] = []

        // --- README example begins ---
        let store = try Store()                       // ten paired pools; currentPool is .main
        let mark = try store.mark()                   // covers main and its tainted twin
        let p = try store.get(64)                     // 64 untainted bytes, 8-byte aligned
        let line = try diskBytes.withUnsafeBytes { try store.copyTainted($0) }   // TaintedBytes, tainted main
        let kept = line.copiedOut()                   // TaintedString: an owned value that outlives the reset
        try store.reset(to: mark)                     // tainted twin first, then main
        store.traceSink = { traced.append($0) }       // Exim 4.96 `-d+memory` lines from now on
        let stats = store.statistics()                // bytes, blocks, maxima, order, chains
        // --- README example ends ---

        #expect(!store.isTainted(p))
        #expect(kept == String(decoding: diskBytes, as: UTF8.self))
        #expect(stats.pools[5].blocks == 1 && stats.pools[0].blocks == 1)
        #expect(stats.pools[5].chain[0].used == 0, "the reset gave the tainted bytes back")
        _ = try store.get(10)
        #expect(traced.count == 1 && traced[0].hasPrefix("---0 Get 0x"))
    }
}
