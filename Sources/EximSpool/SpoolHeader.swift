import Store

/// A parsed `-H` file (envelope and headers), as views into the tainted pool memory that
/// holds the file's bytes.
///
/// Every `TaintedBytes` it hands out is valid until the pool it was read into is reset past
/// it (see `QueueReader`). Numbers (`uid`, times, counts) are plain values. To keep anything
/// longer, copy it out deliberately: `TaintedBytes.copiedOut()` or `QueuedMessage.summary(now:)`.
public struct SpoolHeader {
    /// The whole file, in a tainted pool.
    public let file: TaintedBytes
    let layout: HeaderLayout

    init(file: TaintedBytes, layout: HeaderLayout) {
        self.file = file
        self.layout = layout
    }

    /// Parses `file` (the bytes of a `-H` file, already in a tainted pool). `expected` is the
    /// id from the file's name: the name line must match it (nil: accept any valid id).
    /// Never traps: bad input gives a `SpoolFormatError`.
    public static func parse(_ file: TaintedBytes, expecting expected: MessageID? = nil) -> Result<SpoolHeader, SpoolFormatError> {
        file.withUnsafeBytes { raw in
            HeaderParser.parse(raw, expected: expected).map { SpoolHeader(file: file, layout: $0) }
        }
    }

    @inline(__always) func view(_ s: ByteSpan) -> TaintedBytes { file[s.range] }

    /// The message id from the name line (equal to the file's name).
    public var id: MessageID { layout.id }
    /// Originator login (line 2).
    public var login: TaintedBytes { view(layout.login) }
    /// Originator uid (line 2).
    public var uid: Int { layout.uid }
    /// Originator gid (line 2).
    public var gid: Int { layout.gid }
    /// Envelope sender without its `<>`; empty for a bounce (`<>`).
    public var sender: TaintedBytes { view(layout.sender) }
    /// When reception started, seconds since the epoch (line 4).
    public var receivedTime: Int { layout.receivedTime }
    /// Microseconds of the received time (`-received_time_usec`), 0 when absent.
    public var receivedMicroseconds: Int { layout.receivedMicroseconds }
    /// Number of delay warnings sent so far (line 4).
    public var warningCount: Int { layout.warningCount }
    /// True when the message is frozen (`-frozen`).
    public var isFrozen: Bool { layout.frozenSince != nil }
    /// When the message was frozen (`-frozen T`), nil when it is not frozen.
    public var frozenSince: Int? { layout.frozenSince }
    /// True for a local sender (`-local`).
    public var isLocal: Bool { layout.has(.local) }
    /// True when an untrusted user set the sender (`-sender_set_untrusted`).
    public var senderSetUntrusted: Bool { layout.has(.senderSetUntrusted) }
    /// True when `option` appears in the file (flags like `-deliver_firsttime`, `-local`).
    public func has(_ option: SpoolOptionKind) -> Bool { layout.has(option) }

    /// The sending host's address as written (`[ip]:port` or `ip.port`), nil for local mail.
    public var hostAddress: TaintedBytes? { first(.hostAddress)?.value }

    /// Every option line, in file order, unknown ones included.
    public var options: [SpoolOption] { layout.options.map(option) }
    /// Number of option lines.
    public var optionCount: Int { layout.options.count }
    /// The first option of a kind, or nil.
    public func first(_ kind: SpoolOptionKind) -> SpoolOption? {
        layout.options.first { $0.kind == kind }.map(option)
    }
    /// The ACL variables (`-aclc`, `-aclm`, `-acl`), in file order.
    public var aclVariables: [SpoolOption] {
        layout.options.filter { $0.kind.isACLVariable }.map(option)
    }

    func option(_ o: OptionLayout) -> SpoolOption {
        SpoolOption(kind: o.kind, name: view(o.name), value: o.value.map(view), lookup: o.lookup.map(view),
                    aclName: o.aclName.map(view), isTainted: o.isTainted)
    }

    /// Addresses in the non-recipients tree (delivered or not to be delivered), pre-order.
    public var nonRecipients: [TaintedBytes] { layout.nonRecipients.map(view) }
    /// Number of entries in the non-recipients tree.
    public var nonRecipientCount: Int { layout.nonRecipients.count }

    /// Every original recipient, delivered or not, in file order.
    public var recipients: [SpoolRecipient] { (0..<layout.recipients.count).map(recipient) }
    /// Number of recipients.
    public var recipientCount: Int { layout.recipients.count }
    /// The recipient at `index` (0 ..< recipientCount).
    public func recipient(_ index: Int) -> SpoolRecipient {
        let r = layout.recipients[index]
        return SpoolRecipient(address: view(r.address), errorsTo: r.errorsTo.map(view), orcpt: r.orcpt.map(view),
                              parentNumber: Int(r.parentNumber), dsnFlags: Int(r.dsnFlags))
    }

