// The byte scanner under the trace parser. All reads are bounds-checked against
// `end`; nothing here can read outside the line it was given.

/// A cursor over one line's bytes (no newline), for the record grammars.
struct LineScanner {
    let base: UnsafePointer<UInt8>
    var pos: Int
    let end: Int

    init(_ buffer: UnsafeBufferPointer<UInt8>, from start: Int = 0) {
        // An empty buffer may have a nil base; point at a static byte instead.
        base = buffer.baseAddress ?? LineScanner.emptyBase
        pos = start
        end = buffer.count
    }

    // Read-only after initialisation, so sharing it is safe.
    nonisolated(unsafe) private static let emptyBase: UnsafePointer<UInt8> = {
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
        p.initialize(to: 0)
        return UnsafePointer(p)
    }()

    var atEnd: Bool { pos >= end }

    /// The byte at `pos + k`, or 0 past the end.
    @inline(__always) func peek(_ k: Int = 0) -> UInt8 {
        let i = pos + k
        return i < end && i >= 0 ? base[i] : 0
    }

    /// Skips spaces and tabs; returns how many were skipped.
    @inline(__always) @discardableResult
    mutating func skipBlanks() -> Int {
        let start = pos
        while pos < end, base[pos] == 0x20 || base[pos] == 0x09 { pos += 1 }
        return pos - start
    }

    /// Matches `s` exactly at `pos` and moves past it.
    @inline(__always)
    mutating func literal(_ s: StaticString) -> Bool {
        let n = s.utf8CodeUnitCount
        guard end - pos >= n else { return false }
        let p = s.utf8Start
        for i in 0..<n where base[pos + i] != p[i] { return false }
        pos += n
        return true
    }

    /// Whether `s` is at `pos` (does not move).
    @inline(__always)
    func looksAt(_ s: StaticString) -> Bool {
        var copy = self
        return copy.literal(s)
    }

    /// A decimal integer with an optional `-`; at most 18 digits (no overflow).
    @inline(__always)
    mutating func int() -> Int? {
        var p = pos
        var negative = false
        if p < end, base[p] == 0x2D { negative = true; p += 1 }
        let digitsStart = p
        var v = 0
        while p < end, base[p] &- 0x30 < 10 {
            if p - digitsStart >= 18 { return nil }
            v = v * 10 + Int(base[p] &- 0x30)
            p += 1
        }
        guard p > digitsStart else { return nil }
        pos = p
        return negative ? -v : v
    }

    /// An unsigned hex number (no prefix), at most 8 digits, for `D=`.
    mutating func hex32() -> UInt32? {
        var p = pos
        var v: UInt32 = 0
        while p < end, let d = LineScanner.hexValue(base[p]) {
            if p - pos >= 8 { return nil }
            v = v << 4 | UInt32(d)
            p += 1
        }
        guard p > pos else { return nil }
        pos = p
        return v
    }

    @inline(__always) static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case 0x30...0x39: return b - 0x30
        case 0x61...0x66: return b - 0x61 + 10
        case 0x41...0x46: return b - 0x41 + 10
        default: return nil
        }
    }

    /// A `%p` pointer: `0x` and up to 16 hex digits, or `(nil)`.
    /// Returns `.some(nil)` for `(nil)`, `nil` when there is no pointer here.
    @inline(__always)
    mutating func pointer() -> UInt64?? {
        if literal("(nil)") { return .some(nil) }
        guard literal("0x") else { return nil }
        var p = pos
        var v: UInt64 = 0
        while p < end, let d = LineScanner.hexValue(base[p]) {
            if p - pos >= 16 { return nil }
            v = v << 4 | UInt64(d)
            p += 1
        }
        // A munged address (Exim's test suite prints e.g. `0xXXXXXXXX`): no address.
        if p < end, LineScanner.isAlnum(base[p]) {
            while p < end, LineScanner.isAlnum(base[p]) { p += 1 }
            guard p < end, base[p] == 0x20 || base[p] == 0x09 else { return nil }
            pos = p
            return .some(nil)
        }
        guard p > pos else { return nil }
        pos = p
        return .some(v)
    }

    @inline(__always) static func isAlnum(_ b: UInt8) -> Bool {
        (b &- 0x30) < 10 || ((b | 0x20) &- 0x61) < 26
    }

    /// A run of non-blank bytes.
    @inline(__always)
    mutating func token() -> Range<Int>? {
        let start = pos
        while pos < end, base[pos] != 0x20, base[pos] != 0x09 { pos += 1 }
        return pos > start ? start..<pos : nil
    }

    /// Whether every byte of `r` is a decimal digit.
    func allDigits(_ r: Range<Int>) -> Bool {
        for i in r where base[i] &- 0x30 >= 10 { return false }
        return true
    }

    /// The bytes of `r` as a String (invalid UTF-8 repaired).
    func string(_ r: Range<Int>) -> String {
        let lo = max(0, min(r.lowerBound, end)), hi = max(lo, min(r.upperBound, end))
        return String(decoding: UnsafeBufferPointer(start: base + lo, count: hi - lo), as: UTF8.self)
    }

    /// The rest of the line with trailing blanks removed.
    func restTrimmed() -> String {
        var hi = end
        while hi > pos, base[hi - 1] == 0x20 || base[hi - 1] == 0x09 { hi -= 1 }
        return string(pos..<hi)
    }

    /// `func line` as Exim prints `%-14s %4d` / `%-20s %4d` (either alignment).
    /// An empty function name leaves just the number.
    mutating func callSite() -> TraceCallSite? {
        skipBlanks()
        guard let t = token() else { return nil }
        let save = pos
        skipBlanks()
        if let line = int() {
            return TraceCallSite(function: string(t), line: line)
        }
        // `%-14s` of an empty name: only the line number is there.
        if allDigits(t) {
            pos = save
            var s = LineScanner(base: base, pos: t.lowerBound, end: end)
            if let line = s.int(), s.pos == t.upperBound { return TraceCallSite(function: "", line: line) }
        }
        return nil
    }

    private init(base: UnsafePointer<UInt8>, pos: Int, end: Int) {
        self.base = base; self.pos = pos; self.end = end
    }
}
