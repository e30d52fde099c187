/// Sizes as Exim prints them (`string_format_size`, used by `exim -bp`, eximon and the
/// `-bpc`-style listings): the one size formatter of the house.
///
/// Exim's rule, reimplemented from its documented behaviour and checked against real
/// `exim -bp` output (Tests fixtures' `bp.txt`):
/// | size | printf form | examples |
/// |---|---|---|
/// | 0 | five spaces | `     ` |
/// | < 1K | `%5d` | `  466`, ` 1023` |
/// | < 10K | `%4.1fK` | ` 1.0K`, ` 1.2K` (1.25: printf rounds an exact tie to even), `10.0K` |
/// | < 1M | `%4dK` of (size + 512) / 1024 | `  10K`, ` 147K`, `1024K` |
/// | < 10M | `%4.1fM` | ` 3.4M` |
/// | else | `%4dM` of (size + 512K) / 1M | `  15M`, `2048M` |
///
/// Exim has no `G`: large sizes simply get more digits.
public enum EximSize {
    /// The size in Exim's 5-column form (wider only past 99999M); 0 and negative sizes
    /// print as five spaces, as `exim -bp` prints them.
    public static func columns(_ size: Int) -> String {
        size <= 0 ? "     " : pad(short(size), 5)
    }

    /// The same figure without the padding (`466`, `1.7K`, `147K`, `3.4M`, `15M`), and
    /// `0` for zero: for figures inside a sentence (pool panes, status lines).
    public static func short(_ size: Int) -> String {
        let k = 1024
        let m = 1024 * 1024
        let s = max(0, size)
        if s < k { return String(s) }
        if s < 10 * k { return tenths(s, per: k) + "K" }
        if s < m { return String((s + k / 2) / k) + "K" }
        if s < 10 * m { return tenths(s, per: m) + "M" }
        return String(s / m + (s % m >= m / 2 ? 1 : 0)) + "M"
    }

    /// `n / per` with one decimal, rounded to nearest with an exact tie to even (what
    /// glibc's `%.1f` does with these exactly representable quotients).
    static func tenths(_ n: Int, per: Int) -> String {
        // n < 10 * per here, so n * 10 cannot overflow.
        var q = n * 10 / per
        let r = n * 10 % per
        if r * 2 > per || (r * 2 == per && q % 2 == 1) { q += 1 }
        return "\(q / 10).\(q % 10)"
    }

    static func pad(_ s: String, _ width: Int) -> String {
        s.utf8.count >= width ? s : String(repeating: " ", count: width - s.utf8.count) + s
    }
}

/// The age column of `exim -bp` (3 columns): the one age formatter of the house.
///
/// Whole minutes (`%2dm`) up to 90 minutes, then hours rounded to nearest (`%2dh`) up to
/// 72 hours, then days rounded to nearest (`%2dd`); wider only past 99 days.
public enum EximAge {
    /// The age of something `seconds` old (negative ages count as 0).
    public static func columns(seconds: Int) -> String {
        var i = max(0, seconds) / 60
        let unit: String
        if i > 90 {
            i = (i + 30) / 60
            if i > 72 {
                i = (i + 12) / 24
                unit = "d"
            } else {
                unit = "h"
            }
        } else {
            unit = "m"
        }
        return EximSize.pad(String(i), 2) + unit
    }
}
