import Testing
@_spi(Replay) import Store
import EximTrace
import StoreReplay

/// Traces written by the Store itself (its trace sink prints Exim 4.96's formats)
/// cover the paths the real fixtures do not: quoted pools, quoted extend and
/// release, non-last release tries, store_malloc/store_free, newblock releases.
@Suite struct StoreMadeTraceTests {
    /// Runs `body` on a fresh store and returns the lines it printed, then its exit block.
    static func trace(_ body: (Store) throws -> Void) throws -> [String] {
        var lines: [String] = []
        let store = try Store()
        store.traceSink = { lines.append($0) }
        try body(store)
        store.traceExit()
        return lines
    }

    @Test func quotedPoolsAndRareLinesReplayExactly() throws {
        let lines = try Self.trace { s in
            let m = try s.mark()
            let t = try s.get(40, .tainted)
            let q1 = try s.getQuoted(12, like: .like(t), quoterID: 3)
            _ = try s.extend(q1, from: 12, to: 40)
            s.releaseAbove(q1 + 20)
            let q2 = try s.getQuoted(5000, like: .tainted, quoterID: 7)
            _ = try s.getQuoted(16, like: .like(q2), quoterID: 7)
            _ = try s.getQuoted(8, like: .tainted, quoterID: 3)
            let p = try s.malloc(100)
            let g = try s.get(3000)
            let g2 = try s.newBlock(g, size: 6000, copying: 3000)
            _ = try s.newBlock(g2, size: 20000, copying: 6000)
            s.releaseAbove(UnsafeRawPointer(p))          // not in any pool: a non-last release try
            s.free(p)
            try s.reset(to: m)
            s.currentPool = .config
            let c = try s.mark()
            _ = try s.get(9000)
            try s.reset(to: c)
            _ = try s.get(100)
            s.currentPool = .main
        }
        #expect(lines.contains { $0.hasPrefix("---QQ Get") })
        #expect(lines.contains { $0.hasPrefix("---Q") && $0.contains(" Ext ") })
        #expect(lines.contains { $0.hasPrefix("-Release") })
        #expect(lines.contains { $0.hasPrefix("non-last memory release try") })
        #expect(lines.contains { $0.contains("pool Q1") })
        let report = TraceText.check(lines)
        #expect(report.lineMismatches == 0, "\(report.mismatches.prefix(5))")
        #expect(report.compared == 14)                 // 12 lines + two quoted pools
        #expect(report.matched == report.compared)
        // The only problem: there is no version line (the store's trace has none).
        #expect(report.problems.count == 1)
    }

    @Test func aStoreThatDiffersIsCaught() throws {
        // Replay a store-made trace with one get's size changed: the replay's store
        // carves 48 bytes where the traced one carved 40, so the next get's address
        // differs by 8; the replay reports that line once and carries on.
        var lines = try Self.trace { s in
            for n in [24, 40, 8, 100, 16] { _ = try s.get(n) }
        }
        let i = try #require(lines.firstIndex { $0.contains(" Get ") && $0.contains("    40 ") })
        lines[i] = lines[i].replacingOccurrences(of: "    40 ", with: "    48 ")
        let report = TraceText.check(lines)
        #expect(report.lineMismatches == 1)
        #expect(report.mismatches.first?.line == i + 2)
        #expect(report.mismatches.first?.figure == "address")
        let e = UInt64(report.mismatches.first?.exim.dropFirst(2) ?? "", radix: 16) ?? 0
        let r = UInt64(report.mismatches.first?.replay.dropFirst(2) ?? "", radix: 16) ?? 0
        #expect(r == e + 8)
    }
}
