import FixtureSupport
import Foundation
import Store
import Testing
@testable import EximSpool

/// `QueueReader.watchesDirectories`: with inotify naming what changed, a rescan of a queue
/// whose directory changed looks only at the messages named, and gives exactly what a
/// fresh reader listing and reading everything gives.
@Suite("Queue reader with inotify watches")
struct QueueWatchTests {
    /// A copy of a fixture spool, a watching reader and a store.
    struct Watched {
        let dir: URL
        let watching: QueueReader
        let store: Store
        var input: URL { dir.appendingPathComponent("input") }

        init(_ source: URL) throws {
            dir = try Fixtures.temporaryURL("spoolwatch")
            try Fixtures.copySpool(source, to: dir)
            watching = QueueReader(spoolDirectory: dir.path)
            watching.watchesDirectories = true
            store = try Store()
            store.currentPool = .message
        }

        func scan() throws -> QueueScan { try watching.scan(into: store) }

        /// What a new reader (listing and reading everything) sees now.
        func fresh() throws -> [QueuedMessageSummary] {
            let s = try Store()
            s.currentPool = .message
            return try QueueReader(spoolDirectory: dir.path).scan(into: s).summaries(now: 0)
        }

        /// Writes `bytes` as Exim does: a temporary file renamed over `path`.
        func replace(_ path: URL, with bytes: [UInt8]) throws {
            let tmp = path.deletingLastPathComponent().appendingPathComponent("hdr.\(getpid())")
            try Data(bytes).write(to: tmp)
            guard rename(tmp.path, path.path) == 0 else { throw POSIXError(.EIO) }
        }
    }

    /// The fixture's messages, as (id, -H path, -D path), flat or split.
    static func messages(in input: URL) -> [(id: String, h: URL, d: URL)] {
        let e = FileManager.default.enumerator(at: input, includingPropertiesForKeys: nil)!
        var out: [(String, URL, URL)] = []
        for case let u as URL in e where u.lastPathComponent.hasSuffix("-H") {
            let id = String(u.lastPathComponent.dropLast(2))
            out.append((id, u, u.deletingLastPathComponent().appendingPathComponent(id + "-D")))
        }
        return out.sorted { $0.0 < $1.0 }
    }

    @Test("flat spool: a rewrite, a freeze, a removal, an arrival and a journal: only the named messages are looked at")
    func flat() throws {
        let t = try Watched(Fixtures.url("spool"))
        defer { Fixtures.remove(t.dir) }
        let first = try t.scan()
        #expect(first.messages.count == 21)
        let all = Self.messages(in: t.input)

        // nothing changed: nothing listed, nothing statted
        let idle = try t.scan()
        #expect(idle.statistics.directoriesListed == 0 && idle.statistics.filesStatted == 0 && idle.statistics.filesRead == 0)

        // one -H rewritten (same bytes, new inode) while the directory is fresh: one read, no listing
        try t.replace(all[3].h, with: Array(try Data(contentsOf: all[3].h)))
        let rewritten = try t.scan()
        #expect(rewritten.statistics.directoriesListed == 0)
        #expect(rewritten.statistics.filesRead == 1 && rewritten.statistics.filesStatted <= 6)
        #expect(rewritten.statistics.messagesReused == 20)
        #expect(try rewritten.summaries(now: 0) == t.fresh())

        // frozen: the change shows
        var text = String(decoding: try Data(contentsOf: all[5].h), as: UTF8.self)
        text = text.replacingOccurrences(of: "-tls_resumption", with: "-frozen 1795713700\n-tls_resumption")
        try t.replace(all[5].h, with: Array(text.utf8))
        let frozen = try t.scan()
        #expect(frozen.statistics.directoriesListed == 0 && frozen.statistics.filesRead == 1)
        #expect(frozen.messages.first { $0.id.description == all[5].id }?.isFrozen == true)
        #expect(try frozen.summaries(now: 0) == t.fresh())

        // removed: gone without a listing
        try FileManager.default.removeItem(at: all[7].h)
        try FileManager.default.removeItem(at: all[7].d)
        let removed = try t.scan()
        #expect(removed.statistics.directoriesListed == 0 && removed.statistics.messagesRemoved == 1)
        #expect(removed.messages.count == 20 && removed.changes == [MessageID(all[7].id)!])
        #expect(try removed.summaries(now: 0) == t.fresh())

        // arrived again (-D first, then -H, as Exim writes them)
        try Data(contentsOf: all[0].d).write(to: all[7].d)   // any -D does for the listing
        let dOnly = try t.scan()
        #expect(dOnly.messages.count == 20)                  // no -H yet: not a message
        try t.replace(all[7].h, with: Array(try Data(contentsOf: Fixtures.url("spool/input/\(all[7].id)-H"))))
        let arrived = try t.scan()
        #expect(arrived.statistics.directoriesListed == 0 && arrived.messages.count == 21)
        #expect(try arrived.summaries(now: 0) == t.fresh())

        // a journal appended in place: the message is re-read with its delivered address
        // (1xWd9Q-0007BF-1n has bob@storemon.test and x@example.net, neither delivered)
        let journal = t.input.appendingPathComponent("1xWd9Q-0007BF-1n-J")
        try Data("bob@storemon.test\n".utf8).write(to: journal)
        let journalled = try t.scan()
        #expect(journalled.statistics.filesRead == 2)        // its -H and -J
        #expect(try journalled.summaries(now: 0) == t.fresh())
        let fd = open(journal.path, O_WRONLY | O_APPEND)
        _ = "x@example.net\n".withCString { write(fd, $0, strlen($0)) }
        close(fd)
        let appended = try t.scan()
        #expect(appended.statistics.directoriesListed == 0 && appended.statistics.filesRead == 2)
        #expect(appended.messages.first { $0.id.description == "1xWd9Q-0007BF-1n" }?.summary(now: 0).delivered.count == 2)
        #expect(try appended.summaries(now: 0) == t.fresh())
    }

