import Store

/// A message on the queue: its parsed `-H`, the size of its `-D`, and its `-J` journal.
///
/// Views (`TaintedBytes`) point into the tainted pool the reader read into and are valid
/// until that pool is reset. `summary(now:)` copies what a display needs into plain values.
public struct QueuedMessage {
    /// The parsed `-H` file.
    public let header: SpoolHeader
    /// The split-spool sub-directory character (the id's 6th character), nil for a flat spool.
    public let subdirectory: UInt8?
    /// Size of the `-D` file in bytes, nil when there is none.
    public let dataFileSize: Int?
    /// Lines of the `-J` journal (addresses delivered in an unfinished attempt), if any.
    public let journal: [TaintedBytes]
    /// For each recipient (same index as `header.recipients`): delivered or not.
    public let deliveredFlags: [Bool]

    /// Builds a message from a parsed `-H`, the `-D` file's size (nil: none) and the `-J`
    /// journal's lines; works out which recipients are delivered.
    public init(header: SpoolHeader, subdirectory: UInt8? = nil, dataFileSize: Int?, journal: [TaintedBytes] = []) {
        self.header = header
        self.subdirectory = subdirectory
        self.dataFileSize = dataFileSize
        self.journal = journal
        deliveredFlags = DeliveredSet.flags(header: header, journal: journal)
    }

    /// The message id.
    public var id: MessageID { header.id }
    /// True when the message is frozen.
    public var isFrozen: Bool { header.isFrozen }

    /// The size `exim -bp` shows: live header bytes + `-D` size − the `-D` first line + 1
    /// (eximon.md 1.5). nil when there is no `-D` file (exim -bp then shows blanks).
    public var size: Int? {
        guard let d = dataFileSize else { return nil }
        return SpoolFileName.queueListSize(liveHeaderBytes: header.liveHeaderBytes, dataFileSize: d, idLength: id.count)
    }

    /// The size as `exim -bp` prints it, 5 characters (`  466`, ` 1.7K`, ` 147K`).
    public var sizeText: String { EximSize.columns(size ?? 0) }

    /// Seconds on the queue at `now` (seconds since the epoch), from the received time.
    public func age(now: Int) -> Int { now - header.receivedTime }

    /// The recipients not yet delivered (not in the non-recipients tree nor in `-J`).
    public var undeliveredRecipients: [TaintedBytes] {
        (0..<header.recipientCount).filter { !deliveredFlags[$0] }.map { header.recipient($0).address }
    }

    /// The recipients already delivered (in the non-recipients tree or in `-J`).
    public var deliveredRecipients: [TaintedBytes] {
        (0..<header.recipientCount).filter { deliveredFlags[$0] }.map { header.recipient($0).address }
    }

    /// A deliberate copy of what a display or snapshot needs, as plain values that outlive
    /// any pool reset. `now` is seconds since the epoch (for the age).
    public func summary(now: Int) -> QueuedMessageSummary {
        var undelivered: [TaintedString] = []
        var delivered: [TaintedString] = []
        for i in 0..<header.recipientCount {
            let a = header.recipient(i).address.copiedOut()
            if deliveredFlags[i] { delivered.append(a) } else { undelivered.append(a) }
        }
        return QueuedMessageSummary(
            id: id, receivedTime: header.receivedTime, receivedMicroseconds: header.receivedMicroseconds,
            ageSeconds: age(now: now), size: size, sizeText: sizeText,
            sender: header.sender.copiedOut(), login: header.login.copiedOut(),
            senderSetUntrusted: header.senderSetUntrusted,
            recipients: undelivered, delivered: delivered, isFrozen: isFrozen, frozenSince: header.frozenSince,
            warningCount: header.warningCount, headerCount: header.headerCount)
    }
}

/// A queued message copied out of the pools: plain values, safe to keep in snapshots.
/// Text from the spool stays `TaintedString`.
public struct QueuedMessageSummary: Sendable, Equatable {
    /// The message id.
    public var id: MessageID
    /// When reception started (seconds since the epoch).
    public var receivedTime: Int
    /// Microseconds part of the received time.
    public var receivedMicroseconds: Int
    /// Seconds on the queue at the `now` given to `summary(now:)`.
    public var ageSeconds: Int
    /// The `exim -bp` size, nil without a `-D` file.
    public var size: Int?
    /// The size as `exim -bp` prints it (5 characters).
    public var sizeText: String
    /// Envelope sender without `<>`; empty for bounces.
    public var sender: TaintedString
    /// Originator login (shown by `exim -bp` after the sender when `senderSetUntrusted`).
    public var login: TaintedString
    /// An untrusted user set the sender.
    public var senderSetUntrusted: Bool
    /// Undelivered recipients, in file order.
    public var recipients: [TaintedString]
    /// Delivered recipients (non-recipients tree or `-J`), in file order.
    public var delivered: [TaintedString]
    /// Frozen.
    public var isFrozen: Bool
    /// When it was frozen, if it is.
    public var frozenSince: Int?
    /// Delay warnings sent so far.
    public var warningCount: Int
    /// Number of headers (deleted ones included).
    public var headerCount: Int

    /// The age as `exim -bp` prints it (`%2dm`, `%2dh`, `%2dd`).
    public var ageText: String { EximAge.columns(seconds: ageSeconds) }
}
