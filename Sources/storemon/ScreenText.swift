import EximFormats
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
            let w = DisplayWidth.of(ch)
            if used + w > width { break }
            out.content.append(ch)
            used += w
        }
        if used < width { out.content += String(repeating: " ", count: width - used) }
        return out
    }

    /// Columns this text takes on screen.
    var columns: Int { DisplayWidth.of(content) }

    /// The interpolation that builds a `ScreenText`: literals, numbers, quoted text.
    struct Interpolation: StringInterpolationProtocol {
        var content = ""
        init(literalCapacity: Int, interpolationCount: Int) { content.reserveCapacity(literalCapacity + 8 * interpolationCount) }
        mutating func appendLiteral(_ literal: StaticString) { content += literal.description }
        mutating func appendInterpolation(_ n: Int) { content += String(n) }
        mutating func appendInterpolation(_ t: ScreenText) { content += t.content }
        mutating func appendInterpolation(_ t: TerminalText) { content += TerminalTextBridge.string(t) }
        /// A number with a fixed count of decimals.
        mutating func appendInterpolation(_ x: Double, decimals: Int) { content += RateText.fixed(x, decimals: decimals) }
        /// A byte count in Exim's short size form (`512`, `2.8K`, `120K`, `3.4M`).
        mutating func appendInterpolation(bytes: Int) { content += EximSize.short(bytes) }
        /// A literal chosen at run time (e.g. a key name from a table of literals).
        mutating func appendInterpolation(literal: StaticString) { content += literal.description }
    }
}

extension ScreenText {
    /// The text without its first `columns` columns (a wide character straddling the cut
    /// is dropped whole): the rest, and the columns actually dropped.
    func dropping(columns: Int) -> (ScreenText, Int) {
        guard columns > 0 else { return (self, 0) }
        var dropped = 0
        var index = content.startIndex
        while index < content.endIndex, dropped < columns {
            dropped += DisplayWidth.of(content[index])
            index = content.index(after: index)
        }
        var rest = ScreenText.empty
        rest.content = String(content[index...])   // a part of safe text is safe
        return (rest, dropped)
    }
}
