import Foundation
import Testing
import StoreReplay

/// Section 19.9 item 2 without `+pid`: an unprefixed `X forking for Y` that more than one
/// live process could have printed. The replay keeps one alternative per candidate (each
/// child carries that candidate's snapshot), lets the records decide, and names the line
/// and its alternatives when nothing does.
///
/// The trace is built from a real one (trace1-bt, Exim 4.96, no `+pid`): two exec'd
/// processes A and B run its records, A further than B; B's heap is moved 64 GiB up (exec'd
/// processes have distinct heaps); then A forks, although B printed last (so the preference
/// rule names B), and the child runs the rest of A's records and prints A's exit block.
@Suite struct ForkAttributionTests {
    static let template = TraceText.lines("traces/trace1-bt.txt")

    /// `line` with every `0x…` address moved up by `offset`.
    static func moved(_ line: String, by offset: UInt64) -> String {
        var out = ""
        var rest = Substring(line)
        while let r = rest.range(of: "0x") {
            out += rest[..<r.lowerBound]
            let digits = rest[r.upperBound...].prefix { $0.isHexDigit }
            if let v = UInt64(digits, radix: 16) { out += "0x" + String(v &+ offset, radix: 16) } else { out += "0x" + digits }
            rest = rest[r.upperBound...].dropFirst(digits.count)
        }
        return out + rest
    }

    /// The trace and the (1-based) line number of its `forking` line.
    static func trace(exitBlock: Bool) throws -> (lines: [String], forkingLine: Int) {
        let t = template
        let version = try #require(t.firstIndex { $0.hasPrefix("Exim version ") })
        let exit = try #require(t.firstIndex { $0.hasPrefix("----Exit nonpool") })
        let body = Array(t[(version + 1)..<exit])
        let exitLines = t[exit...].filter { $0.hasPrefix("----Exit") }
        let splitA = body.count * 6 / 10, splitB = body.count * 3 / 10
        func versionLine(_ pid: Int) -> String { t[version].replacingOccurrences(of: "pid=28141", with: "pid=\(pid)") }
        var lines = [versionLine(2001)] + body[..<splitA]
        lines += [versionLine(2002)] + body[..<splitB].map { moved($0, by: 0x10_0000_0000) }
        lines.append("fresh-exec forking for test-delivery")
        let forkingLine = lines.count
        lines.append("postfork: test-delivery")
        lines += body[splitA...]
        if exitBlock { lines += exitLines }
        lines.append(">>>>>>>>>>>>>>>> Exim pid=2003 (test-delivery) terminating with rc=0 >>>>>>>>>>>>>>>>")
        return (lines, forkingLine)
    }

    @Test func theChildCarriesEveryCandidatesSnapshotAndTheRecordsDecide() throws {
        let (lines, forkingLine) = try Self.trace(exitBlock: true)
        let r = TraceText.check(lines)
        // With only the preferred parent (B, the last to print) the child would start in B's
        // state: its records would go to A and its exit block would not match.
        #expect(r.lineMismatches == 0)
        #expect(r.sharedStreamLines > 0)
        #expect(r.compared > 0 && r.matched == r.compared, "\(r.text(limit: 20))")
        // The fork is decided: no alternative names B. What stays open is section 19.9 item 4's
        // limit (after the fork, lines that fit the child and A alike and move no exit figure).
        #expect(!r.ambiguous.contains { $0.line == forkingLine }, "\(r.ambiguous)")
        #expect(r.ambiguous.allSatisfy { $0.chosen.contains("test-delivery") && $0.alternatives.allSatisfy { $0.hasPrefix("2001") } }, "\(r.ambiguous)")
        #expect(r.processes.contains { $0.pid == 2003 })
    }

    @Test func anUndecidedForkNamesTheLineAndItsAlternatives() throws {
        // Without the child's exit block nothing decides between the parents.
        let (lines, forkingLine) = try Self.trace(exitBlock: false)
        let r = TraceText.check(lines)
        #expect(r.lineMismatches == 0)
        #expect(r.ambiguousCount > 0 && r.failed && r.summary.hasPrefix("UNDECIDED"), "\(r.summary)")
        let fork = try #require(r.ambiguous.first { $0.line == forkingLine }, "\(r.ambiguous)")
        #expect(fork.chosen.hasPrefix("2002") && fork.alternatives.contains { $0.hasPrefix("2001") }, "\(fork)")
        #expect(r.text().contains("ambiguous: line \(forkingLine)"))
    }
}
