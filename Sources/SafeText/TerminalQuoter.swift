import Store

/// Exim's idea of quoted memory, for a terminal: turns tainted bytes (log lines, sender
/// addresses, HELO names, subjects) into `TerminalText` that cannot drive the terminal.
///
/// - C0 controls, DEL, ESC and NUL become `\xHH` (`\r` and `\n` are spelt `\r`, `\n`);
/// - tabs are expanded to the next multiple of 8 columns;
/// - C1 controls (U+0080...U+009F), format characters (bidi overrides, zero-width joiners,
///   soft hyphen, BOM), line and paragraph separators and unassigned code points become
///   `\u{XXXX}`;
/// - bytes that are not valid UTF-8 (stray continuation bytes, overlong forms, surrogates,
///   code points above U+10FFFF, cut sequences) become `\xHH`, one per byte.
///
/// Everything else (printable ASCII, letters, CJK, emoji) passes through. The quoter also
/// plays Exim's `TaintQuoter` role, so `tainted.quoted(by: TerminalQuoter())` is the
/// normal way from a `TaintedString` to the screen.
public struct TerminalQuoter: TaintQuoter, Sendable {
    /// Stop after this many output columns (a 1 MB line need not be quoted whole to draw
    /// 200 columns of it); nil quotes everything.
    public var maxColumns: Int?

    /// Creates a quoter, optionally bounded to `maxColumns` output columns.
    public init(maxColumns: Int? = nil) {
        self.maxColumns = maxColumns
    }

    /// Quotes raw (tainted) bytes for the terminal.
    public func quote(_ raw: UnsafeRawBufferPointer) -> TerminalText {
        // arguments: any bytes; result: printable text; invariant: no byte < 0x20, no 0x7F,
        // no C1, no format character reaches `string` unescaped.
        let bytes = raw   // read as bytes, no rebinding of pool memory
        var out: [UInt8] = []
        out.reserveCapacity(min(bytes.count, maxColumns ?? bytes.count) + 16)
        var escapes: [Range<Int>] = []
        var cols = 0
        let limit = maxColumns ?? Int.max
        var i = 0
        func emitEscape(_ text: String) -> Bool {
            let u = Array(text.utf8)
            if cols + u.count > limit { return false }
            escapes.append(out.count..<(out.count + u.count))
            out.append(contentsOf: u)
            cols += u.count
            return true
        }
        loop: while i < bytes.count {
            let b = bytes[i]
            if b < 0x80 {
                switch b {
                case 0x09:
                    let n = 8 - cols % 8
                    if cols + n > limit { break loop }
                    out.append(contentsOf: repeatElement(0x20, count: n))
                    cols += n
                case 0x0A:
                    if !emitEscape("\\n") { break loop }
                case 0x0D:
                    if !emitEscape("\\r") { break loop }
                case 0x00..<0x20, 0x7F:
                    if !emitEscape(TerminalQuoter.hexByte(b)) { break loop }
                default:
                    if cols + 1 > limit { break loop }
                    out.append(b)
                    cols += 1
                }
                i += 1
                continue
            }
            let (scalar, length) = TerminalQuoter.decode(bytes, at: i)
            guard let scalar else {
                if !emitEscape(TerminalQuoter.hexByte(b)) { break loop }
                i += 1
                continue
            }
            if TerminalQuoter.mustEscape(scalar) {
                if !emitEscape("\\u{" + String(scalar.value, radix: 16) + "}") { break loop }
            } else {
                let width = DisplayWidth.of(scalar) ?? 1   // non-nil: mustEscape checked it
                if cols + width > limit { break loop }
                out.append(contentsOf: bytes[i..<(i + length)])
                cols += width
            }
            i += length
        }
        return TerminalText(checked: String(decoding: out, as: UTF8.self), columns: cols, escapes: escapes)
    }

    /// Quotes a tainted string for the terminal.
    public func quote(_ tainted: TaintedString) -> TerminalText {
        tainted.quoted(by: self)
    }

    /// Quotes text the program itself made (paths from the command line, numbers):
    /// untainted, but it may still hold control characters, so it is quoted the same way.
    public func quote(untainted text: String) -> TerminalText {
        var copy = text
        return copy.withUTF8 { quote(UnsafeRawBufferPointer($0)) }
    }

    /// `\xHH` for a byte.
    static func hexByte(_ b: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return "\\x" + String(digits[Int(b >> 4)]) + String(digits[Int(b & 0xF)])
    }

    /// Whether a (validly encoded) scalar must be spelt out rather than drawn: controls,
    /// format characters (bidi, zero-width), separators, unassigned code points, and
    /// anything the C library's `wcwidth` does not size (the terminal could not place it).
    static func mustEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator, .unassigned, .surrogate:
            return true
        default:
            return DisplayWidth.of(scalar) == nil
        }
    }

    /// Decodes one UTF-8 scalar at `i`: the scalar (nil when the bytes there are not valid
    /// UTF-8: then exactly one byte should be escaped) and its length in bytes.
    static func decode<C: RandomAccessCollection>(_ bytes: C, at i: Int) -> (Unicode.Scalar?, Int)
        where C.Element == UInt8, C.Index == Int {
        let b0 = bytes[i]
        if b0 < 0x80 { return (Unicode.Scalar(b0), 1) }
        let need: Int
        var value: UInt32
        let minimum: UInt32
        switch b0 {
        case 0xC2...0xDF: need = 1; value = UInt32(b0 & 0x1F); minimum = 0x80
        case 0xE0...0xEF: need = 2; value = UInt32(b0 & 0x0F); minimum = 0x800
        case 0xF0...0xF4: need = 3; value = UInt32(b0 & 0x07); minimum = 0x10000
        default: return (nil, 1)
        }
        if i + need >= bytes.endIndex { return (nil, 1) }
        for k in 1...need {
            let c = bytes[i + k]
            guard c & 0xC0 == 0x80 else { return (nil, 1) }
            value = value << 6 | UInt32(c & 0x3F)
        }
        guard value >= minimum, value <= 0x10FFFF, let scalar = Unicode.Scalar(value) else { return (nil, 1) }
        return (scalar, need + 1)
    }
}
