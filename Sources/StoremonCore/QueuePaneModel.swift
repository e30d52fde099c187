import Store

/// What the queue pane shows: `exim -bp`'s listing (as eximon's queue window shows it),
/// one row per line: the message (age, size, id, `<sender>`, `*** frozen ***`), then its
/// undelivered recipients indented, then its delivered ones marked `D`. Built once per
/// snapshot; the curses pane scrolls through the rows, the plain frame prints them.
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
    /// The rows, message after message.
    public let rows: [Row]
    /// Recipient rows listed per message at most (nil: all).
    public let recipientLimit: Int?
    /// Columns of each text quoted.
    public let maxColumns: Int

    /// A model from rows already made (`QueuePaneModel+Reuse`).
    init(queue: QueueSnapshot, rows: [Row], recipientLimit: Int?, maxColumns: Int) {
        self.queue = queue
        self.rows = rows
        self.recipientLimit = recipientLimit
        self.maxColumns = maxColumns
    }

    /// The model for a queue: at most `recipientLimit` recipient rows per message
    /// (nil: all of them, as `exim -bp` lists them); each text quoted up to `maxColumns`.
    public init(_ queue: QueueSnapshot, recipientLimit: Int? = nil, maxColumns: Int = 1024) {
        self.queue = queue
        self.recipientLimit = recipientLimit
        self.maxColumns = max(1, maxColumns)
        let quoter = TerminalQuoter(maxColumns: max(1, maxColumns))
        let indent = TerminalText(untainted: "          ")
        var rows: [Row] = []
        rows.reserveCapacity(queue.messages.count * 2)
        for m in queue.messages {
            let sender = m.sender.byteCount == 0 ? TerminalText("<>") : "<" + quoter.quote(m.sender) + ">"
            var line = TerminalText(untainted: "\(m.ageText) \(m.sizeText) \(m.id) ") + sender
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
        }
        self.rows = rows
    }

    /// The header's summary: `12 messages, 1 frozen`.
    public var summary: String {
        queue.error != nil ? "NOT READABLE" : "\(queue.messages.count) messages, \(queue.frozenCount) frozen"
    }

    /// The queue's name, quoted, or nil for the default queue.
    public var queueName: TerminalText? { queue.queueName.map { TerminalText(untainted: $0) } }

    /// The spool directory, quoted, or nil.
    public var spoolPath: TerminalText? { queue.spoolPath.map { TerminalText(untainted: $0) } }

    /// What to show when there are no rows: why the queue is not shown, or a placeholder.
    public var emptyText: TerminalText { TerminalText(untainted: queue.note ?? "(queue empty)") }

    /// The largest useful scroll (rows down from the first) for `rows` visible rows.
    public func maxScroll(rows visible: Int) -> Int { max(0, rows.count - max(0, visible)) }

    /// The row index of the message line `messages` messages in (for `--once`'s limit).
    public func rowCount(messages: Int) -> Int {
        var seen = 0
        for (i, r) in rows.enumerated() where r.kind == .message {
            if seen == messages { return i }
            seen += 1
        }
        return rows.count
    }
}
