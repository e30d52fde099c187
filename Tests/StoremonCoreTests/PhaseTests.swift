import EximDemo
import FixtureSupport
import Foundation
import Store
import Testing
@testable import StoremonCore

@Suite("Refresh phases (step mode)")
struct PhaseTests {
    /// Steps until the refresh ends; returns every step.
    func stepWholeRefresh(_ session: MonitorSession) throws -> [PhaseStep] {
        var steps: [PhaseStep] = []
        repeat { steps.append(try session.step()) } while !steps.last!.endedRefresh && steps.count < 20
        return steps
    }

    @Test("one refresh step by step: the phases in order, main back at the mark after the reset")
    func stepThroughOneRefresh() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { Fixtures.remove(dir) }
        let clock = TestClock()
        let (generator, session) = try demoSession(dir, clock: clock)
        try generator.seedQueue(6)
        _ = try session.refresh()
        for round in 0..<5 {
            try generator.step(count: 4)
            clock.advance(1)
            let linesBefore = session.lastSnapshot!.log.lines
            #expect(session.nextPhase == .mark)
            let steps = try stepWholeRefresh(session)
            #expect(steps.map(\.phase) == [.mark, .readLog, .queue, .snapshot, .reset], "round \(round)")
            let atMark = steps[0].snapshot.pools[5].statistics.usedBytes
            let afterReset = steps[5 - 1].snapshot.pools[5].statistics.usedBytes
            #expect(afterReset == atMark, "tainted main in use after the reset (\(afterReset)) differs from the mark (\(atMark))")
            #expect(steps[1].snapshot.pools[5].statistics.usedBytes > atMark, "reading the log got nothing")
            // the mark is where the reset returns: in the chains of both main pools
            for s in steps {
                #expect(s.snapshot.pools[0].mark != nil && s.snapshot.pools[5].mark != nil, "\(s.phase): no mark")
                #expect(s.snapshot.pools[1].mark == nil)
            }
            let read = steps[1].report
            #expect(read.lines == session.lastSnapshot!.log.lines - linesBefore && read.lines > 0)
            #expect(read.change(of: PoolID(.main, tainted: true))?.bytesGot ?? 0 > 0)
            let reset = steps.last!.report
            #expect(reset.bytesAboveMark == 0)
            #expect(reset.bytesGivenBack == steps[3].report.bytesAboveMark && reset.bytesGivenBack > 8,
                    "the reset gives back exactly what lay above the mark (main's 8-byte cookie included)")
            #expect(PhaseCaption.figures(reset).hasPrefix("reset: "))
            #expect(PhaseCaption.explanation(reset).contains("0 bytes in use above the mark"))
            #expect(steps.last!.snapshot.phases.map(\.phase) == [.mark, .readLog, .queue, .snapshot, .reset])
            // the refresh's own frame is the snapshot phase's, with every report
            #expect(session.lastSnapshot!.phases.count == 5)
            #expect(session.lastSnapshot!.step == nil)
            #expect(session.lastSnapshot!.pools[5].statistics == steps[3].snapshot.pools[5].statistics)
        }
    }

    @Test("an open search adds the search phase; refresh() finishes a stepped refresh")
    func searchPhaseAndFinishing() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { Fixtures.remove(dir) }
        let clock = TestClock()
        let (generator, session) = try demoSession(dir, clock: clock)
        try generator.step(count: 10)
        _ = try session.refresh()
        try session.search("storemon")
        try generator.step(count: 3)
        let steps = try stepWholeRefresh(session)
        #expect(steps.map(\.phase) == [.mark, .readLog, .queue, .search, .snapshot, .reset])
        #expect(PhaseCaption.figures(steps[3].report).hasPrefix("search: "))
        // two phases, then a normal refresh runs the rest of that refresh
        let refreshes = session.refreshes
        _ = try session.step()
        _ = try session.step()
        #expect(session.nextPhase == .queue)
        let snap = try session.refresh()
        #expect(session.nextPhase == .mark)
        #expect(session.refreshes == refreshes + 1)
        #expect(snap.phases.map(\.phase) == [.mark, .readLog, .queue, .search, .snapshot, .reset])
    }

    @Test("a stepped refresh's time counts its phases, not the pauses between them")
    func steppedRefreshTime() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { Fixtures.remove(dir) }
        let clock = TestClock()
        let (generator, session) = try demoSession(dir, clock: clock)
        try generator.step(count: 3)
        _ = try session.step()
        usleep(300_000)
        _ = try session.step()
        usleep(300_000)
        let snap = try session.refresh()
        #expect(snap.status.refreshMilliseconds > 0 && snap.status.refreshMilliseconds < 250,
                "refresh time \(snap.status.refreshMilliseconds) ms includes the pauses")
    }

    @Test("running every phase is a refresh: same figures as refresh() on the same traffic")
    func stepsEqualRefresh() throws {
        let a = try Fixtures.temporaryDirectory("a"), b = try Fixtures.temporaryDirectory("b")
        defer { Fixtures.remove(a); Fixtures.remove(b) }
        let clockA = TestClock(), clockB = TestClock()
        let (genA, one) = try demoSession(a, seed: 5, clock: clockA)
        let (genB, other) = try demoSession(b, seed: 5, clock: clockB)
        for _ in 0..<20 {
            try genA.step(count: 2)
            try genB.step(count: 2)
            clockA.advance(1); clockB.advance(1)
            let x = try one.refresh()
            _ = try stepWholeRefresh(other)
            let y = other.lastSnapshot!
            #expect(x.log.lines == y.log.lines)
            #expect(x.pools.map(\.statistics.usedBytes) == y.pools.map(\.statistics.usedBytes))
            #expect(x.status.resets == y.status.resets)
            #expect(one.store.statistics().pools.map(\.usedBytes) == other.store.statistics().pools.map(\.usedBytes))
        }
    }

    @Test("--poison: a view kept across the reset reads 0xF0, next to what it showed")
    func staleViewReadsPoison() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { Fixtures.remove(dir) }
        let clock = TestClock()
        let generator = try DemoGenerator(root: dir, seed: 3, clock: { clock.read() })
        var config = MonitorConfiguration(paths: MonitorPaths(logPath: generator.logPath, spoolDirectory: dir),
                                          useInotify: false, clock: { clock.read() })
        config.storeOptions.poisonOnRelease = true
        config.keepsStaleView = true
        let session = try MonitorSession(config)
        _ = try session.refresh()
        var seen = 0
        for _ in 0..<30 {
            try generator.step(count: 2)
            clock.advance(1)
            let snap = try session.refresh()
            guard let stale = snap.staleView, stale.refresh == snap.status.refreshes else { continue }
            seen += 1
            #expect(stale.readsPoison, "stale view did not read poison")
            #expect(stale.after != stale.before)
            let lines = CaptionModel.staleLines(stale).map(\.string)
            #expect(lines[0].contains("\\xf0\\xf0") && lines[0].contains("0xF0"))
            #expect(!lines.joined().unicodeScalars.contains { $0.value < 0x20 || (0x80...0x9F).contains($0.value) })
            #expect(lines[1].contains("before that reset it showed"))
        }
        #expect(seen > 20, "stale views shown in only \(seen) of 30 refreshes")
    }

    @Test("without --poison no stale view is kept")
    func noStaleViewByDefault() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { Fixtures.remove(dir) }
        let clock = TestClock()
        let (generator, session) = try demoSession(dir, clock: clock)
        try generator.step(count: 5)
        #expect(try session.refresh().staleView == nil)
    }

    @Test("JSON and the plain frame carry each pool's mark")
    func markInJSONAndPlainFrame() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { Fixtures.remove(dir) }
        let clock = TestClock()
        let (generator, session) = try demoSession(dir, clock: clock)
        try generator.seedQueue(3)
        try generator.step(count: 5)
        let snap = try session.refresh()
        let json = try JSONSerialization.jsonObject(with: Data(SnapshotJSON.encode(snap).utf8)) as! [String: Any]
        let pools = json["pools"] as! [[String: Any]]
        let mark = pools[5]["mark"] as? [String: Any]
        #expect(mark?["block"] as? Int == snap.pools[5].mark?.block)
        #expect(mark?["offset"] as? Int == snap.pools[5].mark?.offset)
        #expect(pools[1]["mark"] is NSNull)
        let frame = PlainFrame.render(snap)
        let mainRow = frame.split(separator: "\n").first { $0.hasPrefix("main ") }!
        #expect(mainRow.hasSuffix(snap.pools[0].mark!.compactText))
        #expect(mainRow.contains("^"))
        #expect(frame.split(separator: "\n").allSatisfy { $0.count <= 80 })
        // --explain: the refresh's caption, wrapped at the width, never cut
        let explained = PlainFrame.render(snap, explain: true)
        #expect(explained.split(separator: "\n").allSatisfy { $0.count <= 80 })
        #expect(explained.contains("refresh \(snap.status.refreshes): mark, read "))
        #expect(explained.replacingOccurrences(of: "\n    ", with: " ").contains("p then . steps"))
    }
}

