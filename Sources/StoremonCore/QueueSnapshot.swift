import EximFormats
import Store

/// One queued message, as `exim -bp` shows it.
public struct QueueEntry: Sendable, Equatable {
    /// The message id (checked to be an Exim id: base-62 characters and dashes).
    public var id: String
    /// Seconds since the message was received, when the entry was made (see
    /// `QueueSnapshot.ageDelta`; `QueueSnapshot.age(of:)` gives the age at the snapshot).
    public var ageSeconds: Int
    /// Size in bytes, as `exim -bp` computes it.
    public var size: Int
    /// The size as `exim -bp` prints it (`  466`, ` 1.7K`, ` 147K`, ` 3.4M`), 5 columns.
    public var sizeText: String
    /// The envelope sender without angle brackets; empty for the null sender `<>`.
    public var sender: TaintedString
    /// The login of the user who set the sender without being trusted to (Exim's
    /// `-sender_set_untrusted`), which `exim -bp` prints after the sender as `(login)`;
    /// nil for every other message.
    public var untrustedSenderLogin: TaintedString?
    /// Recipients not yet delivered.
    public var recipients: [TaintedString]
    /// Recipients already delivered (`D` in `exim -bp`).
    public var delivered: [TaintedString]
    /// Whether the message is frozen.
    public var frozen: Bool

    /// Creates a queue entry.
    public init(id: String, ageSeconds: Int, size: Int, sizeText: String, sender: TaintedString,
                recipients: [TaintedString], delivered: [TaintedString], frozen: Bool,
                untrustedSenderLogin: TaintedString? = nil) {
        self.id = id
        self.untrustedSenderLogin = untrustedSenderLogin
        self.ageSeconds = ageSeconds
        self.size = size
        self.sizeText = sizeText
        self.sender = sender
        self.recipients = recipients
        self.delivered = delivered
        self.frozen = frozen
    }

    /// The age as `exim -bp` prints it, right-aligned in 3 columns: minutes up to 90,
    /// hours up to 72, then days (e.g. ` 0m`, `12h`, ` 4d`; `EximAge`). A snapshot's
    /// entries may be older than it: screens use `QueueSnapshot.ageText(of:)`.
    public var ageText: String { EximAge.columns(seconds: max(0, ageSeconds)) }
}

/// The queue as of a refresh.
public struct QueueSnapshot: Sendable {
    /// The spool directory scanned (the one holding `input/`), or nil when none was found.
    public var spoolPath: String?
    /// A named queue (`--queue NAME`), or nil for the default queue.
    public var queueName: String?
    /// The messages, in `exim -bp` order (by id).
    public var messages: [QueueEntry]
    /// Why the queue is not shown, or how to name the spool (nil when it is shown).
    public var note: String?
    /// Why the queue could not be read (path, cause, fix), nil when it was read: then
    /// `messages` is empty because nothing could be seen, not because the queue is empty.
    public var error: String?
    /// Seconds from when the entries' `ageSeconds` were worked out to this snapshot: an
    /// unchanged queue keeps its entries from an earlier scan (not a copy per refresh), and
    /// each age is worked out when it is shown (`age(of:)`).
    public var ageDelta = 0

    /// Creates a queue snapshot.
    public init(spoolPath: String?, queueName: String?, messages: [QueueEntry], note: String? = nil) {
        self.spoolPath = spoolPath
        self.queueName = queueName
        self.messages = messages
        self.note = note
    }

    /// How many messages are frozen.
    public var frozenCount: Int {
        messages.withUnsafeBufferPointer { b in
            var n = 0
            for i in b.indices where b[i].frozen { n += 1 }
            return n
        }
    }

    /// A message's age at this snapshot, in seconds (never negative).
    public func age(of entry: QueueEntry) -> Int { max(0, entry.ageSeconds &+ ageDelta) }

    /// A message's age as `exim -bp` prints it at this snapshot (`EximAge`).
    public func ageText(of entry: QueueEntry) -> String { EximAge.columns(seconds: age(of: entry)) }
}

/// A file that could not be read, and why.
public struct UnreadableFile: Sendable, Equatable {
    /// The file's path.
    public var path: String
    /// Why it could not be read (e.g. `Permission denied`).
    public var reason: String

    /// Creates an entry.
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
}
