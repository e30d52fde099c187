import FixtureSupport
import EximDemo
import EximLog
import EximSpool
import Foundation
import Store
import Testing
@testable import StoremonCore

@Suite("Demo traffic")
struct DemoTests {
    @Test("what the generator writes parses with the readers: every flag, rejections, the queue, no unreadable file")
    func parses() throws {
        let dir = try Fixtures.temporaryDirectory("demo")
        defer { Fixtures.remove(dir) }
        let clock = TestClock(Date())
        let generator = try DemoGenerator(root: dir, seed: 2024, clock: { clock.read() })
        try generator.seedQueue(8)
        for _ in 0..<400 { try generator.step(); clock.advance(0.4) }
        let session = try MonitorSession(MonitorConfiguration(paths: MonitorPaths(logPath: generator.logPath, spoolDirectory: dir),
                                                              once: true, useInotify: false, clock: { clock.read() }))
        let snap = try session.refresh()
        #expect(snap.unreadable.isEmpty, "\(snap.unreadable)")
        #expect(snap.log.lines == generator.linesWritten)
        for flag in LogFlag.allCases {
            #expect(snap.log.byFlag[flag] == generator.flagsWritten[flag.text] ?? 0, "flag \(flag.text)")
            #expect((generator.flagsWritten[flag.text] ?? 0) > 0, "the demo never wrote \(flag.text)")
        }
        #expect(snap.log.rejected == generator.rejectionsWritten)
        #expect(snap.queue.messages.map(\.id).sorted() == generator.queuedIDs.sorted())
        #expect(snap.queue.messages.contains { $0.frozen })
        #expect(snap.queue.messages.contains { $0.id.count == 23 })
        #expect(snap.queue.messages.contains { $0.id.count == 16 })
        #expect(snap.queue.messages.allSatisfy { $0.size > 0 && !$0.recipients.isEmpty || !$0.delivered.isEmpty })
        // Hostile bytes were written, and none reaches the plain frame or the JSON raw.
        let raw = try Data(contentsOf: URL(fileURLWithPath: generator.logPath))
        #expect(raw.contains(0x1B))
        let frame = PlainFrame.render(snap, width: 80, tailLines: 500)
        #expect(!frame.utf8.contains { $0 == 0x1B || $0 == 0x0D || $0 == 0x00 || $0 == 0x7F })
        #expect(!SnapshotJSON.encode(snap).utf8.contains { $0 < 0x20 || $0 == 0x7F })
    }

    @Test("the spool files look like Exim's: -H name line, envelope, headers with lengths")
    func headerFormat() throws {
        let dir = try Fixtures.temporaryDirectory("demo")
        defer { Fixtures.remove(dir) }
        let generator = try DemoGenerator(root: dir, seed: 5)
        try generator.seedQueue(3)
        let id = try #require(generator.queuedIDs.first)
        let text = try String(contentsOfFile: dir + "/input/" + id + "-H", encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[0] == id + "-H")
        #expect(lines[1] == "Debian-exim 102 105")
        #expect(lines[2].hasPrefix("<") && lines[2].hasSuffix(">"))
        let data = try String(contentsOfFile: dir + "/input/" + id + "-D", encoding: .utf8)
        #expect(data.hasPrefix(id + "-D\n"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/input/hdr." + id))
    }

    @Test("DemoTraffic runs on its own, the session follows it, stop() removes the spool")
    func traffic() throws {
        let base = try Fixtures.temporaryDirectory("demo")
        defer { Fixtures.remove(base) }
        let demo = try DemoTraffic.start(in: base, stepsPerSecond: 50, seed: 11)
        let session = try MonitorSession(MonitorConfiguration(paths: MonitorPaths(logPath: demo.logPath, spoolDirectory: demo.spoolDirectory), useInotify: false))
        let first = try session.refresh()
        #expect(first.queue.messages.count >= 1)
        Thread.sleep(forTimeInterval: 0.3)
        try demo.stepNow()
        let second = try session.refresh()
        #expect(second.log.lines > first.log.lines)
        demo.stop()
        #expect(!FileManager.default.fileExists(atPath: demo.root))
        demo.stop()
    }
}
