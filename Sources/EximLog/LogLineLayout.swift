/// A range of byte offsets inside one line (`lo..<hi`); `lo < 0` means "absent".
/// Internal: the public API hands out `TaintedBytes` views made from these.
struct Span32: Sendable, Equatable {
    var lo: Int32
    var hi: Int32
    static let none = Span32(lo: -1, hi: -1)
    @inline(__always) init(lo: Int32, hi: Int32) { self.lo = lo; self.hi = hi }
    @inline(__always) init(_ lo: Int, _ hi: Int) { self.lo = Int32(truncatingIfNeeded: lo); self.hi = Int32(truncatingIfNeeded: hi) }
    @inline(__always) var isPresent: Bool { lo >= 0 }
    @inline(__always) var range: Range<Int>? { lo >= 0 ? Int(lo)..<Int(hi) : nil }
}

/// What the scanner found in one line: plain numbers and offsets, no pointers, so it can
/// be computed from raw bytes and later paired with the `TaintedBytes` of the line.
struct LogLineLayout: Sendable {
    var kind: LogLineKind = .other
    var flag: LogFlag? = nil
    var timestamp: LogTimestamp? = nil
    var pid: Int = -1
    var id = Span32.none
    var idFormat: MessageIDFormat? = nil
    /// Where the text after the timestamp and `[pid]` starts (eximon shows the line from here).
    var textStart: Int32 = 0
    /// Where the text after the id and flag starts.
    var bodyStart: Int32 = 0
    /// The first word after a flag: the sender on `<=`, the address on delivery lines.
    var address = Span32.none
    /// `<original>` after a delivery address.
    var originalAddress = Span32.none
    /// The text after `for ` on `<=` lines (the `received_recipients` selector).
    var recipients = Span32.none
    /// Reason text: after `rejected …: `, a defer/failure reason, an error's explanation.
    var reason = Span32.none
    var rejection: LogRejection? = nil
    var temporaryRejection = false
    /// Offsets of the recorded fields, indexed by `LogFieldKey.rawValue`.
    var fields = InlineArray<24, Span32>(repeating: .none)
    /// Bit `k` set when field `k`'s value was written in double quotes (escapes left in place).
    var quotedFields: UInt32 = 0
}