@Suite("Mark position and chain overlay")
struct MarkOverlayTests {
    func stats(_ blocks: [(Int, Int)], current: Int?) -> PoolStatistics {
        PoolStatistics(bytes: blocks.reduce(0) { $0 + $1.0 + 16 }, blocks: blocks.count, maxBytes: 0, maxBlocks: 0,
                       order: 13, maxOrder: 13, chain: blocks.map { BlockStatistics(length: $0.0, used: $0.1) },
                       currentBlock: current)
    }

    @Test("a mark located in a real store: cookie and watermark, bytes above it")
    func locateInStore() throws {
        let store = try Store()
        _ = try store.get(100)
        _ = try store.get(40, .tainted)
        let (mark, (cookie, watermark)) = try MonitorSession.locatedMark(store, .main)
        #expect(cookie == MarkPosition(block: 0, offset: 104))
        #expect(watermark == MarkPosition(block: 0, offset: 40))
        _ = try store.get(300, .tainted)
        _ = try store.get(9000, .tainted)              // a second block
        let t = store.statistics().pools[5]
        #expect(watermark!.bytesInUseAbove(in: t) == 304 + 9000)
        #expect(watermark!.blocksAbove(in: t) == 1)
        try store.reset(to: mark)
        #expect(watermark!.bytesInUseAbove(in: store.statistics().pools[5]) == 0)
    }