    /// The headers, in file order, deleted ones (`*`) included.
    public var headers: [SpoolHeaderLine] {
        layout.headers.map { SpoolHeaderLine(flag: $0.flag, text: view($0.text)) }
    }
    /// Number of headers (in the file, also when `envelopeOnly()` dropped their bytes).
    public var headerCount: Int { layout.headerTotal }
    /// Bytes of the file up to the header section (the envelope: name line to the blank line).
    public var envelopeLength: Int { min(layout.headersStart, file.count) }
    /// Whether the header lines and options are held (false after `envelopeOnly()`).
    public var isWhole: Bool { layout.headers.count == layout.headerTotal && file.count >= layout.headersStart }

    /// The same header reduced to what a queue listing needs, so that a reader holding a
    /// big queue keeps little per message: `file` cut at `envelopeLength` (the reader gives
    /// the header section back to its pool), `headers`, `options` and `aclVariables` empty
    /// (`first(_:)` and `hostAddress` nil); the id, login, sender, times, recipients,
    /// non-recipients, `has(_:)`, `isFrozen`, counts and `liveHeaderBytes` unchanged.
    /// The whole file is read again when a message is opened (`MessageView`).
    public func envelopeOnly() -> SpoolHeader {
        var l = layout
        l.headers = []
        l.options = []
        return SpoolHeader(file: file[0..<envelopeLength], layout: l)
    }

    /// `envelopeOnly()`, packed: the bytes it still views (login, sender, non-recipients,
    /// recipients with their errors-to and ORCPT) are moved to the start of `file`, in
    /// place, and the result views them there; `length` is how many bytes it keeps.
    /// Only for bytes the caller owns and may write (`QueueReader`'s own pool room, which
    /// it then shortens to `length` with `releaseAbove`).
    func packedInPlace() -> (header: SpoolHeader, length: Int) {
        var l = layout
        l.headers = []
        l.options = []
        var packed: [UInt8] = []
        file.withUnsafeBytes { raw in
            func keep(_ s: ByteSpan) -> ByteSpan {
                let start = packed.count
                let r = s.range.clamped(to: 0..<raw.count)
                packed.append(contentsOf: raw[r])
                return ByteSpan(start, packed.count)
            }
            l.login = keep(l.login)
            l.sender = keep(l.sender)
            l.nonRecipients = l.nonRecipients.map(keep)
            for i in l.recipients.indices {
                l.recipients[i].address = keep(l.recipients[i].address)
                l.recipients[i].errorsTo = l.recipients[i].errorsTo.map(keep)
                l.recipients[i].orcpt = l.recipients[i].orcpt.map(keep)
            }
            guard let base = raw.baseAddress, packed.count <= raw.count else { return }
            packed.withUnsafeBytes { UnsafeMutableRawPointer(mutating: base).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        }
        guard packed.count <= file.count else { return (envelopeOnly(), envelopeLength) }
        return (SpoolHeader(file: file[0..<packed.count], layout: l), packed.count)
    }
    /// Sum of the lengths of the live headers (flag not `*`): Exim's `message_size` after
    /// reading `-H`.
    public var liveHeaderBytes: Int { layout.liveHeaderBytes }
}

/// One dash option of a `-H` file.
public struct SpoolOption {
    /// Which option, or `.unknown` (then `name` says which).
    public var kind: SpoolOptionKind
    /// The option's name as written, without the dashes and `(lookup)`.
    public var name: TaintedBytes
    /// The text after the first space; for ACL variables, the variable's value (the bytes
    /// on the following line(s)). nil for a flag with no value.
    public var value: TaintedBytes?
    /// The lookup quoter name in `--(lookup)name`, without parentheses.
    public var lookup: TaintedBytes?
    /// For ACL variables, the name part: `_helo_seen` for `acl_c_helo_seen`, `0` for `acl_m0`.
    public var aclName: TaintedBytes?
    /// True when written with two dashes: the value came from outside (tainted in Exim).
    public var isTainted: Bool
}

/// One recipient line of a `-H` file.
public struct SpoolRecipient {
    /// The address.
    public var address: TaintedBytes
    /// The errors_to address (extended form, bit 1), nil when absent or empty.
    public var errorsTo: TaintedBytes?
    /// The DSN ORCPT (extended form, bit 2), nil when absent or empty.
    public var orcpt: TaintedBytes?
    /// The parent's index for `one_time` addresses, -1 when none.
    public var parentNumber: Int
    /// DSN flags: 0x01 last hop, 0x02 NEVER, 0x04 SUCCESS, 0x08 FAILURE, 0x10 DELAY.
    public var dsnFlags: Int
}

/// One header of a `-H` file.
public struct SpoolHeaderLine {
    /// Exim's flag letter: space ordinary, `B` Bcc, `C` Cc, `F` From, `I` Message-ID,
    /// `P` Received, `R` Reply-To, `S` Sender, `T` To, `*` deleted.
    public var flag: UInt8
    /// The header text, continuation lines and final newline included.
    public var text: TaintedBytes
    /// The header's length (as written in its prefix).
    public var length: Int { text.count }
    /// False for a deleted header (`*`), which is not sent and not counted in the size.
    public var isLive: Bool { flag != UInt8(ascii: "*") }
}
