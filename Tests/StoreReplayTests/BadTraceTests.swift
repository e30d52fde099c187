import Testing
import Foundation
import EximTrace
import StoreReplay

/// The check finds each kind of difference at its line and carries on; bad or cut
/// traces are reported with line numbers and never stop the replay.
@Suite struct BadTraceTests {
    static let base = TraceText.lines("traces/trace1-bt.txt")

    /// `line` with its first `0x…` address moved by `delta`.
    static func shiftAddress(_ line: String, by delta: Int) -> String {
        guard let r = line.range(of: #"0x[0-9a-f]+"#, options: .regularExpression),
              let v = UInt64(line[r].dropFirst(2), radix: 16) else { return line }
        return line.replacingCharacters(in: r, with: "0x" + String(UInt64(Int64(v) + Int64(delta)), radix: 16))
    }

    /// `line` with the number after `label` replaced.
    static func replaceNumber(_ line: String, after label: String, with n: Int) -> String {
        guard let r = line.range(of: label + #" *-?[0-9]+"#, options: .regularExpression) else { return line }
        return line.replacingCharacters(in: r, with: "\(label)\(n)")
    }

    @Test func aMovedGetAddressIsOneMismatchAtItsLine() throws {
        var lines = Self.base
        let i = try #require(TraceText.index(lines, of: "---0 Get", from: 100))
        lines[i] = Self.shiftAddress(lines[i], by: 8)
        let report = TraceText.check(lines)
        #expect(report.lineMismatches == 1)
        #expect(report.mismatches.first?.line == i + 1)
        #expect(report.mismatches.first?.figure == "address")
        #expect(report.matched == report.compared)
    }

    @Test func aWrongResetByteCountIsFound() throws {
        var lines = Self.base
        let i = try #require(TraceText.index(lines, of: "---0 Rst"))
        lines[i] = lines[i].replacingOccurrences(of: " 200 init_lookup_li", with: " 208 init_lookup_li")
        #expect(lines[i] != Self.base[i])
        let report = TraceText.check(lines)
        #expect(report.lineMismatches == 1)
        #expect(report.mismatches.first.map { ($0.line, $0.figure, $0.exim, $0.replay) } ?? (0, "", "", "") == (i + 1, "bytes", "208", "200"))
    }

    @Test func aWrongRunningTotalIsReportedOnce() throws {
        var lines = Self.base
        let i = try #require(TraceText.index(lines, of: "Rel 0x"))
        lines[i] = Self.replaceNumber(lines[i], after: "pool ", with: 1)
        let report = TraceText.check(lines)
        #expect(report.lineMismatches == 1)
        #expect(report.mismatches.first?.figure == "pool total")
        var m = Self.base
        let j = try #require(TraceText.index(m, of: "--Malloc", from: 10))
        m[j] = Self.replaceNumber(m[j], after: "nonpool ", with: 5)
        let r2 = TraceText.check(m)
        #expect(r2.lineMismatches == 1)
        #expect(r2.mismatches.first?.figure == "nonpool total")
    }

    @Test func aWrongExitFigureFailsTheCheck() throws {
        var lines = Self.base
        let i = try #require(TraceText.index(lines, of: "----Exit  pool  0"))
        lines[i] = lines[i].replacingOccurrences(of: "12 kB", with: "13 kB")
        let report = TraceText.check(lines)
        #expect(report.lineMismatches == 0)
        #expect(report.compared == 12 && report.matched == 11)
        #expect(report.hasDifferences)
        #expect(report.text().contains("DIFFERS"))
    }

    @Test func aMissingMallocLineIsReportedAndTheReplayCarriesOn() throws {
        var lines = Self.base
        // (Not a pool's first block: a first get without --Malloc is a pre-trace block, section 19.4.)
        let i = try #require(lines.indices.dropFirst(10).first { k in
            guard lines[k].contains("--Malloc"), lines[k + 1].contains(" Get "), let pool = lines[k + 1].split(separator: " ").first else { return false }
            return lines[..<k].contains { $0.hasPrefix(pool + " Get") }
        })
        lines.remove(at: i)
        let report = TraceText.check(lines)
        #expect(report.lineMismatches >= 1 && report.lineMismatches <= 2)
        #expect(report.mismatches.first?.line == i + 1)
        #expect(report.matched == report.compared)
    }

