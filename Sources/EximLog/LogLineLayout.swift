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

/// What the scanner finds in every line, eagerly: small plain values and offsets (no
/// pointers), so it can be computed from raw bytes and paired with the line's
/// `TaintedBytes`. Kept compact because one is made per line on the hot path.
struct LogLineLayout: Sendable {
    var kind: LogLineKind = .other
    /// `LogFlag.rawValue`, or 0xFF for none.
    var flagRaw: UInt8 = 0xFF
    /// 0 none, 1 legacy, 2 extended.
    var idFormatRaw: UInt8 = 0
    /// `LogRejection.rawValue`, or 0xFF for none.
    var rejectionRaw: UInt8 = 0xFF
    var temporaryRejection = false
    /// Zone offset in minutes, or `Int16.min` for none.
    var zone: Int16 = .min
    /// Packed timestamp (see `packTime`); bit 63 set when present.
    var time: UInt64 = 0
    var pid: Int32 = -1
    /// Start of the message id (its length follows from the format), or -1.
    var idStart: Int32 = -1
    /// Where the text after the timestamp and `[pid]` starts (eximon shows the line from here).
    var textStart: Int32 = 0
    /// Where the text after the id and flag starts.
    var bodyStart: Int32 = 0

    @inline(__always) var flag: LogFlag? { flagRaw == 0xFF ? nil : LogFlag(rawValue: flagRaw) }
    @inline(__always) var idFormat: MessageIDFormat? {
        idFormatRaw == 0 ? nil : (idFormatRaw == 1 ? .legacy : .extended)
    }
    @inline(__always) var id: Span32 {
        idStart < 0 ? .none : Span32(lo: idStart, hi: idStart + (idFormatRaw == 1 ? 16 : 23))
    }
    @inline(__always) var rejection: LogRejection? { rejectionRaw == 0xFF ? nil : LogRejection(rawValue: rejectionRaw) }

    /// Packs a timestamp: year 14 bits, month 4, day 5, hour 5, minute 6, second 6,
    /// milliseconds 10, has-ms 1, present (bit 63).
    @inline(__always)
    static func packTime(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, ms: Int?) -> UInt64 {
        var v = UInt64(year) | UInt64(month) << 14 | UInt64(day) << 18 | UInt64(hour) << 23
        v |= UInt64(minute) << 28 | UInt64(second) << 34 | 1 << 63
        if let ms { v |= UInt64(ms) << 40 | 1 << 50 }
        return v
    }

    /// The timestamp, rebuilt from the packed bits.
    var timestamp: LogTimestamp? {
        guard time & (1 << 63) != 0 else { return nil }
        let t = time
        return LogTimestamp(year: Int(t & 0x3FFF), month: Int(t >> 14 & 0xF), day: Int(t >> 18 & 0x1F),
                            hour: Int(t >> 23 & 0x1F), minute: Int(t >> 28 & 0x3F), second: Int(t >> 34 & 0x3F),
                            millisecond: t & (1 << 50) != 0 ? Int(t >> 40 & 0x3FF) : nil,
                            zoneOffsetMinutes: zone == .min ? nil : Int(zone))
    }
}

/// What the scanner finds when asked for the details of a line (fields, addresses,
/// recipients, reason): a second, fuller pass over the words, done only on demand.
struct LogLineDetailLayout: Sendable {
    /// The first word after a flag: the sender on `<=`, the address on delivery lines.
    var address = Span32.none
    /// `<original>` after a delivery address.
    var originalAddress = Span32.none
    /// The text inside `(parent, …)` after a delivery address (`all_parents`, pipe/file parents).
    var parents = Span32.none
    /// The text after `for ` on `<=` lines (the `received_recipients` selector).
    var recipients = Span32.none
    /// Reason text: after `rejected …: `, a defer/failure reason, an error's explanation.
    var reason = Span32.none
    /// Offsets of the recorded fields, indexed by `LogFieldKey.rawValue`.
    var fields = InlineArray<25, Span32>(repeating: .none)
    /// The line's `LogRejection` when it counts as a rejection (copied from the eager layout).
    var rejection: LogRejection? = nil
    /// Bit `k` set when field `k`'s value was written in double quotes (escapes left in place).
    var quotedFields: UInt32 = 0
    /// A `=> blackhole …` line: the whole message was discarded, nothing delivered.
    var discarded = false
}
