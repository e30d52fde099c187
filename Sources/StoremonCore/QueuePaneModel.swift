import Store

/// What the queue pane shows: `exim -bp`'s listing (as eximon's queue window shows it),
/// one row per line: the message (age, size, id, `<sender>`, `*** frozen ***`), then its
/// undelivered recipients indented, then its delivered ones marked `D`.
///
/// Built once per snapshot, but only as row counts: a row's text is quoted when it is
/// asked for (`rows(_:)`), so a frame of a 100,000-message queue quotes the twenty or so
/// messages it shows, not the queue. Quoted rows are kept for the next snapshot's model
/// (`QueuePaneModel+Reuse`), so an idle refresh quotes nothing again.
public struct QueuePaneModel: Sendable {
    /// What a row is.
    public enum RowKind: Sendable, Equatable {
        /// The message's own line.
        case message
        /// An undelivered recipient.
        case recipient
        /// A delivered recipient (`D`).
        case delivered
        /// `... N more` when a message has more recipients than the limit.
        case more
    }

    /// One row ready to draw.
    public struct Row: Sendable {
        /// The quoted text.
        public var text: TerminalText
        /// What the row is.
        public var kind: RowKind
        /// Whether its message is frozen.
        public var frozen: Bool
    }

    /// The queue's snapshot.
    public let queue: QueueSnapshot
    /// The row index of each message's own line, in queue order.
    public let messageStarts: [Int]
    /// Rows in the whole listing.
    public let rowCount: Int
    /// Frozen messages.
    public let frozenCount: Int
    /// Recipient rows listed per message at most (nil: all).
    public let recipientLimit: Int?
    /// Columns of each text quoted.
    public let maxColumns: Int
    /// Quoted rows of the messages drawn so far (shared with the next snapshot's model).
    let cache: QueueRowCache

    /// The model for a queue: at most `recipientLimit` recipient rows per message
    /// (nil: all of them, as `exim -bp` lists them); each text quoted up to `maxColumns`.
    public init(_ queue: QueueSnapshot, recipientLimit: Int? = nil, maxColumns: Int = 1024) {
        self.init(queue, recipientLimit: recipientLimit, maxColumns: maxColumns, cache: QueueRowCache())
    }

    /// The model with a given cache of quoted rows.
    /// Counts rows per message (integers only): O(messages), nothing quoted.
    init(_ queue: QueueSnapshot, recipientLimit: Int?, maxColumns: Int, cache: QueueRowCache) {
        self.queue = queue
        self.recipientLimit = recipientLimit
        self.maxColumns = max(1, maxColumns)
        self.cache = cache
        let limit = recipientLimit ?? Int.max
        var starts: [Int] = []
        starts.reserveCapacity(queue.messages.count)
        var row = 0, frozen = 0
        // borrowed in place: no entry is copied (no retain of its strings)
        queue.messages.withUnsafeBufferPointer { b in
            for i in b.indices {
                starts.append(row)
                let addresses = b[i].recipients.count + b[i].delivered.count
                row += 1 + min(limit, addresses) + (addresses > limit ? 1 : 0)
                if b[i].frozen { frozen += 1 }
            }
        }
        messageStarts = starts
        rowCount = row
        frozenCount = frozen
    }

    /// The rows in `range` (clamped to the listing), quoted; only the messages they
    /// belong to are quoted (or taken from the cache).
    public func rows(_ range: Range<Int>) -> [Row] {
        let lo = max(0, range.lowerBound), hi = min(rowCount, range.upperBound)
        guard lo < hi else { return [] }
        var out: [Row] = []
        out.reserveCapacity(hi - lo)
        // a screenful goes through the cache; a whole listing (`--once`) is quoted as it goes
        let cached = hi - lo <= QueueRowCache.capacity / 2
        var index = message(atRow: lo)
        while index < messageStarts.count, messageStarts[index] < hi {
            let start = messageStarts[index]
            let rows = cached ? messageRows(index)
                : QueuePaneModel.quote(queue.messages[index], age: queue.ageText(of: queue.messages[index]),
                                       recipientLimit: recipientLimit, maxColumns: maxColumns)
            let from = max(lo, start) - start, to = min(hi, start + rows.count) - start
            if from < to { out.append(contentsOf: rows[from..<to]) }
            index += 1
        }
        return out
    }

