import FixtureSupport
import EximLog
import Foundation
import Testing
@testable import StoremonCore

/// Live mode starts at the log's tail and counts the earlier lines in the background.
@Suite("Background count of the earlier lines")
struct HistoryCountTests {
    @Test("the first refresh reads only the tail; the earlier lines are added once counted, and JSON says while counting")
    func earlierLinesCountedInTheBackground() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { Fixtures.remove(dir) }
        let log = dir + "/mainlog"
        let total = 200_000
        var text = ""
        text.reserveCapacity(total * 70)
        for n in 0..<total { text += "2026-11-26 10:00:00 [1] 1xWd9D-0006xR-10 => u\(n)@example.org R=r T=t\n" }
        try Data(text.utf8).write(to: URL(fileURLWithPath: log))
        let session = try MonitorSession(MonitorConfiguration(paths: MonitorPaths(logPath: log, spoolDirectory: nil),
                                                              initialTailLines: 100))
        let first = try session.refresh()
        #expect(first.log.lines >= 100)
        if first.log.lines < total {
            #expect(first.log.counting != nil)
            #expect(SnapshotJSON.line(first).contains("\"counting\":{\"bytesDone\":"))
        }
        var last = first
        let deadline = Date().addingTimeInterval(60)
        while last.log.lines < total && Date() < deadline {
            usleep(50_000)
            last = try session.refresh()
        }
        #expect(last.log.lines == total)
        #expect(last.log.counting == nil)
        #expect(SnapshotJSON.line(last).contains("\"counting\":null"))
    }
}
