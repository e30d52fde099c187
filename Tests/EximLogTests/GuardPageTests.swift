import Glibc
import Foundation
import Testing
@testable import EximLog
import EximDemo

/// The scanner walks raw pointers. These tests put each line flush against an
/// inaccessible guard page (once ending right before it, once starting right after it),
/// so a single byte read outside the line crashes the test instead of passing unnoticed.
@Suite("Scanner reads stay inside the line (guard pages)")
struct GuardPageTests {
    /// Three pages: guard, data, guard. Lines are copied to the end or the start of the data page.
    final class Fence {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let base: UnsafeMutableRawPointer
        init() {
            let m = mmap(nil, 3 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
            precondition(m != MAP_FAILED, "mmap failed")
            base = m!
            mprotect(base, page, PROT_NONE)
            mprotect(base + 2 * page, page, PROT_NONE)
        }
        deinit { munmap(base, 3 * page) }

        /// Runs every scanner entry point on `bytes` placed at the end, then at the start, of the data page.
        func check(_ bytes: [UInt8]) {
            precondition(bytes.count <= page)
            for atEnd in [true, false] {
                let start = base + page + (atEnd ? page - bytes.count : 0)
                bytes.withUnsafeBytes { src in
                    if let from = src.baseAddress { start.copyMemory(from: from, byteCount: bytes.count) }
                }
                let buf = UnsafeRawBufferPointer(start: bytes.isEmpty ? nil : start, count: bytes.count)
                let layout = LogLineScanner.scan(buf)
                let d = LogLineScanner.details(buf, layout)
                if let r = layout.rejection { _ = LogLineScanner.rejectionReason(buf, r, d.reason) }
                for s in [d.address, d.originalAddress, d.parents, d.recipients, d.reason] where s.isPresent {
                    #expect(s.lo >= 0 && s.hi <= Int32(bytes.count) && s.lo <= s.hi)
                }
            }
        }
    }

    static var lines: [String] {
        LineFormatShapeTests.deliveries.map(\.line) + LineFormatShapeTests.kinds.map(\.line)
            + TestSuiteSampleTests.sample.map(\.1)
    }

    @Test("every prefix of every shape, flush against a guard page on either side")
    func prefixes() {
        let fence = Fence()
        for text in Self.lines {
            let bytes = Array(text.utf8)
            for cut in 0...bytes.count { fence.check(Array(bytes[..<cut])) }
        }
    }

    @Test("every suffix too (lines that start mid-structure)")
    func suffixes() {
        let fence = Fence()
        for text in Self.lines {
            let bytes = Array(text.utf8)
            for cut in 0...bytes.count { fence.check(Array(bytes[cut...])) }
        }
    }

    @Test("structural bytes sprayed over the shapes (deterministic)")
    func mutations() {
        let fence = Fence()
        var rng = SplitMix64(seed: 0x5EED_10F7)
        let structural = Array(" \"<>()[]=:\\,".utf8) + [0, 0x0D, 0x09, 0xFF]
        for text in Self.lines {
            let bytes = Array(text.utf8)
            guard !bytes.isEmpty else { continue }
            for _ in 0..<60 {
                var m = bytes
                for _ in 0..<(1 + Int(rng.next() % 6)) {
                    m[Int(rng.next() % UInt64(m.count))] = structural[Int(rng.next() % UInt64(structural.count))]
                }
                fence.check(m)
            }
        }
    }
}

extension GuardPageTests {
    @Test("every line of the real 4.96, 4.98 and 4.99 logs, flush against a guard page")
    func realLogs() throws {
        let fence = Fence()
        var checked = 0
        let files = [realMainlog, realRejectlog] + ["4.98", "4.99"].flatMap { v in
            ["log/mainlog", "log/mainlog-default", "log/rejectlog", "log/rejectlog-default", "log/paniclog"].map { eximFixture(v, $0) }
        }
        for path in files {
            let data = try #require(FileManager.default.contents(atPath: path))
            for line in Array(data).split(separator: 0x0A, omittingEmptySubsequences: false)
            where line.count <= fence.page {
                fence.check(Array(line))
                checked += 1
            }
        }
        #expect(checked > 2000)
    }
}