    @Test func aCutFileIsReportedWithItsLastLine() throws {
        var lines = Array(Self.base.prefix(700))
        lines[699] = String(lines[699].prefix(12))
        let report = TraceText.check(lines, cut: true)
        #expect(report.truncated)
        #expect(report.lines == 700)
        #expect(report.problems.contains { $0.line == 700 })
        #expect(report.lineMismatches == 0)
        #expect(report.compared == 0)
    }

    @Test func noiseBetweenRecordsChangesNothing() throws {
        var lines: [String] = []
        for (k, l) in Self.base.enumerated() {
            lines.append(l)
            if k % 7 == 3 { lines.append("noise \(k) --------> x@example.com <-------- ---x Get") }
        }
        let report = TraceText.check(lines)
        #expect(report.lineMismatches == 0 && report.problems.isEmpty)
        #expect(report.matched == 12)
    }

    @Test func aResetToAnUnknownAddressIsReportedAndSkipped() throws {
        var lines = Self.base
        let i = try #require(TraceText.index(lines, of: "---0 Rst"))
        lines[i] = Self.shiftAddress(lines[i], by: 1 << 30)
        let report = TraceText.check(lines)
        #expect(report.mismatches.contains { $0.line == i + 1 && $0.figure == "address" && $0.replay.contains("in no block") })
        #expect(report.lines == lines.count)
        #expect(report.compared == 12)
    }

    @Test func garbageNeverCrashes() {
        var rng = SystemRandomNumberGenerator()
        let pieces = ["---0 Get 0x10 8 f 1", "---5 Rst 0x20 0 f 2\tpool 3", "---0 Rst 0x10 0 f 2\tpool 3",
                      "--Malloc 0x30 4088 bytes\tf 1\tpool 4080  nonpool 9", "----Free 0x30 4088 bytes\tf 1",
                      "-Release 0x30 f 1 0", "---0 Mrk                    f 1\tpool 0", "postfork: x",
                      "a forking for x", "Exim version 4.96 pid=7 D=f7735cfd", "---0 Ext 0x18 99 f 1",
                      "---0 Rel 0x11 8 f 1\tpool 0", "allocating quoted-block for quoter 1 (from f 1)",
                      "---QQ Get 0x40 8 f 1", "----Exit  pool  0 max:   4 kB in 1 blocks at order 13\tx",
                      ">>>>>>>>>>>>>>>> Exim pid=7 (x) terminating with rc=0 >>>>>>>>>>>>>>>>", "---9 Get (nil) 0 f 1"]
        for _ in 0..<20 {
            var lines: [String] = []
            for _ in 0..<300 { lines.append(pieces[Int(rng.next() % UInt64(pieces.count))]) }
            let report = TraceText.check(lines)
            #expect(report.lines == 300)
        }
    }
}

/// Input with no memory record is no match: nothing was checked, and the check says so.
@Suite struct NothingToCheckTests {
    @Test func noiseOnlyInputChecksNothingAndFails() {
        let report = TraceText.check(["hello", "Exim version 4.96 without +memory: nothing here", ""])
        #expect(report.checkedNothing)
        #expect(report.failed)
        #expect(!report.hasDifferences)
        #expect(report.summary.hasPrefix("NOTHING CHECKED: "))
        #expect(report.summary.contains("exim -d+memory"))
    }

    @Test func aRealTraceIsNotNothing() {
        let report = TraceText.check(BadTraceTests.base)
        #expect(!report.checkedNothing && !report.failed)
        #expect(report.summary.hasPrefix("MATCH: ") && report.summary.contains(" 1 process;"))
    }
}
