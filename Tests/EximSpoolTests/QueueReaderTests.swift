import FixtureSupport
import Foundation
import Glibc
import Store
import Testing
@testable import EximSpool
import EximDemo

/// The queue scanner on temporary copies of the real spools.
@Suite struct QueueReaderTests {
    /// A temporary copy of the flat spool, with a reader and a store on it.
    struct TempSpool {
        let dir: URL
        let reader: QueueReader
        let store: Store
        var input: URL { dir.appendingPathComponent("input") }

        init(_ source: URL = Fixtures.url("spool")) throws {
            dir = try Fixtures.temporaryURL("spooltest")
            try Fixtures.copySpool(source, to: dir)
            reader = QueueReader(spoolDirectory: dir.path)
            store = try Store()
            store.currentPool = .message
        }

        func scan() throws -> QueueScan { try reader.scan(into: store) }

        /// Replaces a file the way Exim does: write a temporary file, rename it over.
        func replace(_ name: String, with bytes: [UInt8]) throws {
            let tmp = input.appendingPathComponent("hdr.tmp")
            try Data(bytes).write(to: tmp)
            guard rename(tmp.path, input.appendingPathComponent(name).path) == 0 else { throw POSIXError(.EIO) }
        }

        func contents(_ name: String) throws -> [UInt8] {
            Array(try Data(contentsOf: input.appendingPathComponent(name)))
        }
    }

    @Test func rescanWithNothingChangedReadsNothing() throws {
        let t = try TempSpool()
        defer { Fixtures.remove(t.dir) }
        let first = try t.scan()
        #expect(first.messages.count == 21)
        #expect(first.statistics.filesRead == 21 && first.statistics.messagesReused == 0)
        let second = try t.scan()
        #expect(second.statistics.filesRead == 0)
        #expect(second.statistics.bytesRead == 0)
        #expect(second.statistics.messagesReused == 21)
        #expect(second.messages.map(\.id) == first.messages.map(\.id))
        #expect(second.summaries(now: 0) == first.summaries(now: 0))
        #expect(t.reader.garbageBytes == 0)
    }

    @Test("a scan keeps each message's envelope only; the header sections go back to the pool")
    func envelopesOnly() throws {
        let whole = try TempSpool(), compact = try TempSpool()
        defer { Fixtures.remove(whole.dir); Fixtures.remove(compact.dir) }
        whole.reader.keepsHeaders = true
        let a = try whole.scan(), b = try compact.scan()
        #expect(a.messages.count == 21 && b.messages.count == 21)
        // the same listing, from a fraction of the bytes
        #expect(a.summaries(now: 0) == b.summaries(now: 0))
        #expect(compact.reader.liveBytes * 4 < whole.reader.liveBytes, "\(compact.reader.liveBytes) of \(whole.reader.liveBytes)")
        #expect(compact.reader.liveBytes == b.messages.map(\.header.file.count).reduce(0, +))
        #expect(compact.reader.poolBytes == compact.reader.liveBytes)
        #expect(compact.store.statistics().pools[9].bytes * 2 < whole.store.statistics().pools[9].bytes)
        for (w, c) in zip(a.messages, b.messages) {
            #expect(w.header.isWhole && !c.header.isWhole)
            #expect(c.header.headers.isEmpty && c.header.options.isEmpty)
            #expect(c.header.headerCount == w.header.headerCount && c.header.liveHeaderBytes == w.header.liveHeaderBytes)
            #expect(c.header.isLocal == w.header.isLocal && c.header.isFrozen == w.header.isFrozen)
            #expect(c.size == w.size && c.deliveredFlags == w.deliveredFlags)
            #expect(c.header.file.count < w.header.envelopeLength)
            #expect(c.header.login.copiedOut() == w.header.login.copiedOut())
            #expect(c.header.sender.copiedOut() == w.header.sender.copiedOut())
            #expect(c.header.nonRecipients.map { $0.copiedOut() } == w.header.nonRecipients.map { $0.copiedOut() })
            #expect(c.header.recipients.map { $0.address.copiedOut() } == w.header.recipients.map { $0.address.copiedOut() })
            #expect(c.header.recipients.map { $0.errorsTo?.copiedOut() } == w.header.recipients.map { $0.errorsTo?.copiedOut() })
            #expect(c.header.recipients.map { $0.orcpt?.copiedOut() } == w.header.recipients.map { $0.orcpt?.copiedOut() })
        }
        // a rescan of the compact queue reads nothing and lists the same
        let again = try compact.scan()
        #expect(again.statistics.filesRead == 0 && again.summaries(now: 0) == b.summaries(now: 0))
    }

