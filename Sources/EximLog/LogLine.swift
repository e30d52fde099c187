import Store

/// One physical line of Exim's main log (or reject log), parsed.
///
/// Every piece of text is a `TaintedBytes` view into the tainted pool the line was read
/// into: valid until the caller resets its mark. Keep something longer by copying it out
/// deliberately (`line.bytes.copiedOut()`, `line.messageID?.copiedOut()`); the numbers
/// (`timestamp`, `pid`) and enums are plain values and may be kept as they are.
///
/// Making a `LogLine` classifies it (kind, flag, timestamp, pid, id): a single pass over
/// the prefix plus, for lines without a flag, a few prefix comparisons. Addresses,
/// recipients, reasons and fields come from `details()`, a second pass over the words
/// done only when asked (each convenience accessor below runs it again; call
/// `details()` once when you need several).
///
/// ```swift
/// let mark = try store.mark()
/// for line in try tailer.readNewLines(into: store) {
///     counters.count(line)
///     if line.flag == .deferred, let id = line.messageID { deferred.insert(id.copiedOut()) }
/// }
/// try store.reset(to: mark)
/// ```
public struct LogLine {
    /// The whole line without its newline (cut to the tailer's line cap if `isTruncated`).
    public let bytes: TaintedBytes
    /// The line's length in the file (without the newline); larger than `bytes.count`
    /// only when `isTruncated`.
    public let fullLength: Int
    let layout: LogLineLayout

    /// Parses one physical line (without its newline). Never fails: anything not
    /// understood is `.other`. `fullLength` is the length in the file when `bytes` was cut.
    public init(_ bytes: TaintedBytes, fullLength: Int? = nil) {
        self.bytes = bytes
        self.fullLength = max(fullLength ?? bytes.count, bytes.count)
        self.layout = bytes.withUnsafeBytes { LogLineScanner.scan($0) }
    }

    /// True when the line was longer than the tailer's cap and `bytes` holds only its start.
    public var isTruncated: Bool { fullLength > bytes.count }

    /// What the line is about.
    public var kind: LogLineKind { layout.kind }
    /// The flag (`<=`, `=>`, …) when `kind == .flagged`, else nil.
    public var flag: LogFlag? { layout.flag }
    /// The timestamp at the start of the line, nil for continuation, header and blank lines.
    public var timestamp: LogTimestamp? { layout.timestamp }
    /// The process id from the `[pid]` prefix (`log_selector = +pid`), else nil.
    public var pid: Int? { layout.pid >= 0 ? Int(layout.pid) : nil }
    /// The message id (16 or 23 characters) when the line is about a message.
    public var messageID: TaintedBytes? { view(layout.id) }
    /// The message id's format, nil when there is no id.
    public var messageIDFormat: MessageIDFormat? { layout.idFormat }
    /// The line after the timestamp, zone and `[pid]`: what eximon shows (whole line if none).
    public var text: TaintedBytes { bytes[Int(layout.textStart)..<bytes.count] }
    /// The line after the id and flag (after the prefix when there is no id).
    public var body: TaintedBytes { bytes[Int(layout.bodyStart)..<bytes.count] }
    /// For lines that count as rejections (`isRejection`), what was rejected.
    public var rejection: LogRejection? { layout.rejection }
    /// True for the lines the monitor counts as "rejected": Exim's rejection formats
    /// (kind `.rejected`), SMTP synchronization errors, and connections closed by an ACL
    /// `drop`. A line that only quotes the word "rejected" is not one.
    public var isRejection: Bool { layout.rejectionRaw != 0xFF }
    /// True for `temporarily rejected …` and `temporarily refused connection …` lines.
    public var isTemporaryRejection: Bool { layout.temporaryRejection }

    /// The second pass: addresses, recipients, reason and fields. O(line length).
    public func details() -> LogLineDetails {
        LogLineDetails(bytes: bytes, layout: bytes.withUnsafeBytes { LogLineScanner.details($0, layout) })
    }

    /// Same as `details().address` (see there).
    public var address: TaintedBytes? { details().address }
    /// Same as `details().originalAddress`.
    public var originalAddress: TaintedBytes? { details().originalAddress }
    /// Same as `details().recipients`.
    public var recipients: TaintedBytes? { details().recipients }
    /// Same as `details().reason`.
    public var reason: TaintedBytes? { details().reason }
    /// Same as `details()[key]`.
    public subscript(_ key: LogFieldKey) -> TaintedBytes? { details()[key] }

