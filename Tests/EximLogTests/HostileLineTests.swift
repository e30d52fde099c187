import Store
import Testing
@testable import EximLog

/// Bytes a hostile client can put in a log line: they are classified, never crash, and
/// come back unchanged (it is the terminal quoter's job to make them visible).
@Suite("Hostile lines")
struct HostileLineTests {
    static let prefix = Array("2026-11-26 17:20:36 [26627] 1xWd9A-0006vT-0Q <= ".utf8)

    @Test("ESC, CR, NUL, DEL and invalid UTF-8 inside an arrival line")
    func controlBytes() throws {
        let store = try makeStore()
        let sender: [UInt8] = [0x65, 0x1B, 0x5B, 0x32, 0x4A, 0x0D, 0x00, 0x7F, 0xFF, 0xC3, 0x28, 0x40, 0x78]
        let bytes = Self.prefix + sender + Array(" H=(a\u{1B}) [127.0.0.1] P=esmtp S=12 T=\"\u{1B}]0;pwned\u{07}\" for x@y".utf8)
        let l = try parse(bytes, in: store)
        #expect(l.flag == .arrival)
        let addr = l.address
        #expect(addr?.count == sender.count)
        #expect(addr.map { a in (0..<a.count).map { a[$0] } } == sender)
        #expect(str(l[.S]) == "12")
        #expect(l[.T]?.count == 10)
        #expect(str(l.recipients) == "x@y")
        #expect(l.bytes.count == bytes.count)
    }

    @Test("NUL and CR in the prefix make a line other, not a crash")
    func brokenPrefix() throws {
        let store = try makeStore()
        for bytes: [UInt8] in [[0], [0x0D], Array("2026-11-26 17:20:36\0[1] x".utf8), Array("2026-11-26 17:20:36 [".utf8),
                               Array("2026-11-26 17:20:36 [99999999999999999999999] Completed".utf8),
                               Array("2026-11-26 17:20:36 1xWd9A-0006vT-0Q".utf8), Array("2026-11-26 17:20:36 1xWd9A-0006vT-0Q <=".utf8),
                               Array("2026-11-26 17:20:36 1xWd9A-0006vT-0Q == ".utf8), Array("2026-11-26 17:20:36 H=".utf8),
                               Array("2026-11-26 17:20:36 rejected".utf8), Array("2026-11-26 17:20:36 T=\"".utf8)] {
            let l = try parse(bytes, in: store)
            let d = l.details()
            for k in LogFieldKey.allCases { if let v = d[k] { #expect(v.count <= bytes.count) } }
            #expect(l.bytes.count == bytes.count)
        }
        let bare = try parse("2026-11-26 17:20:36 1xWd9A-0006vT-0Q <=", in: store)
        #expect(bare.flag == .arrival)
        #expect(bare.address == nil)
        let idOnly = try parse("2026-11-26 17:20:36 1xWd9A-0006vT-0Q", in: store)
        #expect(idOnly.kind == .messageEvent)
        #expect(str(idOnly.messageID) == "1xWd9A-0006vT-0Q")
    }

    @Test("a 1 MB line parses whole when handed over whole")
    func megabyteLine() throws {
        let store = try makeStore()
        var bytes = Self.prefix + Array("a@b H=(x) [1.2.3.4] P=esmtp S=5 T=\"".utf8)
        bytes += [UInt8](repeating: 0x41, count: 1 << 20)
        bytes += Array("\" for z@y".utf8)
        let l = try parse(bytes, in: store)
        #expect(l.flag == .arrival)
        #expect(l[.T]?.count == 1 << 20)
        #expect(str(l.recipients) == "z@y")
    }

    @Test("a line of 100,000 spaces and one of 100,000 quotes")
    func pathologicalRepeats() throws {
        let store = try makeStore()
        let spaces = try parse(Self.prefix + [UInt8](repeating: 0x20, count: 100_000), in: store)
        #expect(spaces.flag == .arrival)
        #expect(spaces.address == nil)
        let quotes = try parse(Array("2026-11-26 17:20:36 ".utf8) + [UInt8](repeating: 0x22, count: 100_000), in: store)
        #expect(quotes.kind == .other)
        let equals = try parse(Array("2026-11-26 17:20:36 1xWd9A-0006vT-0Q => ".utf8) + [UInt8](repeating: 0x3D, count: 100_000), in: store)
        #expect(equals.flag == .delivery)
        _ = equals.details()
    }
}
