/// An Exim message id, checked character by character, so it is plain (untainted) text.
///
/// Two formats exist: Exim 4.96 and older `XXXXXX-YYYYYY-ZZ` (16 characters: time, pid,
/// fraction of a second) and Exim 4.97+ `XXXXXX-YYYYYYYYYYY-ZZZZ` (23 characters). Every
/// part is base 62 (`0-9A-Za-z`); the first six characters are the arrival time in seconds.
///
/// Ordering (`<`) is the order `exim -bp` lists messages in: arrival second first, then
/// the fraction-of-a-second part, then the rest of the id (ids of the two formats that
/// arrived in the same second: old format first).
public struct MessageID: Hashable, Comparable, Sendable, CustomStringConvertible {
    // Up to 23 ASCII bytes packed into three words; the length is kept in `count`.
    @usableFromInline var w0: UInt64
    @usableFromInline var w1: UInt64
    @usableFromInline var w2: UInt64
    /// The id's length: 16 (Exim 4.96 and older) or 23 (Exim 4.97+).
    public let count: Int

    /// Checks `bytes` as a message id (`MessageIDFormat`'s recogniser: 16 or 23 characters
    /// with dashes at Exim's places and base-62 characters elsewhere); nil if it is not one.
    public init?<C: Collection>(bytes: C) where C.Element == UInt8 {
        guard let format = MessageIDFormat.of(bytes) else { return nil }
        var words: (UInt64, UInt64, UInt64) = (0, 0, 0)
        var i = 0
        for b in bytes {
            let shift = UInt64((i & 7) * 8)
            switch i >> 3 {
            case 0: words.0 |= UInt64(b) << shift
            case 1: words.1 |= UInt64(b) << shift
            default: words.2 |= UInt64(b) << shift
            }
            i += 1
        }
        (w0, w1, w2) = words
        count = format.length
    }

    /// Hashes the packed words (one combine: cheaper than hashing each field).
    public func hash(into hasher: inout Hasher) {
        hasher.combine(w0 ^ (w1 &* 0x9E37_79B9_7F4A_7C15) ^ (w2 &* 0xC2B2_AE3D_27D4_EB4F))
    }

    /// Checks a `String` as a message id; nil if it is not one.
    public init?(_ text: String) {
        self.init(bytes: Array(text.utf8))
    }

    /// The id's bytes.
    public var bytes: [UInt8] {
        (0..<count).map { self[$0] }
    }

    /// The id's byte at `i` (0 ..< count).
    @inlinable
    public subscript(i: Int) -> UInt8 {
        let w = i < 8 ? w0 : (i < 16 ? w1 : w2)
        return UInt8(truncatingIfNeeded: w >> UInt64((i & 7) * 8))
    }

    /// The id as text.
    public var description: String {
        String(decoding: bytes, as: UTF8.self)
    }

    /// True for the Exim 4.97+ format (23 characters).
    public var isLongFormat: Bool { count == 23 }

    /// The id's format.
    public var format: MessageIDFormat { count == 16 ? .legacy : .extended }

    /// The arrival time in seconds since the epoch, decoded from the first six characters
    /// (base 62). Exim writes the same value as the `-H` file's received time.
    public var arrivalTime: Int {
        Base62.decode((0..<6).map { self[$0] }) ?? 0
    }

    /// The sub-directory character of a split spool: the id's sixth character.
    public var splitCharacter: UInt8 { self[5] }


    /// `exim -bp` order: arrival second, then fraction of a second, then the whole id.
    public static func < (a: MessageID, b: MessageID) -> Bool {
        for i in 0..<6 where a[i] != b[i] { return a[i] < b[i] }
        if a.count != b.count { return a.count < b.count }
        for i in a.format.fractionRange where a[i] != b[i] { return a[i] < b[i] }
        for i in 7..<a.count where a[i] != b[i] { return a[i] < b[i] }
        return false
    }
}