    @inline(__always)
    func view(_ s: Span32) -> TaintedBytes? {
        guard let r = s.range else { return nil }
        return bytes[r]
    }
}

/// The words of a `LogLine` beyond its classification: addresses, recipients, the
/// reason, and the `KEY=value` fields. Views into the same pool as the line.
public struct LogLineDetails {
    /// The line the details belong to.
    public let bytes: TaintedBytes
    let layout: LogLineDetailLayout

    /// On flagged lines, the first word after the flag: the sender on `<=` (`<>` for
    /// bounces), the delivered, deferred or failed address on the others (a trailing
    /// `:` before a reason is left out); `blackhole` on a whole-message discard
    /// (`isWholeMessageDiscard`).
    public var address: TaintedBytes? { view(layout.address) }
    /// On delivery lines, the `<original>` address that followed the delivered one (with its `<>`).
    public var originalAddress: TaintedBytes? { view(layout.originalAddress) }
    /// On delivery lines, the text inside `(…)` after the address: the parent address of a
    /// pipe, file or autoreply delivery, or with `log_selector = +all_parents` every
    /// intermediate parent (`a@x, b@y`).
    public var parents: TaintedBytes? { view(layout.parents) }
    /// On `<=` lines, the recipients after `for ` (space separated), if logged.
    public var recipients: TaintedBytes? { view(layout.recipients) }
    /// The reason: for `.rejected` the text after `rejected …: ` (for a refused connection,
    /// the text after `refused: ` or in its parentheses, e.g. `host_reject_connection`); for
    /// `==` the text after `defer (errno)…: ` (when the system's error text is followed by
    /// ` H=host [ip]`, the message after the host, or the system's text when none follows:
    /// `defer (110): Connection timed out H=mx [ip]: SMTP timeout after EHLO x` gives
    /// `SMTP timeout after EHLO x` and `H=`); for `**` the text after `: `; for protocol
    /// errors the explanation after the host; for synchronization errors the text in
    /// parentheses; for `.verifyFailed` / `.verifyDeferred` the text after `for <addr>: `;
    /// for `.authenticationFailed` the server's reply after the host (`535 Incorrect
    /// authentication data (set_id=…)`); for a whole-message discard the text after
    /// `blackhole` (`(DATA ACL discarded recipients)`, or local_scan's own text).
    public var reason: TaintedBytes? { view(layout.reason) }

    /// True for `=> blackhole (<ACL> discarded recipients)` (or `=> blackhole <local_scan
    /// text>`): an ACL `discard` or local_scan dropped every recipient of the message, so
    /// nothing was delivered although the flag is `=>`. The address is `blackhole` and the
    /// detail is the `reason`.
    public var isWholeMessageDiscard: Bool { layout.discarded }

    /// The value of a recorded field (its first occurrence), without surrounding quotes;
    /// backslash escapes of quoted values are left in place (see `isQuoted(_:)`).
    /// A trailing `:` before a reason is not part of the value.
    public subscript(_ key: LogFieldKey) -> TaintedBytes? { view(layout.fields[Int(key.rawValue)]) }

    /// True if the field's value was written in double quotes (`T="…"`, `C="…"`).
    public func isQuoted(_ key: LogFieldKey) -> Bool { layout.quotedFields & (1 << UInt32(key.rawValue)) != 0 }

    /// For a rejection whose reason is one of Exim's own default texts, what it means
    /// (`.relayNotPermitted`, `.senderVerify`, …); `.acl` for an ACL's own message.
    /// Nil when the line is not a rejection (see `LogLine.isRejection`).
    public var rejectionReason: LogRejectionReason? {
        guard let kind = layout.rejection else { return nil }
        return bytes.withUnsafeBytes { LogLineScanner.rejectionReason($0, kind, layout.reason) }
    }

    /// The `S=` size as a number, if present and all digits.
    public var size: Int? { self[.S]?.decimalValue() }

    @inline(__always)
    func view(_ s: Span32) -> TaintedBytes? {
        guard let r = s.range else { return nil }
        return bytes[r]
    }
}
