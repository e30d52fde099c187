import FixtureSupport
import EximDemo
import EximLog
import EximSpool
import Foundation
import Store
import Testing
@testable import StoremonCore

/// A clock the tests move by hand.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var now: Date
    init(_ start: Date = Date(timeIntervalSince1970: 1_795_713_639)) { now = start }
    func read() -> Date { lock.lock(); defer { lock.unlock() }; return now }
    func advance(_ seconds: Double) { lock.lock(); now = now.addingTimeInterval(seconds); lock.unlock() }
}

/// A demo spool plus a session on it.
func demoSession(_ dir: String, seed: UInt64 = 1, clock: TestClock, once: Bool = false)
    throws -> (DemoGenerator, MonitorSession) {
    let generator = try DemoGenerator(root: dir, seed: seed, clock: { clock.read() })
    let paths = MonitorPaths(logPath: generator.logPath, spoolDirectory: dir)
    let session = try MonitorSession(MonitorConfiguration(paths: paths, once: once, useInotify: false,
                                                          clock: { clock.read() }))
    return (generator, session)
}

@Suite("Refresh cycle")
struct SessionTests {
    @Test("each reset returns main and tainted main to their state at the mark, over many refreshes")
    func mainPoolReturnsToMark() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { Fixtures.remove(dir) }
        let clock = TestClock()
        let (generator, session) = try demoSession(dir, clock: clock)
        try generator.seedQueue(10)
        _ = try session.refresh()   // warm-up: the first refresh sizes the blocks
        var sawWork = 0
        for _ in 0..<300 {
            try generator.step(count: 3)
            clock.advance(1)
            let before = session.store.statistics()
            let snap = try session.refresh()
            let after = session.store.statistics()
            for index in [0, 5] {
                #expect(after.pools[index].bytes == before.pools[index].bytes, "pool \(index) bytes")
                #expect(after.pools[index].blocks == before.pools[index].blocks, "pool \(index) blocks")
                #expect(after.pools[index].usedBytes == before.pools[index].usedBytes, "pool \(index) used")
            }
            // The snapshot saw main in use (the log lines sat in tainted main).
            if snap.pools[5].statistics.usedBytes > after.pools[5].usedBytes { sawWork += 1 }
        }
        #expect(sawWork > 200)
    }

    @Test("a queue changing a little each refresh: the entries patched in place equal a fresh session's, ages included")
    func patchedQueueEqualsFresh() throws {
        for inotify in [true, false] {
            let dir = try Fixtures.temporaryDirectory()
            defer { Fixtures.remove(dir) }
            let clock = TestClock()
            let generator = try DemoGenerator(root: dir, seed: 7, clock: { clock.read() })
            generator.queueTarget = 150
            try generator.seedQueue(150)
            func configuration() -> MonitorConfiguration {
                MonitorConfiguration(paths: MonitorPaths(logPath: generator.logPath, spoolDirectory: dir),
                                     useInotify: inotify, clock: { clock.read() })
            }
            let session = try MonitorSession(configuration())
            _ = try session.refresh()
            var changedRounds = 0
            for round in 0..<60 {
                let before = generator.queuedIDs
                try generator.step(count: 1 + round % 3)
                if generator.queuedIDs != before { changedRounds += 1 }
                clock.advance(round % 5 == 0 ? 61 : 1)
                let live = try session.refresh().queue
                let fresh = try MonitorSession(configuration()).refresh().queue
                #expect(live.messages.map(\.id) == fresh.messages.map(\.id), "round \(round), inotify \(inotify)")
                for (a, b) in zip(live.messages, fresh.messages) {
                    var x = a, y = b
                    x.ageSeconds = 0; y.ageSeconds = 0
                    #expect(x == y, "round \(round): \(a.id)")
                    #expect(live.age(of: a) == fresh.age(of: b), "round \(round): \(a.id) age")
                }
            }
            #expect(changedRounds > 20)
        }
    }

    @Test("message pools stay bounded as messages come and go; a rebuild is a reset")
    func messagePoolBounded() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { Fixtures.remove(dir) }
        let clock = TestClock()
        let (generator, session) = try demoSession(dir, seed: 9, clock: clock)
        try generator.seedQueue(12)
        var peak = 0
        var resetsBefore = session.resets
        var extraResets = 0
        // (the reader keeps a few dozen bytes a message: garbage passes the 64 KiB floor
        // after a thousand or so have gone through)
        for i in 0..<4000 where i < 600 || extraResets == 0 {
            try generator.step(count: 2)
            clock.advance(1)
            let snap = try session.refresh()
            peak = max(peak, snap.pools[9].statistics.bytes)
            extraResets += session.resets - resetsBefore - 1
            resetsBefore = session.resets
            #expect(Set(snap.queue.messages.map(\.id)) == Set(generator.queuedIDs), "refresh \(i)")
        }
        // The queue holds at most ~20 messages (a few KiB each): the pool must not have
        // kept the garbage of the hundreds of messages that went through it.
        #expect(peak < 512 << 10, "tainted message peaked at \(peak) bytes")
        #expect(extraResets > 0, "the message pools were never rebuilt")
    }

    @Test("search: matches in the search pools, n/N move, closing resets the pool")
    func searchTidied() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { Fixtures.remove(dir) }
        let clock = TestClock()
        let (generator, session) = try demoSession(dir, seed: 3, clock: clock)
        try generator.step(count: 80)
        _ = try session.refresh()
        let before = session.store.statistics()
        let resets = session.resets
        let found = try session.search("COMPLETED")
        #expect(!found.matches.isEmpty)
        #expect(found.current == found.matches.count - 1)
        let open = session.store.statistics()
        #expect(open.pools[8].usedBytes > before.pools[8].usedBytes)   // tainted search: the matches
        #expect(open.pools[3].usedBytes > before.pools[3].usedBytes)   // search: the query
        let snap = try session.refresh()
        let s = try #require(snap.search)
        for index in s.matches {
            #expect(snap.log.tail[index].text.quoted(by: TerminalQuoter()).string.lowercased().contains("completed"))
        }
        if found.matches.count > 1 {
            let next = try #require(session.nextMatch())
            #expect(next.current == 0)   // wrapped from the newest
            let prev = try #require(session.previousMatch())
            #expect(prev.current == prev.matches.count - 1)
        }
        try session.closeSearch()
        let closed = session.store.statistics()
        #expect(closed.pools[3].usedBytes == before.pools[3].usedBytes)
        #expect(closed.pools[8].usedBytes == before.pools[8].usedBytes)
        #expect(session.resets == resets + 2)   // one refresh + the search's reset
        #expect(session.currentSearch == nil)
        #expect(try session.refresh().search == nil)
    }

    @Test("start-up options live in config, write-protected; paths in perm")
    func configAndPerm() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { Fixtures.remove(dir) }
        let clock = TestClock()
        let (_, session) = try demoSession(dir, clock: clock)
        let s = session.store.statistics()
        #expect(s.pools[PoolKind.config.rawValue].usedBytes > 0)
        #expect(s.pools[PoolKind.perm.rawValue].usedBytes > 0)
        #expect(session.configuredLogPath == dir + "/log/mainlog")
        #expect(session.colour)
        #expect(session.configuredSpoolDirectory == dir)
        // Perm and config do not grow with refreshes.
        for _ in 0..<20 { _ = try session.refresh() }
        let later = session.store.statistics()
        for kind in [PoolKind.perm, .config] {
            #expect(later.pools[kind.rawValue].bytes == s.pools[kind.rawValue].bytes)
            #expect(later.pools[PoolID(kind, tainted: true).index].bytes == s.pools[PoolID(kind, tainted: true).index].bytes)
        }
    }

    #if !os(Windows)
    @Test("writing into config memory after start-up kills the process with SIGSEGV")
    func configWriteFaults() async {
        await #expect(processExitsWith: .signal(SIGSEGV)) {
            let paths = MonitorPaths(logPath: nil, spoolDirectory: nil)
            let session = try! MonitorSession(MonitorConfiguration(paths: paths, useInotify: false))
            session.configWriteProbe()
        }
    }
    #endif

    @Test("no PATH and no spool: notes instead of panes, still a valid snapshot")
    func nothingToRead() throws {
        let session = try MonitorSession(MonitorConfiguration(paths: MonitorPaths(logPath: nil, spoolDirectory: nil,
                                                                                 spoolNote: PathDiscovery.spoolHelp),
                                                              useInotify: false))
        let snap = try session.refresh()
        #expect(snap.queue.note == PathDiscovery.spoolHelp)
        #expect(snap.log.note != nil)
        #expect(snap.pools.count == 10)
        _ = SnapshotJSON.encode(snap)
    }

    @Test("an unreadable spool is reported, not fatal")
    func unreadableSpool() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { Fixtures.remove(dir) }
        let session = try MonitorSession(MonitorConfiguration(paths: MonitorPaths(logPath: dir + "/none", spoolDirectory: dir),
                                                              useInotify: false))
        let snap = try session.refresh()
        #expect(snap.unreadable.contains { $0.path.hasSuffix("/input") })
        #expect(snap.queue.note != nil)
    }

    @Test("a long run in miniature: 2,000 refreshes with traffic, every pool bounded")
    func longRunBounded() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { Fixtures.remove(dir) }
        let clock = TestClock()
        let (generator, session) = try demoSession(dir, seed: 77, clock: clock)
        try generator.seedQueue(10)
        var bytesAt500: [Int] = []
        var peak = Array(repeating: 0, count: 10)
        for i in 0..<2000 {
            try generator.step(count: 2)
            if i % 50 == 0 { _ = try session.search("rejected") }
            if i % 50 == 25 { try session.closeSearch() }
            clock.advance(0.5)
            let snap = try session.refresh()
            for p in snap.pools { peak[p.index] = max(peak[p.index], p.statistics.bytes) }
            if i == 500 { bytesAt500 = session.store.statistics().pools.map(\.bytes) }
        }
        let end = session.store.statistics()
        for kind in [PoolKind.main, .perm, .config] {
            for tainted in [false, true] {
                let i = PoolID(kind, tainted: tainted).index
                #expect(end.pools[i].bytes <= bytesAt500[i], "pool \(i) grew after warm-up")
            }
        }
        #expect(peak[9] < 1 << 20, "tainted message peak \(peak[9])")
        #expect(peak[8] < 1 << 20, "tainted search peak \(peak[8])")
        #expect(end.quoted.isEmpty)
        #expect(session.lastSnapshot!.log.tail.count <= LogSnapshot.tailLength)
        #expect(session.resets >= 2000)
    }
}

