/// A read-only view of bytes in a tainted (or quoted) pool.
///
/// Valid until the pool is reset or released past it. Readable for parsing (bytes,
/// sub-views, searches, comparisons with literals) but deliberately not convertible to
/// `String` or `[UInt8]`: the ways out are `copiedOut()` (still tainted), a
/// `TaintQuoter`, or `TaintedString.untainted(afterChecking:)`.
public struct TaintedBytes {
    @usableFromInline let base: UnsafeRawPointer?
    /// Number of bytes in the view.
    public let count: Int

    /// A view of `count` bytes at `base` (internal: only the store makes these).
    @usableFromInline init(base: UnsafeRawPointer?, count: Int) {
        self.base = base
        self.count = count
    }

    /// True if the view has no bytes.
    public var isEmpty: Bool { count == 0 }

    /// The byte at `i` (0..<count); traps outside the view, like an array.
    @inlinable public subscript(i: Int) -> UInt8 {
        precondition(i >= 0 && i < count, "TaintedBytes index out of range")
        return UnsafeRawBufferPointer(start: base, count: count)[i]
    }

    /// A sub-view of `r` (clamped to the view), no copy.
    public subscript(r: Range<Int>) -> TaintedBytes {
        let lo = min(max(0, r.lowerBound), count), hi = min(max(lo, r.upperBound), count)
        let slice = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(start: base, count: count)[lo..<hi])
        return TaintedBytes(base: slice.baseAddress, count: slice.count)
    }

    /// Calls `body` with the raw bytes (for parsing; do not let them escape untainted).
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: base, count: count))
    }

    /// The first index at or after `from` holding `b`, or nil.
    public func firstIndex(of b: UInt8, from: Int = 0) -> Int? {
        guard let base, from < count else { return nil }
        let bytes = UnsafeRawBufferPointer(start: base, count: count)
        for i in max(0, from)..<count where bytes[i] == b { return i }
        return nil
    }

    /// True if the bytes equal the literal `s`.
    public func elementsEqual(_ s: StaticString) -> Bool {
        s.withUTF8Buffer { lit in lit.count == count && hasPrefix(s) }
    }

    /// True if the bytes begin with the literal `s`.
    public func hasPrefix(_ s: StaticString) -> Bool {
        s.withUTF8Buffer { lit in
            guard lit.count <= count else { return false }
            for i in 0..<lit.count where lit[i] != self[i] { return false }
            return true
        }
    }

    /// True if the bytes end with the literal `s`.
    public func hasSuffix(_ s: StaticString) -> Bool {
        s.withUTF8Buffer { lit in
            guard lit.count <= count else { return false }
            let off = count - lit.count
            for i in 0..<lit.count where lit[i] != self[off + i] { return false }
            return true
        }
    }

    /// Parses the bytes as an unsigned decimal number (digits only, no sign); nil otherwise.
    /// A number is no escape: it carries no attacker-chosen text.
    public func decimalValue() -> Int? {
        guard count > 0, count <= 18 else { return nil }
        var v = 0
        for i in 0..<count {
            let c = self[i]
            guard c >= 48 && c <= 57 else { return nil }
            v = v * 10 + Int(c - 48)
        }
        return v
    }

    /// An owned copy that outlives any reset (still tainted).
    public func copiedOut() -> TaintedString {
        TaintedString(bytes: withUnsafeBytes { Array($0) })
    }

    /// Quotes the bytes with `q` (the normal way out of taint).
    public func quoted<Q: TaintQuoter>(by q: Q) -> Q.Quoted {
        withUnsafeBytes { q.quote($0) }
    }
}

extension TaintedBytes: CustomStringConvertible {
    /// "TaintedBytes(<n> bytes)": never the content, so interpolation cannot leak it.
    public var description: String { "TaintedBytes(\(count) bytes)" }
}

/// Room in a tainted pool that the caller fills (for example a `read()` buffer) and then
/// reads back only as `TaintedBytes`.
public struct TaintedBuffer {
    /// Start of the room.
    public let baseAddress: UnsafeMutableRawPointer
    /// Size of the room in bytes.
    public let capacity: Int

    init(baseAddress: UnsafeMutableRawPointer, capacity: Int) {
        self.baseAddress = baseAddress
        self.capacity = capacity
    }

    /// Calls `body` with the writable room (to fill it).
    public func withUnsafeMutableBytes<R>(_ body: (UnsafeMutableRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeMutableRawBufferPointer(start: baseAddress, count: capacity))
    }

    /// A tainted view of `range` (clamped to the room).
    public func bytes(_ range: Range<Int>) -> TaintedBytes {
        TaintedBytes(base: baseAddress, count: capacity)[range]
    }

    /// A tainted view of the first `count` bytes.
    public func prefix(_ count: Int) -> TaintedBytes { bytes(0..<count) }
}

extension Store {
    /// Copies bytes from an untrusted source into the tainted twin of `currentPool` and
    /// returns a tainted view of the copy. Throws what `get` throws.
    public func copyTainted(_ bytes: UnsafeRawBufferPointer, function: StaticString = #function,
                            line: Int = #line) throws(StoreError) -> TaintedBytes {
        let p = try get(bytes.count, .tainted, function: function, line: line)
        if let b = bytes.baseAddress, bytes.count > 0 { p.copyMemory(from: b, byteCount: bytes.count) }
        return TaintedBytes(base: p, count: bytes.count)
    }

    /// Room for `size` bytes in the tainted twin of `currentPool` (e.g. a `read()` buffer).
    public func getTaintedBuffer(_ size: Int, function: StaticString = #function,
                                 line: Int = #line) throws(StoreError) -> TaintedBuffer {
        TaintedBuffer(baseAddress: try get(size, .tainted, function: function, line: line), capacity: size)
    }

    /// A tainted view of `count` bytes at `p`, if `p` lies in a tainted or quoted pool;
    /// nil for untainted memory (so untainted data cannot be mislabelled either way).
    public func taintedView(_ p: UnsafeRawPointer, count: Int) -> TaintedBytes? {
        guard count >= 0, isTainted(p) else { return nil }
        return TaintedBytes(base: p, count: count)
    }
}