    /// Every row of the listing (quotes the whole queue: for `--once` and tests; screens
    /// ask for the rows they show with `rows(_:)`).
    public var rows: [Row] { rows(0..<rowCount) }

    /// The quoted rows of message `index` (from the cache when its rows did not change).
    public func messageRows(_ index: Int) -> [Row] {
        let m = queue.messages[index], age = queue.ageText(of: m)
        return cache.rows(for: m, age: age) {
            QueuePaneModel.quote(m, age: age, recipientLimit: recipientLimit, maxColumns: maxColumns)
        }
    }

    /// The message a row belongs to (the last message line at or above it), 0 when none.
    func message(atRow row: Int) -> Int {
        var lo = 0, hi = messageStarts.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if messageStarts[mid] <= row { lo = mid + 1 } else { hi = mid }
        }
        return max(0, lo - 1)
    }

    /// One message's rows, quoted; `age` is its age column at the snapshot.
    static func quote(_ m: QueueEntry, age: String, recipientLimit: Int?, maxColumns: Int) -> [Row] {
        let quoter = TerminalQuoter(maxColumns: max(1, maxColumns))
        let indent = TerminalText(untainted: "          ")
        var rows: [Row] = []
        let sender = m.sender.byteCount == 0 ? TerminalText("<>") : "<" + quoter.quote(m.sender) + ">"
        var line = TerminalText(untainted: "\(age) \(m.sizeText) \(m.id) ") + sender
        if let login = m.untrustedSenderLogin { line = line + " (" + quoter.quote(login) + ")" }
        if m.frozen { line = line + " *** frozen ***" }
        rows.append(Row(text: line, kind: .message, frozen: m.frozen))
        let limit = recipientLimit ?? Int.max
        var listed = 0
        for r in m.recipients where listed < limit {
            rows.append(Row(text: indent + quoter.quote(r), kind: .recipient, frozen: m.frozen))
            listed += 1
        }
        for r in m.delivered where listed < limit {
            rows.append(Row(text: TerminalText(untainted: "        D ") + quoter.quote(r), kind: .delivered, frozen: m.frozen))
            listed += 1
        }
        let left = m.recipients.count + m.delivered.count - listed
        if left > 0 {
            rows.append(Row(text: indent + TerminalText(untainted: "... \(left) more"), kind: .more, frozen: m.frozen))
        }
        return rows
    }

    /// The header's summary: `12 messages, 1 frozen`.
    public var summary: String {
        queue.error != nil ? "NOT READABLE" : "\(queue.messages.count) messages, \(frozenCount) frozen"
    }

    /// The queue's name, quoted, or nil for the default queue.
    public var queueName: TerminalText? { queue.queueName.map { TerminalText(untainted: $0) } }

    /// The spool directory, quoted, or nil.
    public var spoolPath: TerminalText? { queue.spoolPath.map { TerminalText(untainted: $0) } }

    /// What to show when there are no rows: why the queue is not shown, or a placeholder.
    public var emptyText: TerminalText { TerminalText(untainted: queue.note ?? "(queue empty)") }

    /// The largest useful scroll (rows down from the first) for `rows` visible rows.
    public func maxScroll(rows visible: Int) -> Int { max(0, rowCount - max(0, visible)) }

    /// The row index of the message line `messages` messages in (for `--once`'s limit).
    public func rowCount(messages: Int) -> Int {
        messages >= 0 && messages < messageStarts.count ? messageStarts[messages] : rowCount
    }
}
