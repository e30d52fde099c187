import StoremonCore

/// The only kind of text the screen draws.
///
/// A `ScreenText` is built from string literals written in this program, numbers it
/// formats itself, and `TerminalText` (tainted text that went through the terminal
/// quoter). There is deliberately no initialiser from a run-time `String`: text read
/// from Exim's files cannot reach the terminal without being quoted first.
struct ScreenText: ExpressibleByStringInterpolation, Sendable, Equatable {
    /// The characters to draw (already safe: no control bytes).
    private(set) var content: String

    /// A literal written in this program.
    init(stringLiteral value: StaticString) {
        content = value.description
    }

    /// Quoted tainted text.
    init(_ text: TerminalText) {
        content = TerminalTextBridge.string(text)
    }

    /// One run of quoted text (plain, or a spelt-out escape such as `\x1b`).
    init(_ run: TerminalText.Run) {
        content = String(run.text)
    }

    /// Builds the text from an interpolation (`"\(n) blocks"`).
    init(stringInterpolation: Interpolation) {
        content = stringInterpolation.content
    }

    /// The empty text.
    static let empty: ScreenText = ""

    /// Whether there is nothing to draw.
    var isEmpty: Bool { content.isEmpty }

    /// Joins texts with a separator.
    static func joined(_ parts: [ScreenText], separator: ScreenText) -> ScreenText {
        var out = ScreenText.empty
        for (i, p) in parts.enumerated() {
            if i > 0 { out.content += separator.content }
            out.content += p.content
        }
        return out
    }

    /// Concatenation.
    static func + (lhs: ScreenText, rhs: ScreenText) -> ScreenText {
        var out = lhs
        out.content += rhs.content
        return out
    }

    /// The text padded with spaces (or cut) to exactly `width` columns.
    func padded(to width: Int) -> ScreenText {
        var out = ScreenText.empty
        var used = 0
        for ch in content {
            let w = CellWidth.of(ch)
            if used + w > width { break }
            out.content.append(ch)
            used += w
        }
        if used < width { out.content += String(repeating: " ", count: width - used) }
        return out
    }

    /// The text right-aligned in `width` columns (cut on the left if too long).
    func rightAligned(in width: Int) -> ScreenText {
        let w = columns
        if w >= width {
            var out = ScreenText.empty
            out.content = String(content.suffix(width))
            return out
        }
        var out = ScreenText.empty
        out.content = String(repeating: " ", count: width - w) + content
        return out
    }

    /// Columns this text takes on screen.
    var columns: Int { content.reduce(0) { $0 + CellWidth.of($1) } }

    /// Removes the first `n` characters.
    mutating func dropFirst(_ n: Int) { content = String(content.dropFirst(n)) }

    /// Case-insensitive containment, for search highlighting.
    func contains(_ needle: String) -> Bool {
        needle.isEmpty ? false : content.lowercased().contains(needle.lowercased())
    }

    /// The interpolation that builds a `ScreenText`: literals, numbers, quoted text.
    struct Interpolation: StringInterpolationProtocol {
        var content = ""
        init(literalCapacity: Int, interpolationCount: Int) { content.reserveCapacity(literalCapacity + 8 * interpolationCount) }
        mutating func appendLiteral(_ literal: StaticString) { content += literal.description }
        mutating func appendInterpolation(_ n: Int) { content += String(n) }
        mutating func appendInterpolation(_ t: ScreenText) { content += t.content }
        mutating func appendInterpolation(_ t: TerminalText) { content += TerminalTextBridge.string(t) }
        /// A number with a fixed count of decimals.
        mutating func appendInterpolation(_ x: Double, decimals: Int) { content += Format.fixed(x, decimals: decimals) }
        /// A byte count in Exim's short form (`512`, `2.8K`, `120K`, `3.4M`).
        mutating func appendInterpolation(bytes: Int) { content += Format.bytes(bytes) }
        /// A literal chosen at run time (e.g. a key name from a table of literals).
        mutating func appendInterpolation(literal: StaticString) { content += literal.description }
    }
}

/// Screen columns taken by a character (wide East Asian characters take two).
enum CellWidth {
    /// Columns for one character: 0 for combining marks, 2 for wide ones, else 1.
    static func of(_ ch: Character) -> Int {
        guard let first = ch.unicodeScalars.first else { return 0 }
        let v = first.value
        if v < 0x300 { return 1 }
        if (0x300...0x36F).contains(v) || (0x200B...0x200F).contains(v) { return 0 }
        if isWide(v) { return 2 }
        return 1
    }

    /// The East Asian wide and fullwidth ranges (a compact version of wcwidth's table).
    private static func isWide(_ v: UInt32) -> Bool {
        return (0x1100...0x115F).contains(v) || (0x2E80...0x303E).contains(v) ||
            (0x3041...0x33FF).contains(v) || (0x3400...0x4DBF).contains(v) ||
            (0x4E00...0x9FFF).contains(v) || (0xA000...0xA4CF).contains(v) ||
            (0xAC00...0xD7A3).contains(v) || (0xF900...0xFAFF).contains(v) ||
            (0xFE30...0xFE4F).contains(v) || (0xFF00...0xFF60).contains(v) ||
            (0xFFE0...0xFFE6).contains(v) || (0x1F300...0x1F64F).contains(v) ||
            (0x1F900...0x1F9FF).contains(v) || (0x20000...0x3FFFD).contains(v)
    }
}

/// Number formatting shared by the panes (untainted: numbers this program computed).
enum Format {
    /// `x` with `decimals` digits after the point.
    static func fixed(_ x: Double, decimals: Int) -> String {
        guard x.isFinite else { return "-" }
        var scale = 1.0
        for _ in 0..<max(0, decimals) { scale *= 10 }
        let r = (x * scale).rounded() / scale
        if decimals <= 0 { return String(Int(r)) }
        let negative = r < 0
        let a = abs(r)
        let whole = Int(a)
        let frac = Int(((a - Double(whole)) * scale).rounded())
        var f = String(frac)
        while f.count < decimals { f = "0" + f }
        return (negative ? "-" : "") + String(whole) + "." + f
    }

    /// A byte count in the style of Exim's `string_format_size`: `512`, `2.8K`, `120K`, `3.4M`, `15M`, `1.2G`.
    static func bytes(_ n: Int) -> String {
        let v = Double(max(0, n))
        if n < 1024 { return String(max(0, n)) }
        if v < 10 * 1024 { return fixed(v / 1024, decimals: 1) + "K" }
        if v < 1024 * 1024 { return String(Int((v / 1024).rounded())) + "K" }
        if v < 10 * 1024 * 1024 { return fixed(v / (1024 * 1024), decimals: 1) + "M" }
        if v < 1024 * 1024 * 1024 { return String(Int((v / (1024 * 1024)).rounded())) + "M" }
        return fixed(v / (1024 * 1024 * 1024), decimals: 1) + "G"
    }
}
