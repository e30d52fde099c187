import FixtureSupport
import Testing
import Foundation
import EximTrace
import StoreReplay

/// `--check --json` in the schema of issue 5.
@Suite struct JSONReportTests {
    @Test func schema() throws {
        let report = CheckReport.check(try TraceReader(path: Fixtures.path("traces/trace5-daemon.txt")))
        let object = try JSONSerialization.jsonObject(with: Data(report.json().utf8))
        let top = try #require(object as? [String: Any])
        #expect(top["lineMismatches"] as? Int == 0)
        #expect(top["matched"] as? Int == 48)
        #expect(top["compared"] as? Int == 48)
        let processes = try #require(top["processes"] as? [[String: Any]])
        #expect(processes.count == 4)
        for p in processes {
            #expect(p["pid"] is Int)
            let pools = try #require(p["pools"] as? [[String: Any]])
            #expect(pools.map { $0["index"] as? Int } == (0..<10).map { Optional($0) })
            for pool in pools {
                let exim = try #require(pool["exim"] as? [String: Any])
                let replay = try #require(pool["replay"] as? [String: Any])
                #expect(exim["kB"] is Int && exim["blocks"] is Int && exim["order"] is Int)
                #expect(replay["kB"] as? Int == exim["kB"] as? Int)
                #expect(pool["match"] as? Bool == true)
                #expect(pool["inferred"] is Bool)
            }
            let nonpool = try #require(p["nonpool"] as? [String: Any])
            #expect((nonpool["exim"] as? [String: Any])?["blocks"] is Int)
            #expect(nonpool["match"] as? Bool == true && nonpool["inferred"] as? Bool == true)
            let npools = try #require(p["npools"] as? [String: Any])
            #expect((npools["replay"] as? [String: Any])?["kB"] is Int)
        }
    }

    @Test func mismatchesAppearInTheJSON() throws {
        var lines = TraceText.lines("traces/trace1-bt.txt")
        let i = try #require(TraceText.index(lines, of: "----Exit npools"))
        lines[i] = lines[i].replacingOccurrences(of: "47 kB", with: "48 kB")
        let object = try JSONSerialization.jsonObject(with: Data(TraceText.check(lines).json().utf8))
        let top = try #require(object as? [String: Any])
        #expect(top["matched"] as? Int == 11 && top["compared"] as? Int == 12)
        let p = try #require((top["processes"] as? [[String: Any]])?.first)
        #expect((p["npools"] as? [String: Any])?["match"] as? Bool == false)
    }
}
