import Foundation
import Store
import Testing
@testable import EximLog

/// The counters the monitor puts in its JSON.
@Suite("Counters")
struct CountersTests {
    @Test("JSON: byFlag keyed by flag text, rejected, other, lines; round trip")
    func json() throws {
        let store = try makeStore()
        var c = LogCounters()
        for text in ["2026-11-26 17:20:36 1xWd9A-0006vT-0Q <= a@b S=1",
                     "2026-11-26 17:20:36 1xWd9A-0006vT-0Q => b R=r T=t",
                     "2026-11-26 17:20:36 1xWd9A-0006vT-0Q == c R=r T=t defer (111): Connection refused",
                     "2026-11-26 17:20:36 H=[1.2.3.4] F=<a@b> rejected RCPT <c@d>: no",
                     "nonsense", " continuation", ""] {
            c.count(try parse(text, in: store))
        }
        #expect(c.lines == 7 && c.rejected == 1 && c.other == 1)
        #expect(c[kind: .continuation] == 1 && c[kind: .blank] == 1)
        let data = try JSONEncoder().encode(c)
        let obj = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        let byFlag = obj?["byFlag"] as? [String: Int]
        #expect(byFlag?["<="] == 1 && byFlag?["=>"] == 1 && byFlag?["=="] == 1 && byFlag?["**"] == 0)
        #expect(byFlag?.count == LogFlag.allCases.count)
        #expect(obj?["rejected"] as? Int == 1)
        #expect(obj?["other"] as? Int == 1)
        #expect(obj?["lines"] as? Int == 7)
        #expect(try JSONDecoder().decode(LogCounters.self, from: data) == c)
        var twice = c
        twice.add(c)
        #expect(twice.lines == 14 && twice[flag: .arrival] == 2 && twice.byFlag[.deferred] == 2)
    }

    @Test("flag texts and kind names are stable")
    func names() {
        #expect(LogFlag.allCases.map(\.text) == ["<=", "(=", "=>", "->", ">>", "*>", "**", "=="])
        #expect(LogLineKind.other.description == "other")
        #expect(LogLineKind.queueRunStarted.description == "queueRunStarted")
        #expect(Set(LogLineKind.allCases.map(\.description)).count == LogLineKind.allCases.count)
        #expect(LogFieldKey.allCases.count == LogFieldKey.count)
    }
}
