import Store

/// The quoter for JSON output: turns tainted bytes into a JSON string literal (with its
/// quotes) that any JSON parser reads back as the same text.
///
/// `"` and `\` are escaped, control characters become `\n`, `\r`, `\t`, `\b`, `\f` or
/// `\u00XX`; DEL, C1 controls, U+2028/U+2029 and every format character (the bidi
/// embeddings, overrides and isolates U+202A–U+202E and U+2066–U+2069, LRM/RLM, zero-width
/// characters, BOM; a supplementary one as a surrogate pair) become `\uXXXX`, so the output
/// is also safe to print on a terminal and to embed in JavaScript. Bytes that are not valid
/// UTF-8 cannot be carried by JSON; each becomes the six characters `\xHH` in the decoded
/// text (JSON `"\\xHH"`), the same spelling the terminal uses, so nothing is silently lost.
public struct JSONQuoter: TaintQuoter, Sendable {
    /// Creates the quoter.
    public init() {}

    /// Quotes raw (tainted) bytes as a JSON string literal, quotes included.
    public func quote(_ raw: UnsafeRawBufferPointer) -> String {
        // arguments: any bytes; result: `"..."` valid JSON, pure printable ASCII + UTF-8;
        // invariant: no byte < 0x20 or 0x7F in the result.
        let bytes = raw   // read as bytes, no rebinding of pool memory
        var out: [UInt8] = [0x22]
        out.reserveCapacity(bytes.count + 2)
        var i = 0
        func hex4(_ v: UInt32) {
            let digits = Array("0123456789abcdef".utf8)
            out.append(contentsOf: Array("\\u".utf8))
            for shift in stride(from: 12, through: 0, by: -4) { out.append(digits[Int((v >> UInt32(shift)) & 0xF)]) }
        }
        while i < bytes.count {
            let b = bytes[i]
            if b < 0x80 {
                switch b {
                case 0x22: out.append(contentsOf: [0x5C, 0x22])
                case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
                case 0x0A: out.append(contentsOf: [0x5C, 0x6E])
                case 0x0D: out.append(contentsOf: [0x5C, 0x72])
                case 0x09: out.append(contentsOf: [0x5C, 0x74])
                case 0x08: out.append(contentsOf: [0x5C, 0x62])
                case 0x0C: out.append(contentsOf: [0x5C, 0x66])
                case 0x00..<0x20, 0x7F: hex4(UInt32(b))
                default: out.append(b)
                }
                i += 1
                continue
            }
            let (scalar, length) = TerminalQuoter.decode(bytes, at: i)
            if let scalar {
                if JSONQuoter.mustEscape(scalar) {
                    if scalar.value > 0xFFFF {
                        let v = scalar.value - 0x10000
                        hex4(0xD800 + (v >> 10))
                        hex4(0xDC00 + (v & 0x3FF))
                    } else {
                        hex4(scalar.value)
                    }
                } else {
                    out.append(contentsOf: bytes[i..<(i + length)])
                }
                i += length
            } else {
                // `\\xHH`: a literal backslash (escaped for JSON) then xHH.
                out.append(contentsOf: Array("\\\\".utf8))
                out.append(contentsOf: Array(TerminalQuoter.hexByte(b).utf8.dropFirst()))
                i += 1
            }
        }
        out.append(0x22)
        return String(decoding: out, as: UTF8.self)
    }

    /// Whether a (validly encoded, non-ASCII) scalar is written as `\uXXXX`: C1 controls,
    /// the line and paragraph separators, and format characters (bidi controls included).
    static func mustEscape(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        if (0x80...0x9F).contains(v) || v == 0x2028 || v == 0x2029 { return true }
        return scalar.properties.generalCategory == .format
    }

    /// Quotes a tainted string as a JSON string literal.
    public func quote(_ tainted: TaintedString) -> String {
        tainted.quoted(by: self)
    }

    /// Quotes untainted text (paths, names) as a JSON string literal.
    public func quote(untainted text: String) -> String {
        var copy = text
        return copy.withUTF8 { quote(UnsafeRawBufferPointer($0)) }
    }
}
