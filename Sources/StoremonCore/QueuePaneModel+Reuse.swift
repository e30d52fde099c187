import EximFormats
import Store

extension QueuePaneModel {
    /// The model for `queue`, reusing `previous`'s quoted rows for every message whose rows
    /// would come out the same (same id, age and size columns, sender, recipients, delivered
    /// ones and frozen state): an idle refresh of a 10,000-message queue then quotes nothing
    /// again. The result equals `QueuePaneModel(queue, recipientLimit:maxColumns:)`.
    public init(_ queue: QueueSnapshot, recipientLimit: Int?, maxColumns: Int = 1024, reusing previous: QueuePaneModel?) {
        guard let previous, previous.recipientLimit == recipientLimit, previous.maxColumns == maxColumns,
              !previous.queue.messages.isEmpty else {
            self.init(queue, recipientLimit: recipientLimit, maxColumns: maxColumns)
            return
        }
        // where each of the previous model's messages starts, by id
        var starts: [Int] = []
        starts.reserveCapacity(previous.queue.messages.count)
        for (i, row) in previous.rows.enumerated() where row.kind == .message { starts.append(i) }
        guard starts.count == previous.queue.messages.count else {
            self.init(queue, recipientLimit: recipientLimit, maxColumns: maxColumns)
            return
        }
        var byID: [String: Int] = [:]
        byID.reserveCapacity(starts.count)
        for (i, m) in previous.queue.messages.enumerated() { byID[m.id] = i }
        var rows: [Row] = []
        rows.reserveCapacity(previous.rows.count)
        for m in queue.messages {
            if let i = byID[m.id], QueuePaneModel.sameRows(previous.queue.messages[i], m) {
                let end = i + 1 < starts.count ? starts[i + 1] : previous.rows.count
                rows.append(contentsOf: previous.rows[starts[i]..<end])
            } else {
                let one = QueueSnapshot(spoolPath: queue.spoolPath, queueName: queue.queueName, messages: [m])
                rows.append(contentsOf: QueuePaneModel(one, recipientLimit: recipientLimit, maxColumns: maxColumns).rows)
            }
        }
        self.init(queue: queue, rows: rows, recipientLimit: recipientLimit, maxColumns: maxColumns)
    }

    /// Whether two entries of the same message list the same rows.
    static func sameRows(_ a: QueueEntry, _ b: QueueEntry) -> Bool {
        a.id == b.id && a.frozen == b.frozen && a.sizeText == b.sizeText && a.ageText == b.ageText
            && a.sender == b.sender && a.recipients == b.recipients && a.delivered == b.delivered
    }
}
