import FixtureSupport
import Foundation
import Testing
import EximTrace
import StoreReplay

/// Every real trace in Tests/Fixtures (Exim 4.96 from Debian, 4.98.2 and 4.99.1 built from
/// source; with and without +pid): the fidelity target of issue 8 point 7.
enum AllTraces {
    /// `Tests/Fixtures`.
    static let root = Fixtures.directory

    /// Every `-d+memory` trace (relative to `Tests/Fixtures`), stdout captures and inputs left out.
    static let names: [String] = {
        var out: [String] = []
        for dir in ["exim-real/traces", "exim-real/traces-extra", "exim-real/traces-extra2", "exim-4.98/traces", "exim-4.99/traces"] {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(dir).path)) ?? []
            for f in files.sorted() where f.hasSuffix(".txt") && !f.contains("stdout") && !f.contains("input") && f != "README.md" {
                out.append(dir + "/" + f)
            }
        }
        return out
    }()

    static func path(_ name: String) -> String { root.appendingPathComponent(name).path }

    static func check(_ name: String) throws -> CheckReport { CheckReport.check(try TraceReader(path: path(name))) }

    /// `----Exit` lines in the file, counted independently of the parser.
    static func exitLines(_ name: String) -> Int {
        let text = (try? String(contentsOfFile: path(name), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").filter { $0.contains("----Exit ") }.count
    }
}

@Suite struct FixtureReplayTests {
    @Test func theFixturesAreAllThere() {
        // 6 + 5 + 6 in exim-real, 20 each for 4.98 and 4.99 (a clean clone must carry them).
        #expect(AllTraces.names.count >= 55, "\(AllTraces.names.count) traces")
        #expect(AllTraces.names.contains("exim-4.99/traces/qff.memory+pid.txt"))
        #expect(AllTraces.names.contains("exim-real/traces-extra2/field-bs-bounce.txt"))
    }

    /// With +pid (or one process): 0 mismatching memory lines, every Exit pool and npools
    /// line matched. Without +pid: 0 mismatching lines and every exit line matched, or the
    /// undecided lines named with their alternatives.
    @Test(arguments: AllTraces.names)
    func everyFigureOfEveryRealTrace(name: String) throws {
        let report = try AllTraces.check(name)
        #expect(report.lineMismatches == 0, "\(name): \(report.mismatches.prefix(3))")
        #expect(report.exitTotals.poolLinesMatched == report.exitTotals.poolLines, "\(name)")
        #expect(report.compared == AllTraces.exitLines(name), "\(name): every exit line compared")
        #expect(!report.hasDifferences, "\(name)")
        #expect(!report.checkedNothing)
        if report.sharedStreamLines == 0 {
            #expect(report.ambiguousCount == 0 && !report.failed, "\(name): \(report.summary)")
        } else if report.ambiguousCount > 0 {
            #expect(report.summary.hasPrefix("UNDECIDED"))
            #expect(report.ambiguous.allSatisfy { !$0.alternatives.isEmpty })
        }
        // Not-derivable figures are never counted as differences.
        for p in report.processes {
            for l in p.lines where !l.derivable { #expect(l.verdict != .differ || l.notDerivable.count < 3) }
        }
    }

    @Test func tracesWithAndWithoutPidAgree() throws {
        // The same run with and without +pid: the same exit figures (where attribution decides).
        for v in ["exim-4.98", "exim-4.99"] {
            for s in ["bt", "bh", "bp", "bP", "Mvh", "daemon"] {
                let a = try AllTraces.check("\(v)/traces/\(s).memory+pid.txt")
                let b = try AllTraces.check("\(v)/traces/\(s).memory.txt")
                #expect(a.exitTotals.compared == b.exitTotals.compared && a.exitTotals.matched == b.exitTotals.matched, "\(v) \(s)")
                #expect(a.lineMismatches == 0 && b.lineMismatches == 0)
            }
        }
    }
}
