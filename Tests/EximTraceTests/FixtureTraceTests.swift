import FixtureSupport
import Testing
import EximTrace

/// Every line of the eleven real traces is parsed, and the counts per record kind
/// equal an independent count made with grep and awk.
@Suite struct FixtureTraceTests {
    static func records(_ name: String) throws -> [TraceRecord] {
        let reader = try TraceReader(path: Fixtures.path(name))
        return Array(reader)
    }

    @Test(arguments: Fixtures.traceNames)
    func everyLineIsParsedAndCountsMatchGrep(name: String) throws {
        let records = try Self.records(name)
        let lines = Int(Fixtures.shell("wc -l < '\(Fixtures.path(name))'").trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(records.count == lines)
        #expect(records.map(\.line) == Array(1...records.count))
        var counts: [TraceRecordKind: Int] = [:]
        for r in records { counts[r.kind, default: 0] += 1 }
        #expect(counts[.malformed, default: 0] == 0)
        // Independent counts. A record may be glued after other text, so the
        // patterns are not anchored at the start of the line.
        let p = "(0x[0-9a-f]+|\\(nil\\)) +-?[0-9]+ "
        #expect(counts[.get, default: 0] == Fixtures.grepCount("---([0-9]+|QQ) Get \(p)", name))
        #expect(counts[.extend, default: 0] == Fixtures.grepCount("---Q?[0-9]+ Ext \(p)", name))
        #expect(counts[.releaseAbove, default: 0] == Fixtures.grepCount("---Q?[0-9]+ Rel \(p)", name))
        #expect(counts[.reset, default: 0] == Fixtures.grepCount("---[0-9]+ Rst \(p)", name))
        #expect(counts[.mark, default: 0] == Fixtures.grepCount("---[0-9]+ Mrk {20}", name))
        #expect(counts[.malloc, default: 0] == Fixtures.grepCount("--Malloc 0x", name))
        #expect(counts[.free, default: 0] == Fixtures.grepCount("----Free 0x", name))
        #expect(counts[.releaseBlock, default: 0] == Fixtures.grepCount("-Release 0x", name))
        #expect(counts[.releaseMiss, default: 0] == Fixtures.grepCount("non-last memory release try: ", name))
        #expect(counts[.quotedBlock, default: 0] == Fixtures.grepCount("allocating quoted-block for quoter", name))
        #expect(counts[.exitNonpool, default: 0] == Fixtures.grepCount("----Exit nonpool max:", name))
        #expect(counts[.exitNpools, default: 0] == Fixtures.grepCount("----Exit npools  max:", name))
        #expect(counts[.exitPool, default: 0] == Fixtures.grepCount("----Exit  pool ", name))
        #expect(counts[.version, default: 0] == Fixtures.grepCount("Exim version [0-9.]+ .*pid=", name))
        #expect(counts[.forking, default: 0] == Fixtures.grepCount("^[0-9: ]*[a-z-]+ forking for ", name))
        #expect(counts[.forked, default: 0] == Fixtures.grepCount("^[0-9: ]*[a-z-]+ forked for .*: [0-9]+$", name))
        #expect(counts[.postfork, default: 0] == Fixtures.grepCount("^[0-9: ]*postfork: ", name))
        #expect(counts[.terminating, default: 0] == Fixtures.grepCount("^[0-9: ]*>>>+ Exim pid=[0-9]+ .* terminating with rc=", name))
        let memoryLike = Fixtures.grepCount("(---([0-9]+|Q[0-9]+|QQ) (Get|Ext|Rel|Rst|Mrk) |--Malloc |----Free |-Release |----Exit |non-last memory|allocating quoted|Exim version|forking for|forked for|postfork:|terminating with rc)", name)
        #expect(records.count - counts[.noise, default: 0] == memoryLike)
    }

    @Test(arguments: Fixtures.traceNames)
    func exitBlocksAreReadWithTheirNumbers(name: String) throws {
        let records = try Self.records(name)
        // awk prints "pool kB blocks order" for pool lines and "nonpool kB blocks"/"npools kB".
        let awk = Fixtures.shell(#"""
        awk '{ sub(/^[0-9:.]+ /, ""); sub(/^ *[0-9]+ /, "") }
             /^----Exit nonpool/ { print "nonpool", $4, $7 }
             /^----Exit npools/  { print "npools", $4 }
             /^----Exit  pool/   { print "pool", $3, $5, $8, $12 }' '\#(Fixtures.path(name))'
        """#)
        var ours: [String] = []
        for r in records {
            switch r.event {
            case .exitNonpool(let kB, let blocks): ours.append("nonpool \(kB) \(blocks)")
            case .exitNpools(let kB): ours.append("npools \(kB)")
            case .exitPool(let p): ours.append("pool \(p.pool) \(p.kB) \(p.blocks) \(p.order)")
            default: break
            }
        }
        let theirs = awk.split(separator: "\n").map(String.init)
        #expect(ours == theirs)
        // Each Exit block is complete: nonpool, npools, ten pool lines, in order.
        let exits = records.filter { [.exitNonpool, .exitNpools, .exitPool].contains($0.kind) }
        #expect(exits.count % 12 == 0)
        for start in stride(from: 0, to: exits.count, by: 12) {
            #expect(exits[start].kind == .exitNonpool)
            #expect(exits[start + 1].kind == .exitNpools)
            for i in 0..<10 {
                guard case .exitPool(let p) = exits[start + 2 + i].event else { Issue.record("not a pool line"); continue }
                #expect(p.pool == .paired(i))
                #expect(p.label == (i < 5 ? "untainted " : "tainted ") + ["main", "perm", "config", "search", "message"][i % 5])
            }
        }
    }

    @Test func trace2HasNoExitBlockAndTrace5HasFour() throws {
        #expect(try Self.records("traces/trace2-bp.txt").filter { $0.kind == .exitNonpool }.count == 0)
        #expect(try Self.records("traces/trace5-daemon.txt").filter { $0.kind == .exitNonpool }.count == 4)
    }

    @Test func pidAndTimestampPrefixesAreRead() throws {
        let t5 = try Self.records("traces/trace5-daemon.txt")
        #expect(t5.allSatisfy { $0.timestamp != nil && $0.pid != nil })
        #expect(t5[0].timestamp == TraceTimestamp(hour: 17, minute: 20, second: 56))
        guard case .version(let v) = t5[0].event else { Issue.record("no version line"); return }
        #expect(v.pid == 28346 && v.selector == 0xff7b5cfd && v.hasPidPrefix == true && v.hasTimestampPrefix == true)
        let pids = Set(t5.compactMap(\.pid))
        #expect(pids == [28346, 28351, 28357, 28358, 28360, 28361, 28551])
        let t4 = try Self.records("traces/trace4-deliver-local.txt")
        #expect(t4.allSatisfy { $0.pid != nil && $0.timestamp == nil })
        let t1 = try Self.records("traces/trace1-bt.txt")
        #expect(t1.allSatisfy { $0.pid == nil && $0.timestamp == nil })
    }

    @Test func gluedRecordInTrace6() throws {
        let t6 = try Self.records("traces/trace6-deliver-remote.txt")
        let glued = t6.filter { $0.gluedText != nil }
        #expect(glued.count == 1)
        #expect(glued.first?.line == 721)
        #expect(glued.first?.gluedText == "Connecting to 127.0.0.1 [127.0.0.1]:2999 ... ")
        guard case .get(let pool, let a, let size, let site)? = glued.first?.event else { Issue.record("not a get"); return }
        #expect(pool == .paired(0) && a == 0x560774c6df58 && size == 32 && site == TraceCallSite(function: "string_vformat", line: 1346))
    }

    @Test func forkLinesOfTrace5() throws {
        let t5 = try Self.records("traces/trace5-daemon.txt")
        let forks = t5.compactMap { r -> String? in
            switch r.event {
            case .forking(let n, let p): return "\(r.pid ?? 0) \(n) forking \(p)"
            case .forked(let n, let p, let c): return "\(r.pid ?? 0) \(n) forked \(p) \(c)"
            case .postfork(let p): return "\(r.pid ?? 0) postfork \(p)"
            default: return nil
            }
        }
        #expect(forks.prefix(3) == ["28346 fresh-exec forking cipher-validate", "28346 fresh-exec forked cipher-validate 28351", "28351 postfork cipher-validate"])
        #expect(t5.contains { $0.event == .terminating(pid: 28357, name: "daemon-accept", rc: 0) })
        #expect(t5.contains { if case .noise("forked delivery process 28358") = $0.event { return true } else { return false } })
    }
}