    @Test("split spool: changes in sub-directories are found; a new sub-directory makes input/ listed again")
    func split() throws {
        let t = try Watched(Fixtures.url("spool-split"))
        defer { Fixtures.remove(t.dir) }
        let first = try t.scan()
        #expect(!first.messages.isEmpty)
        let all = Self.messages(in: t.input)
        try t.replace(all[0].h, with: Array(try Data(contentsOf: all[0].h)))
        let one = try t.scan()
        #expect(one.statistics.directoriesListed == 0 && one.statistics.filesRead == 1)
        #expect(try one.summaries(now: 0) == t.fresh())

        // a message moved into a new sub-directory, as `split_spool_directory` files it
        let id = all[1].id
        let sub = t.input.appendingPathComponent("Q")
        try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
        try FileManager.default.moveItem(at: all[1].d, to: sub.appendingPathComponent(id + "-D"))
        try FileManager.default.moveItem(at: all[1].h, to: sub.appendingPathComponent(id + "-H"))
        let moved = try t.scan()
        #expect(moved.statistics.directoriesListed >= 2)      // input/ again, and the new Q/
        #expect(try moved.summaries(now: 0) == t.fresh())
        #expect(moved.messages.count == first.messages.count)
    }

    @Test("every message changed at once: all re-read, nothing missed; with the watch off, directory times and stats again")
    func burstsAreListed() throws {
        let t = try Watched(Fixtures.url("spool"))
        defer { Fixtures.remove(t.dir) }
        _ = try t.scan()
        // every message rewritten
        for m in Self.messages(in: t.input) { try t.replace(m.h, with: Array(try Data(contentsOf: m.h))) }
        let all = try t.scan()
        #expect(all.statistics.filesRead == 21)
        #expect(try all.summaries(now: 0) == t.fresh())
        // turning the watch off falls back to directory times and stats
        t.watching.watchesDirectories = false
        try t.replace(Self.messages(in: t.input)[2].h, with: Array(try Data(contentsOf: Self.messages(in: t.input)[2].h)))
        let unwatched = try t.scan()
        #expect(unwatched.statistics.directoriesListed == 1 && unwatched.statistics.filesRead == 1)
        #expect(try unwatched.summaries(now: 0) == t.fresh())
    }

