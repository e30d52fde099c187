/// A range of bytes inside one `-H` (or `-J`) file's buffer: offset and length.
/// Kept as two 32-bit numbers (files are capped at `HeaderParser.maximumFileSize`).
struct ByteSpan: Equatable, Sendable {
    var start: UInt32
    var count: UInt32

    init(_ start: Int, _ end: Int) {
        self.start = UInt32(truncatingIfNeeded: start)
        self.count = UInt32(truncatingIfNeeded: end - start)
    }

    var range: Range<Int> { Int(start)..<(Int(start) + Int(count)) }
    var isEmpty: Bool { count == 0 }
}

/// One option line (`-name value`) as found by the parser.
struct OptionLayout: Sendable {
    var kind: SpoolOptionKind
    var name: ByteSpan
    /// Text after the first space, or, for ACL variables, the value bytes on the following line(s).
    var value: ByteSpan?
    /// `(lookup)` quoter name after the dashes, without the parentheses.
    var lookup: ByteSpan?
    /// For `-aclc`/`-aclm`/`-acl`: the variable's name part (`_helo_seen`, `0`, ...).
    var aclName: ByteSpan?
    var isTainted: Bool
}

/// One recipient line, split into its parts.
struct RecipientLayout: Sendable {
    var address: ByteSpan
    var errorsTo: ByteSpan?
    var orcpt: ByteSpan?
    var parentNumber: Int32
    var dsnFlags: Int32
}

/// One header: its flag letter and its text (length prefix excluded).
struct HeaderLineLayout: Sendable {
    var flag: UInt8
    var text: ByteSpan
}

/// Everything the parser found in a `-H` file, as spans into the file's bytes.
/// Plain numbers only: the bytes themselves stay in (tainted) pool memory.
struct HeaderLayout: Sendable {
    var id: MessageID
    var login: ByteSpan
    var uid: Int
    var gid: Int
    var sender: ByteSpan
    var receivedTime: Int
    var warningCount: Int
    var options: [OptionLayout] = []
    var nonRecipients: [ByteSpan] = []
    var recipients: [RecipientLayout] = []
    var headers: [HeaderLineLayout] = []
    /// Where the header section starts (one past the blank line after the recipients).
    var headersStart: Int = 0
    /// How many header lines the file has (kept when `headers` is dropped).
    var headerTotal: Int = 0
    /// Sum of the lengths of the headers not flagged `*`.
    var liveHeaderBytes: Int = 0
    /// Received time's microseconds (`-received_time_usec`), 0 if absent.
    var receivedMicroseconds: Int = 0
    /// `-frozen T`: when the message was frozen.
    var frozenSince: Int?
    /// Bit set of `SpoolOptionKind` flags seen (see `HeaderLayout.has`).
    var flagBits: UInt64 = 0

    init(id: MessageID) {
        self.id = id
        login = ByteSpan(0, 0)
        uid = 0
        gid = 0
        sender = ByteSpan(0, 0)
        receivedTime = 0
        warningCount = 0
    }

    func has(_ kind: SpoolOptionKind) -> Bool {
        flagBits & (1 << UInt64(kind.rawValue & 63)) != 0 && kind != .unknown
    }
}