    @Test("pure: bytes above a mark count the mark's block past the offset and every later block")
    func bytesAbove() {
        let s = stats([(4000, 3000), (8000, 5000), (16000, 100)], current: 2)
        #expect(MarkPosition(block: 1, offset: 1000).bytesInUseAbove(in: s) == 4000 + 100)
        #expect(MarkPosition(block: 2, offset: 100).bytesInUseAbove(in: s) == 0)
        #expect(MarkPosition(block: 0, offset: 0).blocksAbove(in: s) == 2)
    }

    @Test("chain row: the mark cell, the reclaimable shade after it, nothing of it before")
    func chainRowMark() {
        let s = stats([(4000, 4000), (4000, 2000)], current: 1)
        let row = ChainRow(s, width: 22, overlay: ChainOverlay(mark: MarkPosition(block: 1, offset: 1000)))
        let text = row.text(width: 22)
        #expect(text == "|##########|==^~~-----", "got \(text)")
        let plain = ChainRow(s, width: 22).text(width: 22)
        #expect(plain == "|##########|=====-----")
        // no shade for pools whose reset is not imminent (message, search)
        let marked = ChainRow(s, width: 22, overlay: ChainOverlay(mark: MarkPosition(block: 1, offset: 1000), shadesAboveMark: false))
        #expect(marked.text(width: 22) == "|##########|==^==-----")
    }

