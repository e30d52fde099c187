/// eximon's stripcharts, for memory: a history of values as levels, computed once for
/// every screen (the curses panes and the replay view draw the levels with their glyphs).
public enum Sparkline {
    /// The eight Unicode levels, lowest first.
    public static let unicodeLevels: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
    /// ASCII levels for terminals without UTF-8, lowest first.
    public static let asciiLevels: [Character] = ["_", ".", "-", "~", "=", "+", "*", "#"]

    /// Arguments: a history (oldest first), the columns, and how many levels a column has
    /// (8 for one row of block characters; rows × 8 for a taller chart).
    /// Result: exactly `width` entries, right-aligned (the newest value at the right edge):
    /// nil where there is no value or it is zero (an empty pool is visibly empty), else a
    /// level 0 ..< `levels`, scaled so the largest value shown gets the top level.
    public static func levels(_ history: [Int], width: Int, levels: Int = 8) -> [Int?] {
        guard width > 0 else { return [] }
        let values = history.suffix(width)
        let top = max(1, values.max() ?? 0)
        var out = [Int?](repeating: nil, count: width - values.count)
        out.reserveCapacity(width)
        for v in values {
            if v <= 0 { out.append(nil); continue }
            out.append(min(levels - 1, max(0, Int((Double(v) / Double(top) * Double(levels)).rounded(.up)) - 1)))
        }
        return out
    }

    /// The levels as one row of characters (`ascii`: without UTF-8), blanks for nil.
    public static func render(_ history: [Int], width: Int, ascii: Bool = false) -> String {
        let glyphs = ascii ? asciiLevels : unicodeLevels
        return String(levels(history, width: width).map { $0.map { glyphs[$0] } ?? " " })
    }
}
