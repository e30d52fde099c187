/// The two formats of an Exim message id, and the one recogniser of ids in the house.
///
/// - Exim 4.96 and older: 16 characters, `tttttt-pppppp-ss` (e.g. `1xWd9A-0006vT-0Q`):
///   arrival time, process id, fraction of a second;
/// - Exim 4.97 and later: 23 characters, `tttttt-ppppppppppp-ssss`.
///
/// Every part is base 62 (`Base62`); the dashes stand at 6 and 13 (or 18).
public enum MessageIDFormat: UInt8, Sendable, Hashable, CaseIterable {
    /// Exim 4.96 and older: 16 characters.
    case legacy
    /// Exim 4.97 and later: 23 characters.
    case extended

    /// The id's length in characters: 16 or 23.
    @inlinable public var length: Int { self == .legacy ? 16 : 23 }

    /// Where the second dash stands: 13 or 18.
    @inlinable public var secondDash: Int { self == .legacy ? 13 : 18 }

    /// Where the fraction-of-a-second part starts and ends.
    @inlinable public var fractionRange: Range<Int> { self == .legacy ? 14..<16 : 19..<23 }

    /// The format of a length, nil if no id has that many characters.
    @inlinable public init?(length: Int) {
        switch length {
        case 16: self = .legacy
        case 23: self = .extended
        default: return nil
        }
    }

    /// Arguments: `n` readable bytes at `p`. Result: the format of the message id that
    /// starts at `p` (whatever follows it), nil if none does.
    /// Invariant: reads at most 23 bytes and never past `n`. A 23-character id is never
    /// mistaken for a 16-character one (its 14th character is not a dash).
    @inlinable
    public static func recognise(_ p: UnsafePointer<UInt8>, count n: Int) -> MessageIDFormat? {
        guard n >= 16, p[6] == UInt8(ascii: "-") else { return nil }
        for k in 0..<6 where !Base62.isDigit(p[k]) { return nil }
        if p[13] == UInt8(ascii: "-") {
            for k in 7..<13 where !Base62.isDigit(p[k]) { return nil }
            return Base62.isDigit(p[14]) && Base62.isDigit(p[15]) ? .legacy : nil
        }
        guard n >= 23, p[18] == UInt8(ascii: "-") else { return nil }
        for k in 7..<18 where !Base62.isDigit(p[k]) { return nil }
        for k in 19..<23 where !Base62.isDigit(p[k]) { return nil }
        return .extended
    }

    /// The format of `bytes` when they are exactly one message id, else nil.
    @inlinable
    public static func of<C: Collection>(_ bytes: C) -> MessageIDFormat? where C.Element == UInt8 {
        guard let f = MessageIDFormat(length: bytes.count) else { return nil }
        let found: MessageIDFormat?? = bytes.withContiguousStorageIfAvailable { b in
            b.baseAddress.flatMap { recognise($0, count: b.count) }
        }
        if let found { return found == f ? f : nil }
        let copy = Array(bytes)
        return copy.withUnsafeBufferPointer { b in recognise(b.baseAddress!, count: b.count) } == f ? f : nil
    }

    /// The format of a word when it is exactly one message id (e.g. a command-line
    /// argument such as `-M 1xWd9R-0007BX-0d`), else nil.
    public static func of(_ text: Substring) -> MessageIDFormat? { of(text.utf8) }
}
