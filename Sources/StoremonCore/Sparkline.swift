/// eximon's stripcharts, for memory: a history of values as one row of block characters.
public enum Sparkline {
    /// The eight Unicode levels, lowest first.
    public static let unicodeLevels: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
    /// ASCII levels for terminals without UTF-8, lowest first.
    public static let asciiLevels: [Character] = ["_", ".", "-", "~", "=", "+", "*", "#"]

    /// The last `width` values as a row of levels scaled from 0 to the largest value shown
    /// (a zero value draws as a space, so an empty pool is visibly empty). Always `width`
    /// characters, right-aligned (the newest value at the right edge).
    public static func render(_ history: [Int], width: Int, ascii: Bool = false) -> String {
        guard width > 0 else { return "" }
        let levels = ascii ? asciiLevels : unicodeLevels
        let values = history.suffix(width)
        let top = max(1, values.max() ?? 0)
        var out = String(repeating: " ", count: width - values.count)
        for v in values {
            if v <= 0 { out.append(" "); continue }
            let level = min(levels.count - 1, max(0, Int((Double(v) / Double(top) * Double(levels.count)).rounded(.up)) - 1))
            out.append(levels[level])
        }
        return out
    }
}