    @Test func changedFileIsReRead() throws {
        let t = try TempSpool()
        defer { Fixtures.remove(t.dir) }
        let first = try t.scan()
        let name = "1xWd9D-0006xR-10-H"
        #expect(first.messages[0].isFrozen == false)
        // Freeze it as `exim -Mf` would: the -H is rewritten with a -frozen line.
        var text = String(decoding: try t.contents(name), as: UTF8.self)
        text = text.replacingOccurrences(of: "-tls_resumption", with: "-frozen 1795713700\n-tls_resumption")
        try t.replace(name, with: Array(text.utf8))
        let second = try t.scan()
        #expect(second.statistics.filesRead == 1)
        #expect(second.statistics.messagesReused == 20)
        #expect(second.messages[0].isFrozen && second.messages[0].header.frozenSince == 1795713700)
        #expect(t.reader.garbageBytes > 0)
        // A removed message goes.
        try FileManager.default.removeItem(at: t.input.appendingPathComponent("1xWd9D-0006xd-2A-H"))
        try FileManager.default.removeItem(at: t.input.appendingPathComponent("1xWd9D-0006xd-2A-D"))
        let third = try t.scan()
        #expect(third.messages.count == 20 && third.statistics.messagesRemoved == 1 && third.statistics.filesRead == 0)
    }

    @Test func journalMarksDelivered() throws {
        let t = try TempSpool()
        defer { Fixtures.remove(t.dir) }
        _ = try t.scan()
        // 1xWd9Q-0007BF-1n has bob@storemon.test and x@example.net, neither delivered.
        try Data("BOB@storemon.test\nx@exa".utf8).write(to: t.input.appendingPathComponent("1xWd9Q-0007BF-1n-J"))
        let scan = try t.scan()
        #expect(scan.statistics.filesRead == 2)   // its -H and -J
        let m = try #require(scan.messages.first { $0.id.description == "1xWd9Q-0007BF-1n" })
        #expect(m.journal.count == 1)             // the unfinished last line does not count
        let s = m.summary(now: 0)
        #expect(s.delivered.count == 1 && s.delivered[0] == "bob@storemon.test")   // compared in lower case
        #expect(s.recipients.count == 1 && s.recipients[0] == "x@example.net")
    }

    @Test func vanishingMessageIsSkippedQuietly() throws {
        let t = try TempSpool()
        defer { Fixtures.remove(t.dir) }
        var deleted: [String] = []
        t.reader.beforeRead = { path in
            // Delivery completes between the listing and the read.
            guard deleted.isEmpty else { return }
            unlink(path)
            unlink(String(path.dropLast()) + "D")
            deleted.append(path)
        }
        let scan = try t.scan()
        #expect(deleted.count == 1)
        #expect(scan.messages.count == 20)
        #expect(scan.unreadable.isEmpty)
        #expect(scan.statistics.messagesVanished == 1)
        #expect(!scan.messages.contains { deleted[0].hasSuffix($0.id.description + "-H") })
        // Gone before the listing's stat as well: nothing to see.
        t.reader.beforeRead = nil
        #expect(try t.scan().messages.count == 20)
    }