extension MonitorSession {
    /// Test hook: writes one byte into the write-protected config pool.
    func configWriteProbe() {
        configColourByte.storeBytes(of: 1, as: UInt8.self)
    }
}

@Suite("Hostile log through the session")
struct HostileLogTests {
    @Test("ESC sequences, \\r, NUL, invalid UTF-8 and a 1 MB line: counted, cut, never raw on output")
    func hostileLog() throws {
        let dir = try Fixtures.temporaryDirectory("hostile")
        defer { Fixtures.remove(dir) }
        var log: [UInt8] = []
        log += Array("2026-11-26 17:20:39 [1] H=(\u{1B}[2J\u{1B}]0;owned\u{07}) [192.0.2.1] rejected EHLO: bad\r\n".utf8)
        log += Array("2026-11-26 17:20:40 [2] 1xWd9D-0006xR-10 <= a@b.test H=(x\u{0}y) [192.0.2.2] P=esmtp S=1 T=\"".utf8) + [0xFF, 0xFE, 0xC2, 0x9B] + Array("\"\n".utf8)
        log += Array("2026-11-26 17:20:41 [3] ".utf8) + Array(repeating: 0x1B, count: 1 << 20) + [0x0A]
        log += Array("2026-11-26 17:20:42 [4] 1xWd9D-0006xR-10 Completed\n".utf8)
        FileManager.default.createFile(atPath: dir + "/mainlog", contents: Data(log))
        let session = try MonitorSession(MonitorConfiguration(paths: MonitorPaths(logPath: dir + "/mainlog", spoolDirectory: nil),
                                                              once: true, useInotify: false))
        let snap = try session.refresh()
        #expect(snap.log.lines == 4)
        #expect(snap.log.byFlag[.arrival] == 1)
        #expect(snap.log.tail.count == 4)
        let huge = snap.log.tail[2]
        #expect(huge.text.byteCount <= LogTailLine.maxBytes)
        #expect((huge.fullLength ?? 0) > LogTailLine.maxBytes)
        let frame = PlainFrame.render(snap, width: 80)
        #expect(!frame.utf8.contains { ($0 < 0x20 && $0 != 0x0A) || $0 == 0x7F })
        #expect(frame.contains("\\x1b[2J"))
        let json = SnapshotJSON.encode(snap)
        #expect(!json.utf8.contains { $0 < 0x20 || $0 == 0x7F })
        // the log pane's model quotes every line: no control, C1 or format character left
        for line in LogPaneModel(snap.log).lastLines(snap.log.tail.count) {
            #expect(!line.text.string.unicodeScalars.contains {
                $0.value < 0x20 || $0.value == 0x7F || (0x80...0x9F).contains($0.value) || $0.properties.generalCategory == .format
            })
        }
    }

    @Test("a symlinked log is followed by its own name")
    func symlinkedLog() throws {
        let dir = try Fixtures.temporaryDirectory("link")
        defer { Fixtures.remove(dir) }
        FileManager.default.createFile(atPath: dir + "/real", contents: Data("2026-11-26 17:20:39 Start queue run: pid=1\n".utf8))
        try FileManager.default.createSymbolicLink(atPath: dir + "/mainlog", withDestinationPath: dir + "/real")
        let session = try MonitorSession(MonitorConfiguration(paths: MonitorPaths(logPath: dir + "/mainlog", spoolDirectory: nil),
                                                              once: true, useInotify: false))
        #expect(session.logPath?.hasSuffix("/mainlog") == true)
        #expect(try session.refresh().log.lines == 1)
    }
}

