/// `exim -bp`'s column formats, reimplemented from their documented behaviour.
public enum QueueFormat {
    /// A size in 5 characters, like Exim's `string_format_size`: blanks for 0, `%5d` below
    /// 1024, `%4.1fK` below 10K, `%4dK` (rounded) below 1M, `%4.1fM` below 10M, else `%4dM`.
    public static func size(_ size: Int) -> String {
        let k = 1024
        let m = 1024 * 1024
        if size <= 0 { return "     " }
        if size < k { return pad(String(size), 5) }
        if size < 10 * k { return pad(tenths(size, per: k), 4) + "K" }
        if size < m { return pad(String((size + 512) / k), 4) + "K" }
        if size < 10 * m { return pad(tenths(size, per: m), 4) + "M" }
        return pad(String((size + m / 2) / m), 4) + "M"
    }

    /// The age column of `exim -bp` (3 characters): whole minutes (`%2dm`) up to 90
    /// minutes, then rounded hours (`%2dh`) up to 72 hours, then rounded days (`%2dd`).
    public static func age(seconds: Int) -> String {
        var i = seconds / 60
        if i > 90 {
            i = (i + 30) / 60
            if i > 72 { return pad(String((i + 12) / 24), 2) + "d" }
            return pad(String(i), 2) + "h"
        }
        return pad(String(i), 2) + "m"
    }

    /// `n / per` with one decimal, rounded to nearest with ties to even (as printf does
    /// for `%.1f` on these exactly representable values).
    static func tenths(_ n: Int, per: Int) -> String {
        let num = n * 10
        var q = num / per
        let r = num % per
        if r * 2 > per || (r * 2 == per && q % 2 == 1) { q += 1 }
        return "\(q / 10).\(q % 10)"
    }

    static func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : String(repeating: " ", count: width - s.count) + s
    }
}
