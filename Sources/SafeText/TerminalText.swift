/// Text that is safe to draw on a terminal: no control bytes, no escape sequences,
/// no invalid UTF-8, no bidi or other format characters, tabs expanded.
///
/// The only ways to make one are `TerminalQuoter` (for tainted bytes), a string
/// literal (untainted by construction; quoted too, so even a careless literal is safe),
/// and `init(untainted:)` for text the program composed itself (numbers, paths typed on
/// the command line), which is quoted as well. So a `TerminalText` never holds a raw
/// escape byte, whatever it came from. There is deliberately no string interpolation
/// into `TerminalText`: compose pieces with `+`.
public struct TerminalText: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The printable text (UTF-8; every scalar printable; escapes spelt out as `\x1b` etc.).
    public let string: String
    /// Display columns the text takes (`DisplayWidth`: wide CJK and emoji 2, combining marks 0).
    public let columns: Int
    /// UTF-8 byte ranges of `string` that are spelt-out escapes (`\x1b`, `\r`, `\xff`),
    /// so a drawer may show them dimmed.
    public let escapes: [Range<Int>]

    /// Used by the quoter only: `string` must already be printable.
    init(checked string: String, columns: Int, escapes: [Range<Int>]) {
        self.string = string
        self.columns = columns
        self.escapes = escapes
    }

    /// A literal in the program's source: untainted. It is quoted all the same.
    public init(stringLiteral value: StaticString) {
        self = TerminalQuoter().quote(untainted: value.description)
    }

    /// Text the program composed itself (not read from Exim's files); quoted all the same.
    public init(untainted text: String) {
        self = TerminalQuoter().quote(untainted: text)
    }

    /// The empty text.
    public static let empty = TerminalText(checked: "", columns: 0, escapes: [])

    /// The text (already safe), for `print` and drawing.
    public var description: String { string }

    /// Whether the text is empty.
    public var isEmpty: Bool { string.isEmpty }

    /// A piece of the text: plain or a spelt-out escape.
    public struct Run: Sendable, Hashable {
        /// The run's text.
        public var text: Substring
        /// Whether the run is a spelt-out escape such as `\x1b`.
        public var isEscape: Bool
    }

    /// The text cut into plain runs and escape runs, in order (for dim escapes).
    public var runs: [Run] {
        if escapes.isEmpty { return string.isEmpty ? [] : [Run(text: Substring(string), isEscape: false)] }
        var result: [Run] = []
        let utf8 = string.utf8
        var at = 0
        func slice(_ r: Range<Int>) -> Substring {
            let lo = utf8.index(utf8.startIndex, offsetBy: r.lowerBound)
            let hi = utf8.index(lo, offsetBy: r.count)
            return string[lo..<hi]
        }
        for e in escapes {
            if e.lowerBound > at { result.append(Run(text: slice(at..<e.lowerBound), isEscape: false)) }
            result.append(Run(text: slice(e), isEscape: true))
            at = e.upperBound
        }
        if at < utf8.count { result.append(Run(text: slice(at..<utf8.count), isEscape: false)) }
        return result
    }

    /// Joins two texts (tab stops are not recomputed: tabs were expanded when quoting).
    public static func + (lhs: TerminalText, rhs: TerminalText) -> TerminalText {
        let shift = lhs.string.utf8.count
        return TerminalText(checked: lhs.string + rhs.string, columns: lhs.columns + rhs.columns,
                            escapes: lhs.escapes + rhs.escapes.map { ($0.lowerBound + shift)..<($0.upperBound + shift) })
    }

    /// The longest prefix that fits in `limit` columns; an escape is never cut in half,
    /// nor a wide character. With `ellipsis`, a cut text ends in `…` (or `~` when `ascii`).
    public func truncated(toColumns limit: Int, ellipsis: Bool = false, ascii: Bool = false) -> TerminalText {
        if columns <= limit { return self }
        if limit <= 0 { return .empty }
        let room = ellipsis ? limit - 1 : limit
        var bytes: [UInt8] = []
        var cols = 0
        var kept: [Range<Int>] = []
        var escapeIndex = 0
        let utf8 = Array(string.utf8)
        var i = 0
        while i < utf8.count {
            if escapeIndex < escapes.count, escapes[escapeIndex].lowerBound == i {
                let e = escapes[escapeIndex]
                if cols + e.count > room { break }
                kept.append(bytes.count..<(bytes.count + e.count))
                bytes.append(contentsOf: utf8[e])
                cols += e.count
                i = e.upperBound
                escapeIndex += 1
                continue
            }
            let (scalar, length) = TerminalQuoter.decode(utf8, at: i)
            let width = scalar.flatMap(DisplayWidth.of) ?? 1
            if cols + width > room { break }
            bytes.append(contentsOf: utf8[i..<(i + length)])
            cols += width
            i += length
        }
        if ellipsis {
            let mark: [UInt8] = ascii ? [0x7E] : Array("…".utf8)
            bytes.append(contentsOf: mark)
            cols += 1
        }
        return TerminalText(checked: String(decoding: bytes, as: UTF8.self), columns: cols, escapes: kept)
    }

    /// The text padded with spaces to `width` columns (cut first when longer).
    public func padded(toColumns width: Int) -> TerminalText {
        let cut = truncated(toColumns: width)
        if cut.columns >= width { return cut }
        return cut + TerminalText(checked: String(repeating: " ", count: width - cut.columns),
                                  columns: width - cut.columns, escapes: [])
    }

    /// The text right-aligned in `width` columns (cut first when longer).
    public func rightAligned(toColumns width: Int) -> TerminalText {
        let cut = truncated(toColumns: width)
        if cut.columns >= width { return cut }
        return TerminalText(checked: String(repeating: " ", count: width - cut.columns),
                            columns: width - cut.columns, escapes: []) + cut
    }
}
