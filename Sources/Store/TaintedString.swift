/// An owned copy of tainted text: a Swift value, safe to keep in snapshots, and still
/// tainted. It is not a `String` and does not convert to one: the ways out are
/// `quoted(by:)` (the normal way) and `untainted(afterChecking:)` (the named way).
public struct TaintedString: Hashable, Sendable, Codable {
    let bytes: [UInt8]

    init(bytes: [UInt8]) { self.bytes = bytes }

    /// Marks text from an untrusted source as tainted (tests, demo data, network input).
    public init(tainting s: String) { self.bytes = Array(s.utf8) }

    /// Marks raw bytes from an untrusted source as tainted.
    public init(taintingBytes b: [UInt8]) { self.bytes = b }

    /// Length in bytes.
    public var byteCount: Int { bytes.count }

    /// True if there are no bytes.
    public var isEmpty: Bool { bytes.isEmpty }

    /// Comparison with clean text is no escape.
    public static func == (lhs: TaintedString, rhs: String) -> Bool { lhs.bytes.elementsEqual(rhs.utf8) }

    /// Comparison with clean text is no escape.
    public static func == (lhs: String, rhs: TaintedString) -> Bool { rhs == lhs }

    /// Quotes the text with `q` (the normal way out of taint).
    public func quoted<Q: TaintQuoter>(by q: Q) -> Q.Quoted {
        bytes.withUnsafeBytes { q.quote($0) }
    }

    /// The named way out: the text as a `String` if it is valid UTF-8 and `check`
    /// accepts it, else nil.
    public func untainted(afterChecking check: (String) -> Bool) -> String? {
        guard let s = String(validating: bytes, as: UTF8.self), check(s) else { return nil }
        return s
    }

    /// A tainted view for parsing, valid inside `body` only.
    public func withTaintedBytes<R>(_ body: (TaintedBytes) throws -> R) rethrows -> R {
        try bytes.withUnsafeBytes { try body(TaintedBytes(base: $0.baseAddress, count: $0.count)) }
    }
}

extension TaintedString: CustomStringConvertible, CustomDebugStringConvertible {
    /// "TaintedString(<n> bytes)": never the content, so interpolation cannot leak it.
    public var description: String { "TaintedString(\(bytes.count) bytes)" }
    /// Same as `description`.
    public var debugDescription: String { description }
}