    @Test func halfWrittenAndGarbageFilesAreUnreadable() throws {
        let t = try TempSpool()
        defer { Fixtures.remove(t.dir) }
        let cutName = "1xWd9Q-0007BO-2s-H"
        let bytes = try t.contents(cutName)
        try t.replace(cutName, with: Array(bytes[0..<300]))
        var rng = SplitMix64(seed: 7)
        try t.replace("1xWd9R-0007BX-0d-H", with: (0..<900).map { _ in UInt8(truncatingIfNeeded: rng.next()) })
        // Temporary and odd names are ignored; a FIFO with a -H name does not hang the scan.
        try Data("x".utf8).write(to: t.input.appendingPathComponent("hdr.1xWd9Z-0007BX-0d"))
        try Data("x".utf8).write(to: t.input.appendingPathComponent("1xWd9Z-0007BX-0d-D"))
        #expect(mkfifo(t.input.appendingPathComponent("1xWd9Z-0007BX-0e-H").path, 0o600) == 0)
        let scan = try t.scan()
        #expect(scan.messages.count == 19)
        #expect(scan.unreadable.count == 3)
        let byID = Dictionary(uniqueKeysWithValues: scan.unreadable.map { ($0.id.description, $0) })
        let cut = try #require(byID["1xWd9Q-0007BO-2s"])
        #expect(cut.path == t.input.appendingPathComponent(cutName).path)
        #expect(cut.reason == .format(SpoolFormatError(.envelope, .truncated, at: 300)) || {
            if case .format(let e) = cut.reason { return e.section == .envelope } else { return false }
        }())
        let garbage = try #require(byID["1xWd9R-0007BX-0d"])
        #expect(garbage.reason == .format(SpoolFormatError(.envelope, .badNameLine, at: 0)))
        #expect(byID["1xWd9Z-0007BX-0e"]?.reason == .notARegularFile)
        #expect(cut.description.contains(cutName) && cut.description.contains("envelope error"))
        // Unreadable files are not read again until they change.
        let again = try t.scan()
        #expect(again.statistics.filesRead == 0, "\(again.statistics) \(again.unreadable)")
        try t.replace(cutName, with: bytes)
        let fixed = try t.scan()
        #expect(fixed.statistics.filesRead == 1 && fixed.messages.count == 20 && fixed.unreadable.count == 2)
    }

    /// Every truncation of a real -H, in a real spool: each is listed (parsed or
    /// unreadable), none crashes.
    @Test func truncatedAtEveryOffsetInASpool() throws {
        let t = try TempSpool()
        defer { Fixtures.remove(t.dir) }
        let name = "1xWd9R-0007CJ-1m-H"
        let bytes = try t.contents(name)
        // The envelope ends with the blank line; any cut before it is unreadable.
        let blank = try #require((1..<bytes.count).first { bytes[$0 - 1] == 0x0A && bytes[$0] == 0x0A })
        let mark = try t.store.mark()
        for cut in stride(from: 0, through: bytes.count, by: 1) {
            try t.replace(name, with: Array(bytes[0..<cut]))
            let scan = try t.scan()
            #expect(scan.messages.count + scan.unreadable.count == 21)
            if cut <= blank { #expect(scan.unreadable.count == 1, "cut \(cut) \(scan.statistics)") }
            if t.reader.needsRebuild {
                try t.store.reset(to: mark)
                t.reader.poolWasReset()
            }
        }
    }

    @Test func bytesLiveInTheTaintedMessagePool() throws {
        let t = try TempSpool()
        defer { Fixtures.remove(t.dir) }
        let scan = try t.scan()
        for m in scan.messages {
            m.header.file.withUnsafeBytes { raw in
                #expect(t.store.isTainted(raw.baseAddress!))
                #expect(t.store.owner(of: raw.baseAddress!) == .paired(PoolID(.message, tainted: true)))
            }
        }
    }

    /// Messages come and go; the caller resets the message pool when the reader says so,
    /// and the pool stays bounded.
    @Test func poolStaysBoundedAcrossChurn() throws {
        let t = try TempSpool()
        defer { Fixtures.remove(t.dir) }
        let mark = try t.store.mark()
        t.reader.keepsHeaders = true    // whole files: garbage piles up fast enough for rebuilds
        let names = try FileManager.default.contentsOfDirectory(atPath: t.input.path).filter { $0.hasSuffix("-H") }.sorted()
        var rebuilds = 0
        var maxPool = 0
        for round in 0..<60 {
            // Rewrite a third of the messages each round (new inode, same content).
            for (i, n) in names.enumerated() where i % 3 == round % 3 {
                try t.replace(n, with: try t.contents(n))
            }
            let scan = try t.scan()
            #expect(scan.messages.count == 21)
            maxPool = max(maxPool, t.reader.poolBytes)
            if t.reader.needsRebuild {
                rebuilds += 1
                try t.store.reset(to: mark)
                t.reader.poolWasReset()
                let again = try t.scan()
                #expect(again.statistics.filesRead == 21)
                #expect(t.reader.garbageBytes == 0)
            }
        }
        #expect(rebuilds > 0)
        #expect(maxPool < 4 * t.reader.liveBytes + (64 << 10) + 20_000)
    }
}

