import CWidth

/// Screen columns of text, from the C library's `wcwidth`: what ncurses uses to place
/// characters, so every screen (curses, plain frames, replay view) measures text as the
/// terminal library will draw it. The one width function of the house.
///
/// `wcwidth` depends on the C library's character-type locale; the `CWidth` shim asks it
/// under a UTF-8 locale (`C.UTF-8`, whose width table every glibc UTF-8 locale shares),
/// whatever the process's own locale is. Without one, the process's locale is used.
public enum DisplayWidth {
    /// Arguments: a Unicode scalar. Result: the columns it takes (0 for combining marks,
    /// 2 for wide East Asian characters and emoji, else 1), or nil when the C library
    /// does not know it as printable (controls, unassigned code points): such a scalar
    /// must be spelt out, not drawn.
    @inline(__always)
    public static func of(_ scalar: Unicode.Scalar) -> Int? {
        let v = scalar.value
        if v >= 0x20 && v < 0x7F { return 1 }
        return wide(v)
    }

    private static func wide(_ v: UInt32) -> Int? {
        let w = cw_wcwidth(v)
        return w < 0 ? nil : Int(w)
    }

    /// Columns of a character (a base and any combining marks, which ncurses puts in the
    /// base's cell): the sum of its scalars' widths; unprintable scalars count 1 (they
    /// never reach a screen unquoted).
    public static func of(_ ch: Character) -> Int {
        var total = 0
        for s in ch.unicodeScalars { total += of(s) ?? 1 }
        return total
    }

    /// Columns of a string (`of(_:)` summed over its characters).
    public static func of<S: StringProtocol>(_ text: S) -> Int {
        var total = 0
        for s in text.unicodeScalars { total += of(s) ?? 1 }
        return total
    }
}
