import FixtureSupport
import Testing
@_spi(Replay) @_spi(Testing) import Store

/// Issue point 11: Exim 4.96's line formats, checked against every record of the real traces.
@Suite struct TraceFormatTests {
    /// Rebuilds a record from its fields with the store's formatter.
    static func rebuild(_ r: TraceRecord) -> String? {
        let t = r.tokens
        func n(_ s: String) -> Int? { Int(s) }
        func p(_ s: String) -> UnsafeRawPointer? { UInt(s.dropFirst(2), radix: 16).flatMap { UnsafeRawPointer(bitPattern: $0) } }
        typealias F = TraceFormatForTesting
        switch (r.head, r.verb) {
        case ("--Malloc", _):
            guard let b = n(t[2]), let l = n(t[5]), let pm = n(t[7]), let np = n(t[9]) else { return nil }
            return "--Malloc \(F.ptr(p(t[1]))) \(F.num(b, 5)) bytes\t\(F.field(t[4], 20)) \(F.num(l, 4))\tpool \(F.num(pm, 5))  nonpool \(F.num(np, 5))"
        case ("----Free", _):
            guard let b = n(t[2]), let l = n(t[5]) else { return nil }
            return "----Free \(F.ptr(p(t[1]))) \(F.num(b, 5)) bytes\t\(F.field(t[4], 20)) \(F.num(l, 4))"
        case ("-Release", _):
            guard let l = n(t[3]), let pm = n(t[4]) else { return nil }
            return "-Release \(F.ptr(p(t[1]))) \(F.field(t[2], 20)) \(F.num(l, 4)) \(pm)"
        case (_, "Get"), (_, "Ext"):
            guard let sz = n(t[3]), let l = n(t[5]) else { return nil }
            return "\(t[0]) \(t[1]) \(F.ptr(p(t[2]))) \(F.num(sz, 5)) \(F.field(t[4], 14)) \(F.num(l, 4))"
        case (_, "Rst"), (_, "Rel"):
            guard let c = n(t[3]), let l = n(t[5]), let pm = n(t[7]) else { return nil }
            return "\(t[0]) \(t[1]) \(F.ptr(p(t[2]))) \(F.num(c, 5)) \(F.field(t[4], 14)) \(F.num(l, 4))\tpool \(pm)"
        case (_, "Mrk"):
            guard let l = n(t[3]), let pm = n(t[5]) else { return nil }
            return "\(t[0]) Mrk                    \(F.field(t[2], 14)) \(F.num(l, 4))\tpool \(pm)"
        default:
            return nil
        }
    }

    @Test(arguments: ["trace1-bt.txt", "trace2-bp.txt", "trace3-bh.txt", "trace4-deliver-local.txt",
                      "trace5-daemon.txt", "trace6-deliver-remote.txt", "e1-be-newblock.txt",
                      "e2-be-config-negative.txt", "e3-be-config-reuse.txt", "e4-be-keepone-discard.txt"])
    func everyRealRecordIsReproducedByTheFormatter(_ name: String) throws {
        let text = try Fixtures.trace(name)
        var checked = 0
        for line in text.split(separator: "\n") {
            guard let r = TraceRecord.parse(line), let rebuilt = Self.rebuild(r) else { continue }
            #expect(rebuilt == r.text)
            checked += 1
        }
        #expect(checked > 100)
    }

    @Test func functionNamesAreCutAndRightAligned() {
        #expect(TraceFormatForTesting.cut("string_catn(_:_:)") == "string_catn")
        #expect(TraceFormatForTesting.field("string_catn", 14) == "   string_catn")
        #expect(TraceFormatForTesting.field("expand_string_internal", 14) == "expand_string_")
        #expect(TraceFormatForTesting.field("show_whats_supported", 20) == "show_whats_supported")
        #expect(TraceFormatForTesting.field("main", 20) == "                main")
        #expect(TraceFormatForTesting.num(12345, 4) == "12345" && TraceFormatForTesting.num(-7, 5) == "   -7")
        #expect(TraceFormatForTesting.ptr(nil) == "(nil)")
        #expect(TraceFormatForTesting.ptr(UnsafeRawPointer(bitPattern: 0x10)) == "  0x10")
    }

    @Test func swiftFunctionNamesArePrintedLikeExims() throws {
        let s = try Store()
        let log = TraceLog(s)
        let helperLine = #line + 1
        func helper(_ x: Int, label y: Int) throws { _ = try s.get(x + y) }
        try helper(4, label: 4)
        #expect(log.take().last!.hasSuffix(" 8         helper \(TraceFormatForTesting.num(helperLine, 4))"))
        s.callSiteOverride = ("string_sprintf_trc(a, b)", 714)
        _ = try s.get(1)
        #expect(log.take().last!.hasSuffix("     1 string_sprintf  714"))
    }

    @Test func noSinkMeansNoLinesAndTheFastPath() throws {
        let s = try Store()
        #expect(!s.takesSlowPathForTesting)
        let log = TraceLog(s)
        #expect(s.takesSlowPathForTesting)
        s.traceSink = nil
        #expect(!s.takesSlowPathForTesting)
        _ = try s.get(8)
        #expect(log.lines.isEmpty)
    }
}