    @Test("the kernel's event queue overflowing: events after it are lost, the directory is listed again and nothing is missed")
    func overflowListsAgain() throws {
        let t = try Watched(Fixtures.url("spool"))
        defer { Fixtures.remove(t.dir) }
        _ = try t.scan()
        var all = Self.messages(in: t.input)
        // Remove one message and keep its files aside, to bring it back after the overflow.
        let back = all.removeLast()
        let h = try Data(contentsOf: back.h), d = try Data(contentsOf: back.d)
        try FileManager.default.removeItem(at: back.h)
        try FileManager.default.removeItem(at: back.d)
        _ = try t.scan()
        // Fill the kernel's queue: alternate writes to two -D files (consecutive identical
        // events would be merged into one), more than fs.inotify.max_queued_events.
        let limit = (try? String(contentsOfFile: "/proc/sys/fs/inotify/max_queued_events", encoding: .utf8))
            .flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? 16384
        try #require(limit <= 1 << 20, "max_queued_events is \(limit): too many events to overflow in a test")
        let fds = [open(all[0].d.path, O_WRONLY | O_APPEND), open(all[1].d.path, O_WRONLY | O_APPEND)]
        defer { fds.forEach { close($0) } }
        let sizes = try [all[0].d, all[1].d].map { off_t(try Data(contentsOf: $0).count) }
        // (a truncate to the same size is a modification all the same: IN_MODIFY)
        for k in 0..<(limit + 64) { _ = ftruncate(fds[k & 1], sizes[k & 1]) }
        // The message comes back now: its events are past the overflow and lost.
        try d.write(to: back.d)
        try t.replace(back.h, with: Array(h))
        let after = try t.scan()
        #expect(after.statistics.directoriesListed >= 1, "the overflow must make the reader list input/ again")
        #expect(after.messages.contains { $0.id.description == back.id })
        #expect(try after.summaries(now: 0) == t.fresh())
        // and the watch works again afterwards
        try t.replace(all[2].h, with: Array(try Data(contentsOf: all[2].h)))
        let next = try t.scan()
        #expect(next.statistics.filesRead >= 1)
        #expect(try next.summaries(now: 0) == t.fresh())
    }

    @Test("messages arriving in numbers: a few are patched in, more than the patch limit are sorted afresh; exact either way")
    func massArrivalAndRemoval() throws {
        let t = try Watched(Fixtures.url("spool"))
        defer { Fixtures.remove(t.dir) }
        _ = try t.scan()
        let model = Self.messages(in: t.input)[0]
        let h = String(decoding: try Data(contentsOf: model.h), as: UTF8.self)
        let d = String(decoding: try Data(contentsOf: model.d), as: UTF8.self)
        let digits = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
        var next = 1
        /// `n` new messages like the model (same time part, new sequence digits).
        func add(_ n: Int) throws -> [String] {
            var ids: [String] = []
            for _ in 0..<n {
                var id = Array(model.id)
                id[7] = digits[next / 3844 % 62]; id[8] = digits[next / 62 % 62]; id[9] = digits[next % 62]
                next += 1
                let new = String(id)
                guard new != model.id else { continue }
                ids.append(new)
                try Data(d.replacingOccurrences(of: model.id, with: new).utf8).write(to: t.input.appendingPathComponent(new + "-D"))
                try t.replace(t.input.appendingPathComponent(new + "-H"), with: Array(h.replacingOccurrences(of: model.id, with: new).utf8))
            }
            return ids
        }
        // a big enough queue that the patch would be tried for a burst of 70
        _ = try add(1_200)
        let big = try t.scan()
        #expect(try big.summaries(now: 0) == t.fresh())
        // a few arrive: patched in, named
        let few = try add(10)
        let patched = try t.scan()
        #expect(patched.changes == Set(few.map { MessageID($0)! }))
        #expect(try patched.summaries(now: 0) == t.fresh())
        // more than the limit arrive at once: sorted afresh (no changes named), still exact
        let many = try add(QueueReader.structuralPatchLimit + 6)
        let sorted = try t.scan()
        #expect(sorted.changes == nil)
        #expect(sorted.messages.count == big.messages.count + few.count + many.count)
        #expect(try sorted.summaries(now: 0) == t.fresh())
        // and they leave at once
        for id in many {
            try FileManager.default.removeItem(at: t.input.appendingPathComponent(id + "-H"))
            try FileManager.default.removeItem(at: t.input.appendingPathComponent(id + "-D"))
        }
        let left = try t.scan()
        #expect(left.messages.count == big.messages.count + few.count)
        #expect(try left.summaries(now: 0) == t.fresh())
    }
}
