/// Exim's base 62 (`0-9A-Za-z`, in that order): the alphabet of message ids and of the
/// split-spool sub-directory names.
public enum Base62 {
    /// The 62 digits, lowest first.
    public static let digits: [UInt8] = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)

    /// The value of an ASCII byte as a base-62 digit (0...61), nil if it is not one.
    @inlinable
    public static func value(of b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return b &- UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return b &- UInt8(ascii: "A") &+ 10
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return b &- UInt8(ascii: "a") &+ 36
        default: return nil
        }
    }

    /// Whether an ASCII byte is a base-62 digit.
    @inlinable @inline(__always)
    public static func isDigit(_ b: UInt8) -> Bool {
        // b | 0x20 folds A-Z onto a-z; digits are checked apart.
        (b &- UInt8(ascii: "0")) < 10 || ((b | 0x20) &- UInt8(ascii: "a")) < 26
    }

    /// `value` in exactly `count` base-62 digits, most significant first (the value is
    /// taken modulo 62^count, as Exim's fixed-width fields do; negative values count as 0).
    public static func encode(_ value: Int, count: Int) -> [UInt8] {
        var out = [UInt8](repeating: digits[0], count: max(0, count))
        var v = max(0, value)
        var i = out.count - 1
        while i >= 0 {
            out[i] = digits[v % 62]
            v /= 62
            i -= 1
        }
        return out
    }

    /// `encode(_:count:)` as a `String`.
    public static func string(_ value: Int, count: Int) -> String {
        String(decoding: encode(value, count: count), as: UTF8.self)
    }

    /// The value of a run of base-62 digits, nil if any byte is not one (or it overflows).
    public static func decode<C: Collection>(_ bytes: C) -> Int? where C.Element == UInt8 {
        var v = 0
        for b in bytes {
            guard let d = value(of: b) else { return nil }
            let (m, o1) = v.multipliedReportingOverflow(by: 62)
            let (s, o2) = m.addingReportingOverflow(Int(d))
            if o1 || o2 { return nil }
            v = s
        }
        return v
    }
}