    @Test("freed region: the top of the kept block and the blocks freed whole, fading away")
    func freedRegion() {
        let before = stats([(4000, 4000), (4000, 3000), (8192 - 16, 500)], current: 2)
        let after = stats([(4000, 4000), (4000, 1000)], current: 1)
        var freed = FreedRegion(before: before, after: after)!
        #expect(freed.blocks.count == 2)
        #expect(freed.blocks[0] == .init(index: 1, length: 4000, from: 1000, to: 3000, wholeBlock: false))
        #expect(freed.freedBlocks.map(\.index) == [2])
        #expect(FreedRegion(before: after, after: after) == nil)
        let row = ChainRow(after, width: 30, overlay: ChainOverlay(freed: freed))
        let text = row.text(width: 30)
        #expect(text.contains("!") && text.contains(":"), "got \(text)")
        #expect(row.cells.contains(.freed(fade: 0)))
        freed.age = FreedRegion.fadeFrames
        #expect(!ChainRow(after, width: 30, overlay: ChainOverlay(freed: freed)).text(width: 30).contains(":"))
    }

    @Test("keep-one: a block left after the current one after a reset is the one the rule kept")
    func keepOne() throws {
        #expect(PhaseReport.blocksKept(afterReset: stats([(4000, 10), (8176, 0)], current: 0)) == 1)
        #expect(PhaseReport.blocksKept(afterReset: stats([(4000, 10)], current: 0)) == 0)
        // in a real store: the keep-one rule keeps the block after the mark's
        let store = try Store()
        _ = try store.get(4000)                       // fills most of the first block (< 256 left)
        let mark = try store.mark()
        _ = try store.get(5000)                       // a second block
        try store.reset(to: mark)
        let s = store.statistics().pools[0]
        #expect(PhaseReport.blocksKept(afterReset: s) == s.chain.count - 1 - s.currentBlock!)
    }
}

@Suite("Phase words")
struct PhaseCaptionTests {
    let tainted = PoolID(.main, tainted: true)

    func stats(used: Int, blocks: Int) -> PoolStatistics {
        PoolStatistics(bytes: blocks * 4096, blocks: blocks, maxBytes: 0, maxBlocks: 0, order: 13, maxOrder: 13,
                       chain: (0..<blocks).map { BlockStatistics(length: 4080, used: $0 == blocks - 1 ? used - 4080 * (blocks - 1) : 4080) },
                       currentBlock: blocks - 1)
    }

    @Test func phaseOrderSkipsSearchWhenNoneIsOpen() {
        #expect(RefreshPhase.queue.next(searchOpen: false) == .snapshot)
        #expect(RefreshPhase.queue.next(searchOpen: true) == .search)
        #expect(RefreshPhase.reset.next(searchOpen: true) == nil)
        #expect(RefreshPhase.allCases.map(\.name) == ["mark", "read log", "queue", "search", "snapshot", "reset"])
    }

    @Test func figuresAndExplanationsNameThePhaseAndItsNumbers() {
        let grow = PoolChange(tainted, before: stats(used: 100, blocks: 1), after: stats(used: 5000, blocks: 2))
        let read = PhaseReport(phase: .readLog, refresh: 3, changes: [grow], lines: 12)
        #expect(PhaseCaption.figures(read) == "read log: 12 lines read, 4.8K got, 1 block added")
        #expect(PhaseCaption.explanation(read).hasPrefix("read log: 12 new log lines copied into tainted main"))
        let shrink = PoolChange(tainted, before: stats(used: 5000, blocks: 3), after: stats(used: 100, blocks: 2))
        let reset = PhaseReport(phase: .reset, refresh: 3, changes: [shrink], blocksKept: 1, bytesAboveMark: 0)
        #expect(PhaseCaption.figures(reset) == "reset: 4.8K and 1 block (4.0K held) given back, 1 kept (keep-one rule), 0 bytes above the mark")
        #expect(PhaseCaption.explanation(reset).hasPrefix("reset: 4.8K and 1 block given back, 1 kept (keep-one rule"))
        let mark = PhaseReport(phase: .mark, refresh: 4, changes: [], mainMark: MarkPosition(block: 0, offset: 8),
                               taintedMainMark: MarkPosition(block: 1, offset: 96))
        #expect(PhaseCaption.figures(mark) == "mark: main block 0 +8, tainted main block 1 +96")
        #expect(PhaseCaption.explanation(refresh: [read, reset])?.hasPrefix("refresh 3: mark, read 12 lines (4.8K)") == true)
        #expect(PhaseCaption.explanation(refresh: [read]) == nil)
    }
}