/// Unchanged directories are not listed again; changes still show.
@Suite struct DirectoryTrustTests {
    @Test func unchangedDirectoriesAreTrusted() throws {
        for source in [Fixtures.url("spool"), Fixtures.url("spool-split")] {
            let t = try QueueReaderTests.TempSpool(source)
            defer { Fixtures.remove(t.dir) }
            let subdirs = source == Fixtures.url("spool-split") ? 4 : 0
            // Fresh directories are too new to trust (coarse timestamps): every file is statted.
            let first = try t.scan()
            let second = try t.scan()
            #expect(second.statistics.directoriesReused == 0 && second.statistics.filesStatted == 2 * first.messages.count)
            // Pretend they were listed long after their last change.
            t.reader.directoryTimeMargin = -3600
            _ = try t.scan()
            let trusted = try t.scan()
            #expect(trusted.statistics.directoriesReused == 1 + subdirs)
            #expect(trusted.statistics.directoriesListed == 0)
            #expect(trusted.statistics.filesStatted == 0 && trusted.statistics.filesRead == 0)
            #expect(trusted.messages.map(\.id) == first.messages.map(\.id))
            // A -J appended in place is still seen (journals are statted when listed).
            let m = first.messages[0]
            let dir = m.subdirectory.map { t.input.appendingPathComponent(String(UnicodeScalar($0))) } ?? t.input
            usleep(20_000)
            try Data().write(to: dir.appendingPathComponent("\(m.id)-J"))
            usleep(20_000)
            let withJ = try t.scan()
            #expect(withJ.statistics.directoriesListed == 1)
            #expect(withJ.statistics.filesRead == 2)   // -H and the (empty) -J
            let address = m.header.recipient(0).address.testBytes + [0x0A]
            let fh = try FileHandle(forWritingTo: dir.appendingPathComponent("\(m.id)-J"))
            try fh.seekToEnd()
            try fh.write(contentsOf: Data(address))
            try fh.close()
            let appended = try t.scan()
            #expect(appended.statistics.directoriesListed == 0)
            #expect(appended.statistics.filesRead == 2)
            #expect(appended.messages[0].deliveredFlags[0])
            // A rename (how Exim rewrites -H) changes the directory: listed again.
            usleep(20_000)
            let h = dir.appendingPathComponent("\(m.id)-H")
            let bytes = try Data(contentsOf: h)
            try bytes.write(to: dir.appendingPathComponent("hdr.x"))
            #expect(rename(dir.appendingPathComponent("hdr.x").path, h.path) == 0)
            let renamed = try t.scan()
            #expect(renamed.statistics.directoriesListed == 1 && renamed.statistics.filesRead >= 1)
            // With trust switched off every file is statted.
            t.reader.trustsDirectoryTimes = false
            let untrusted = try t.scan()
            #expect(untrusted.statistics.directoriesReused == 0 && untrusted.statistics.filesStatted >= 2 * first.messages.count)
        }
    }
}
