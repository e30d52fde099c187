import EximDemo
import Foundation
import Store
import Testing
@testable import SafeText

@Suite("JSON quoter")
struct JSONQuoterTests {
    func decode(_ literal: String) -> String? {
        guard let data = "[\(literal)]".data(using: .utf8),
              let array = try? JSONSerialization.jsonObject(with: data) as? [String] else { return nil }
        return array.first
    }

    @Test("escapes quotes, backslashes and controls; parses back")
    func basics() {
        let q = JSONQuoter()
        #expect(q.quote(untainted: "a\"b\\c") == #""a\"b\\c""#)
        #expect(q.quote(untainted: "\n\r\t\u{8}\u{C}") == #""\n\r\t\b\f""#)
        #expect(q.quote(untainted: "\u{1B}[0m") == #""\u001b[0m""#)
        #expect(q.quote(untainted: "\u{7F}\u{85}\u{2028}") == #""\u007f\u0085\u2028""#)
        #expect(q.quote(untainted: "Grüße") == "\"Grüße\"")
        #expect(decode(q.quote(untainted: "x\"\\\u{1}y")) == "x\"\\\u{1}y")
    }

    @Test("invalid UTF-8 becomes the text \\xHH")
    func invalid() {
        let t = TaintedString(taintingBytes: [0x61, 0xFF, 0x62])
        let literal = JSONQuoter().quote(t)
        #expect(literal == #""a\\xffb""#)
        #expect(decode(literal) == "a\\xffb")
    }

    @Test("random bytes always give valid JSON without raw controls")
    func fuzz() {
        var rng = SplitMix64(seed: 7)
        for _ in 0..<2000 {
            let bytes = (0..<rng.next(48)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            let literal = JSONQuoter().quote(TaintedString(taintingBytes: bytes))
            #expect(!literal.utf8.contains { $0 < 0x20 || $0 == 0x7F })
            #expect(decode(literal) != nil, "not valid JSON: \(literal)")
            if let valid = String(validating: bytes, as: UTF8.self) {
                #expect(decode(literal) == valid)
            }
        }
    }

    @Test("bidi controls, format characters and C1 controls are escaped, and parse back")
    func bidiAndC1() {
        let q = JSONQuoter()
        let hostile = "a\u{202E}b\u{202A}\u{202B}\u{202C}\u{202D}\u{2066}\u{2067}\u{2068}\u{2069}\u{200F}\u{FEFF}\u{9B}c\u{E0001}"
        let literal = q.quote(untainted: hostile)
        for v in [0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069, 0x200F, 0xFEFF, 0x9B] {
            #expect(literal.contains("\\u" + String(format: "%04x", v)), "U+\(String(v, radix: 16)) not escaped: \(literal)")
        }
        #expect(literal.contains("\\udb40\\udc01"))
        #expect(literal.unicodeScalars.allSatisfy { $0.isASCII || $0.properties.generalCategory != .format })
        #expect(!literal.unicodeScalars.contains { (0x80...0x9F).contains($0.value) })
        #expect(decode(literal) == hostile)
        #expect(q.quote(untainted: "caf\u{e9} \u{4e2d}") == "\"caf\u{e9} \u{4e2d}\"")
    }
}