@Suite("Log that appears later")
struct LateLogTests {
    @Test("a log file that does not exist yet: a waiting note, then its lines once it appears")
    func lateLog() throws {
        let dir = try Fixtures.temporaryDirectory("late")
        defer { Fixtures.remove(dir) }
        let session = try MonitorSession(MonitorConfiguration(paths: MonitorPaths(logPath: dir + "/mainlog", spoolDirectory: nil),
                                                              useInotify: false))
        let first = try session.refresh()
        #expect(first.log.note?.contains("Waiting") == true)
        #expect(first.log.lines == 0)
        FileManager.default.createFile(atPath: dir + "/mainlog", contents: Data("2026-11-26 17:20:39 Start queue run: pid=1\n".utf8))
        let second = try session.refresh()
        #expect(second.log.note == nil)
        #expect(second.log.lines == 1)
        #expect(second.log.tail.first?.time == "17:20:39")
        #expect(second.log.tail.first?.kind == .other)
    }
}

@Suite("The r key")
struct ClearMaximaSessionTests {
    @Test("refreshClearingMaxima: after a big burst, the maxima drop back to one quiet cycle's needs")
    func maximaClearedThenOneCycle() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { Fixtures.remove(dir) }
        let clock = TestClock()
        let (generator, session) = try demoSession(dir, clock: clock)
        try generator.seedQueue(5)
        _ = try session.refresh()
        try generator.step(count: 2_000)            // a burst: tainted main grows several blocks
        clock.advance(1)
        let burst = try session.refresh()
        let burstMax = burst.pools[5].statistics.maxBytes   // taken before the cycle's reset
        let afterBurst = session.store.statistics()
        #expect(afterBurst.pools[5].maxBytes == burstMax)
        #expect(burstMax > afterBurst.pools[5].bytes, "the reset gave back blocks; the high-water mark stays")

        try generator.step(count: 1)
        clock.advance(1)
        let resetsBefore = session.resets
        let quiet = try session.refreshClearingMaxima()
        #expect(session.resets == resetsBefore + 1, "r runs a whole refresh cycle, reset included")
        let stats = session.store.statistics()
        #expect(stats.pools[5].maxBytes < burstMax, "the burst's maximum is gone")
        #expect(stats.pools[5].maxBytes >= stats.pools[5].bytes)
        #expect(quiet.pools[5].statistics.maxBytes >= quiet.pools[5].statistics.bytes)
    }
}
