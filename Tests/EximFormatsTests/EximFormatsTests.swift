import Foundation
import Testing
import EximFormats

@Suite("Exim's formats")
struct EximFormatsTests {
    @Test("sizes as exim -bp prints them")
    func sizes() {
        #expect(EximSize.columns(0) == "     ")
        #expect(EximSize.columns(-3) == "     ")
        #expect(EximSize.columns(466) == "  466")
        #expect(EximSize.columns(1023) == " 1023")
        #expect(EximSize.columns(1024) == " 1.0K")
        #expect(EximSize.columns(1280) == " 1.2K")      // 1.25: an exact tie goes to even, like printf
        #expect(EximSize.columns(1792) == " 1.8K")      // 1.75
        #expect(EximSize.columns(1741) == " 1.7K")
        #expect(EximSize.columns(10239) == "10.0K")
        #expect(EximSize.columns(10240) == "  10K")
        #expect(EximSize.columns(150_516) == " 147K")
        #expect(EximSize.columns(1024 * 1024 - 1) == "1024K")
        #expect(EximSize.columns(3_565_158) == " 3.4M")
        #expect(EximSize.columns(15 * 1024 * 1024) == "  15M")
        #expect(EximSize.columns(2048 * 1024 * 1024) == "2048M")
        #expect(EximSize.short(0) == "0")
        #expect(EximSize.short(2867) == "2.8K")
        #expect(EximSize.short(122_880) == "120K")
    }

    /// Exim's `string_format_size` is a chain of printf formats; glibc's printf is the
    /// reference for the rounding of every size class (ties included).
    @Test("sizes agree with printf's rounding everywhere")
    func sizesAgreeWithPrintf() {
        func printf(_ size: Int) -> String {
            if size == 0 { return "     " }
            if size < 1024 { return String(format: "%5d", size) }
            if size < 10 * 1024 { return String(format: "%4.1fK", Double(size) / 1024) }
            if size < 1024 * 1024 { return String(format: "%4dK", (size + 512) / 1024) }
            if size < 10 * 1024 * 1024 { return String(format: "%4.1fM", Double(size) / (1024 * 1024)) }
            return String(format: "%4dM", (size + 512 * 1024) / (1024 * 1024))
        }
        var size = 0
        while size < 40 * 1024 * 1024 {
            #expect(EximSize.columns(size) == printf(size), "size \(size)")
            size += size < 20_000 ? 1 : 997 + size / 50
        }
        for tie in [1024 + 512, 1024 + 51 * 1024 / 10, 3 * 1024 * 1024 + 512 * 1024] {
            #expect(EximSize.columns(tie) == printf(tie), "tie \(tie)")
        }
    }

    @Test("ages as exim -bp prints them")
    func ages() {
        #expect(EximAge.columns(seconds: 0) == " 0m")
        #expect(EximAge.columns(seconds: -5) == " 0m")
        #expect(EximAge.columns(seconds: 5459) == "90m")
        #expect(EximAge.columns(seconds: 5460) == " 2h")
        #expect(EximAge.columns(seconds: 72 * 3600 + 1799) == "72h")
        #expect(EximAge.columns(seconds: 73 * 3600) == " 3d")
        #expect(EximAge.columns(seconds: 100 * 86400) == "100d")
    }

    @Test("base 62 round trips, in Exim's digit order")
    func base62() {
        #expect(Base62.string(0, count: 3) == "000")
        #expect(Base62.string(61, count: 2) == "0z")
        #expect(Base62.string(62, count: 2) == "10")
        #expect(Base62.decode(Array("zz".utf8)) == 62 * 62 - 1)
        #expect(Base62.decode(Array("a-".utf8)) == nil)
        for v in [0, 1, 35, 36, 61, 1_795_700_000, 56_800_235_583] {
            #expect(Base62.decode(Base62.encode(v, count: 11)) == v)
        }
        for b in UInt8(0)...UInt8(255) {
            #expect(Base62.isDigit(b) == (Base62.value(of: b) != nil), "byte \(b)")
        }
    }

    @Test("message ids of both formats, and nothing else")
    func messageIDs() {
        #expect(MessageIDFormat.of("1xWd9A-0006vT-0Q"[...]) == .legacy)
        #expect(MessageIDFormat.of("1vNBQY-00000000Abc-0A0a"[...]) == .extended)
        for bad in ["1xWd9A-0006vT-0", "1xWd9A_0006vT-0Q", "1xWd9A-0006vT-0Q ", "1xWd9A-0006v!-0Q",
                    "1vNBQY-00000000Abc-0A0", "1vNBQY-00000000Ab-c0A0a", "", "-------------------"] {
            #expect(MessageIDFormat.of(bad[...]) == nil, "\(bad)")
        }
        // the recogniser finds an id at the start of longer text, whatever follows
        let line = Array("1vNBQY-00000000Abc-0A0a => x".utf8)
        #expect(line.withUnsafeBufferPointer { MessageIDFormat.recognise($0.baseAddress!, count: $0.count) } == .extended)
        let short = Array("1xWd9A-0006vT-0".utf8)
        #expect(short.withUnsafeBufferPointer { MessageIDFormat.recognise($0.baseAddress!, count: $0.count) } == nil)
        let id = MessageID("1xWd9A-0006vT-0Q")!
        #expect(id.format == .legacy && id.arrivalTime == Base62.decode(Array("1xWd9A".utf8)))
    }

    @Test("spool file names")
    func spoolNames() {
        let id = MessageID("1vNBQY-00000000Abc-0A0a")!
        #expect(SpoolFileName.name(id, .header) == "1vNBQY-00000000Abc-0A0a-H")
        let parsed = SpoolFileName.parse(Array("1xWd9A-0006vT-0Q-D".utf8))
        #expect(parsed?.id == MessageID("1xWd9A-0006vT-0Q") && parsed?.kind == .data)
        #expect(SpoolFileName.parse(Array("1xWd9A-0006vT-0Q-X".utf8)) == nil)
        #expect(SpoolFileName.parse(Array("hdr.1xWd9A-0006vT-0Q".utf8)) == nil)
        #expect(SpoolFileName.splitDirectory(id) == "Y")
        #expect(SpoolFileName.queueListSize(liveHeaderBytes: 400, dataFileSize: 100, idLength: 16) == 400 + 100 - 19 + 1)
    }
}
