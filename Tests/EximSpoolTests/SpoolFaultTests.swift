import Foundation
import Store
import Testing
import FixtureSupport
@testable import EximSpool

/// Corrupt, unreadable and oversized spool files: remembered, never re-read until they
/// change, no rebuild storms, memory capped.
@Suite struct SpoolFaultTests {
    typealias TempSpool = QueueReaderTests.TempSpool

    @Test("three corrupt 1 MB -H files: read once, remembered, no garbage, no rebuild")
    func corruptFilesAreRememberedNotReread() throws {
        let t = try TempSpool()
        defer { Fixtures.remove(t.dir) }
        t.reader.limits = .init(perFileBytes: 2 << 20)
        for (i, name) in ["1xWd9Q-0007BO-2s-H", "1xWd9R-0007BX-0d-H", "1xWd9D-0006xR-10-H"].enumerated() {
            try t.replace(name, with: [UInt8](repeating: UInt8(0x41 + i), count: 1 << 20))
        }
        t.reader.trustsDirectoryTimes = false      // every file statted each scan: the worst case
        let first = try t.scan()
        #expect(first.unreadable.count == 3)
        #expect(t.reader.garbageBytes == 0, "corrupt files left \(t.reader.garbageBytes) bytes of garbage")
        #expect(!t.reader.needsRebuild)
        for _ in 0..<5 {
            let again = try t.scan()
            #expect(again.statistics.filesRead == 0, "re-read \(again.statistics.bytesRead) bytes")
            #expect(again.unreadable.count == 3)
            #expect(!t.reader.needsRebuild)
        }
        // changed: read again
        try t.replace("1xWd9Q-0007BO-2s-H", with: [UInt8](repeating: 0x5A, count: 1000))
        #expect(try t.scan().statistics.filesRead == 1)
    }

    @Test("a -H that cannot be opened is remembered by its keys and not tried again")
    func unopenableIsRemembered() throws {
        let t = try TempSpool()
        defer { Fixtures.remove(t.dir) }
        t.reader.trustsDirectoryTimes = false
        let name = "1xWd9Z-0007BX-0e-H"
        #expect(mkfifo(t.input.appendingPathComponent(name).path, 0o600) == 0)
        var opened = 0
        t.reader.beforeRead = { if $0.hasSuffix(name) { opened += 1 } }
        _ = try t.scan()
        _ = try t.scan()
        _ = try t.scan()
        #expect(opened == 1)
    }

    @Test("a -H over the per-file cap is listed as too large; the total cap stops reading")
    func capsAreKept() throws {
        let t = try TempSpool()
        defer { Fixtures.remove(t.dir) }
        t.reader.limits = .init(perFileBytes: 8192, totalBytes: 8192)
        try t.replace("1xWd9Q-0007BO-2s-H", with: [UInt8](repeating: 0x41, count: 100_000))
        let scan = try t.scan()
        let big = scan.unreadable.first { $0.id.description == "1xWd9Q-0007BO-2s" }
        #expect(big?.reason == .tooLarge(size: 100_000, cap: 8192))
        #expect(big?.reason.description.contains("too large") == true)
        #expect(scan.unreadable.contains { if case .overMemoryCap = $0.reason { return true } else { return false } })
        #expect(t.reader.liveBytes <= 8192)
        // a huge -J is read only up to the cap
        t.reader.limits = .init(perFileBytes: 4096, totalBytes: 1 << 30)
        let id = scan.messages.first?.id.description ?? "1xWd9D-0006xR-10"
        let journal = (0..<20_000).map { "addr\($0)@example.org\n" }.joined()
        try Data(journal.utf8).write(to: t.input.appendingPathComponent(id + "-J"))
        t.reader.poolWasReset()
        try t.store.reset(to: t.store.mark())
        let withJ = try t.scan()
        #expect(withJ.statistics.bytesRead < 1 << 20)
    }
}
