import EximDemo
import Foundation
import Store
import Testing
@testable import SafeText

/// Checks that a quoted text can never drive a terminal.
func expectHarmless(_ t: TerminalText, sourceLocation: SourceLocation = #_sourceLocation) {
    let bytes = Array(t.string.utf8)
    #expect(!bytes.contains { $0 < 0x20 || $0 == 0x7F }, "control byte in \(t.string.debugDescription)", sourceLocation: sourceLocation)
    #expect(String(validating: bytes, as: UTF8.self) != nil, sourceLocation: sourceLocation)
    for scalar in t.string.unicodeScalars {
        #expect(!(0x80...0x9F).contains(scalar.value), "C1 control left in", sourceLocation: sourceLocation)
        #expect(scalar.properties.generalCategory != .format, "format character left in", sourceLocation: sourceLocation)
    }
}

func quote(_ bytes: [UInt8], maxColumns: Int? = nil) -> TerminalText {
    bytes.withUnsafeBytes { TerminalQuoter(maxColumns: maxColumns).quote($0) }
}

@Suite("Terminal quoter")
struct TerminalQuoterTests {
    @Test("every single byte 0...255 comes out harmless")
    func everyByte() {
        for b in 0...255 {
            let t = quote([UInt8(b)])
            expectHarmless(t)
            if b >= 0x20 && b < 0x7F { #expect(t.string == String(UnicodeScalar(UInt8(b)))) }
        }
        #expect(quote([0x1B]).string == "\\x1b")
        #expect(quote([0x0D]).string == "\\r")
        #expect(quote([0x0A]).string == "\\n")
        #expect(quote([0x00]).string == "\\x00")
        #expect(quote([0x7F]).string == "\\x7f")
        #expect(quote([0xFF]).string == "\\xff")
        #expect(quote([0x80]).string == "\\x80")
    }

    @Test("all 256 bytes in one line, and every byte pair")
    func allBytesTogether() {
        expectHarmless(quote((0...255).map { UInt8($0) }))
        for a in stride(from: 0, through: 255, by: 3) {
            for b in stride(from: 0, through: 255, by: 5) {
                expectHarmless(quote([UInt8(a), UInt8(b), 0x41]))
            }
        }
    }

    @Test("escape sequences are spelt out, not passed")
    func escapeSequences() {
        let csi = quote(Array("\u{1B}[31mred\u{1B}[0m".utf8))
        #expect(csi.string == "\\x1b[31mred\\x1b[0m")
        #expect(csi.escapes.count == 2)
        let osc = quote(Array("\u{1B}]0;title\u{07}".utf8))
        #expect(osc.string == "\\x1b]0;title\\x07")
        // 8-bit CSI (U+009B, UTF-8 C2 9B) and a raw 0x9B byte.
        #expect(quote([0xC2, 0x9B, 0x32, 0x4A]).string == "\\u{9b}2J")
        #expect(quote([0x9B, 0x32, 0x4A]).string == "\\x9b2J")
        expectHarmless(quote(Array("a\rb\u{8}c\u{0}d".utf8)))
    }

    @Test("invalid UTF-8 is shown byte by byte")
    func invalidUTF8() {
        #expect(quote([0xC0, 0x80]).string == "\\xc0\\x80")             // overlong NUL
        #expect(quote([0xED, 0xA0, 0x80]).string == "\\xed\\xa0\\x80")  // surrogate
        #expect(quote([0xF5, 0x80, 0x80, 0x80]).string == "\\xf5\\x80\\x80\\x80")
        #expect(quote([0xE2, 0x82]).string == "\\xe2\\x82")            // cut sequence
        #expect(quote([0x41, 0xE2, 0x82, 0xAC]).string == "A€")          // valid stays
        #expect(quote([0xF4, 0x90, 0x80, 0x80]).string == "\\xf4\\x90\\x80\\x80") // > U+10FFFF
    }

    @Test("bidi overrides and zero-width characters are escaped; letters and CJK pass")
    func unicode() {
        #expect(quote(Array("a\u{202E}b".utf8)).string == "a\\u{202e}b")
        #expect(quote(Array("\u{200B}".utf8)).string == "\\u{200b}")
        #expect(quote(Array("\u{2028}".utf8)).string == "\\u{2028}")
        let mixed = quote(Array("Grüße 日本".utf8))
        #expect(mixed.string == "Grüße 日本")
        #expect(mixed.columns == 10)
        #expect(quote(Array("e\u{301}".utf8)).columns == 1)
    }

    @Test("tabs expand to the next multiple of 8")
    func tabs() {
        #expect(quote(Array("a\tb".utf8)).string == "a       b")
        #expect(quote(Array("\t".utf8)).columns == 8)
    }

    @Test("a 1 MB hostile line: bounded quoting stops at the width; full quoting stays harmless")
    func hugeLine() {
        var line: [UInt8] = []
        line.reserveCapacity(1 << 20)
        var x: UInt32 = 12345
        while line.count < 1 << 20 {
            x = x &* 1_103_515_245 &+ 12345
            line.append(UInt8(truncatingIfNeeded: x >> 16))
        }
        let bounded = quote(line, maxColumns: 200)
        #expect(bounded.columns <= 200)
        expectHarmless(bounded)
        let full = quote(line)
        expectHarmless(full)
        #expect(full.columns >= 1 << 20)
    }

    @Test("random bytes: always harmless, columns consistent with truncation")
    func fuzz() {
        var rng = SplitMix64(seed: 42)
        for _ in 0..<3000 {
            let n = rng.next(64)
            let bytes = (0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            let t = quote(bytes)
            expectHarmless(t)
            let w = rng.next(40)
            let cut = t.truncated(toColumns: w)
            #expect(cut.columns <= w)
            expectHarmless(cut)
            #expect(t.string.hasPrefix(cut.string))
            let padded = t.padded(toColumns: w)
            #expect(padded.columns == w || t.columns > w && padded.columns <= w)
        }
    }

    @Test("truncation never cuts an escape in half; runs split plain and escaped text")
    func truncation() {
        let t = quote(Array("ab\u{1B}cd".utf8))      // ab\x1bcd
        #expect(t.truncated(toColumns: 4).string == "ab")
        #expect(t.truncated(toColumns: 6).string == "ab\\x1b")
        #expect(t.truncated(toColumns: 6, ellipsis: true).string == "ab…")
        #expect(t.runs.map(\.isEscape) == [false, true, false])
        #expect(t.runs.map { String($0.text) } == ["ab", "\\x1b", "cd"])
        let wide = quote(Array("日本語".utf8))
        #expect(wide.truncated(toColumns: 3).string == "日")
    }

    @Test("tainted strings reach a terminal only through the quoter; literals are quoted too")
    func taintedString() {
        let hostile = TaintedString(taintingBytes: [0x1B, 0x5B, 0x32, 0x4A, 0xFF])
        let t = hostile.quoted(by: TerminalQuoter())
        #expect(t.string == "\\x1b[2J\\xff")
        let literal: TerminalText = "plain"
        #expect(literal.string == "plain")
        #expect(TerminalText(untainted: "path\u{1B}").string == "path\\x1b")
        #expect((literal + t).columns == literal.columns + t.columns)
    }
}
