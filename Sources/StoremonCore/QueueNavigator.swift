/// Moving a selection through the queue pane's rows, message by message: which rows
/// belong to which message, where the selection goes for a key, what scroll keeps it in
/// view, and the `n/N` position. Built once per snapshot from the pane's model; the
/// selection itself (a message id and its index) is screen state.
public struct QueueNavigator: Sendable {
    /// The row index of each message's own line, in queue order.
    public let messageRows: [Int]
    /// Rows in the pane's model.
    public let rowCount: Int
    /// Each message's id, in queue order.
    public let ids: [String]

    /// The navigator for a queue pane's model.
    public init(_ model: QueuePaneModel) {
        var starts: [Int] = []
        starts.reserveCapacity(model.queue.messages.count)
        for (i, row) in model.rows.enumerated() where row.kind == .message { starts.append(i) }
        messageRows = starts
        rowCount = model.rows.count
        ids = model.queue.messages.map(\.id)
    }

    /// Messages listed.
    public var count: Int { messageRows.count }

    /// The rows of message `index` (its line and its recipients).
    public func rows(ofMessage index: Int) -> Range<Int> {
        guard index >= 0, index < messageRows.count else { return 0..<0 }
        let end = index + 1 < messageRows.count ? messageRows[index + 1] : rowCount
        return messageRows[index]..<end
    }

    /// The message a row belongs to (the last message line at or above it).
    public func message(atRow row: Int) -> Int? {
        guard !messageRows.isEmpty else { return nil }
        var lo = 0, hi = messageRows.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if messageRows[mid] <= row { lo = mid + 1 } else { hi = mid }
        }
        return max(0, lo - 1)
    }

    /// Where a selection stands after a refresh: the message with id `id` when it is still
    /// queued (so the selection stays on the same message as others come and go), else the
    /// message now at `index` (clamped), or nil for an empty queue.
    public func reselect(id: String?, index: Int) -> Int? {
        guard !ids.isEmpty else { return nil }
        if let id {
            // most refreshes keep the order: look where it was first
            if index >= 0, index < ids.count, ids[index] == id { return index }
            if let found = ids.firstIndex(of: id) { return found }
        }
        return min(max(0, index), ids.count - 1)
    }

    /// The selection moved by `messages` messages (clamped to the queue).
    public func moved(_ index: Int, byMessages messages: Int) -> Int {
        guard !ids.isEmpty else { return 0 }
        let target = index.addingReportingOverflow(messages)
        if target.overflow { return messages < 0 ? 0 : ids.count - 1 }
        return min(max(0, target.partialValue), ids.count - 1)
    }

    /// The selection moved by about `rows` rows (a page): to the message holding the row
    /// that far from the selected message's line, and at least one message on.
    public func moved(_ index: Int, byRows delta: Int) -> Int {
        guard !ids.isEmpty else { return 0 }
        let from = rows(ofMessage: min(max(0, index), ids.count - 1)).lowerBound
        let targetRow = min(max(0, from + delta), max(0, rowCount - 1))
        var m = message(atRow: targetRow) ?? 0
        if delta > 0 && m <= index { m = index + 1 }
        if delta < 0 && m >= index { m = index - 1 }
        return min(max(0, m), ids.count - 1)
    }

    /// The scroll (rows down from the first) that keeps message `index` in `visible` rows,
    /// moving `scroll` as little as possible: its line always, its recipients when they fit.
    public func scroll(showing index: Int, scroll: Int, visible: Int) -> Int {
        let maxScroll = max(0, rowCount - max(0, visible))
        guard visible > 0, index >= 0, index < messageRows.count else { return min(max(0, scroll), maxScroll) }
        let r = rows(ofMessage: index)
        var s = scroll
        if r.lowerBound < s { s = r.lowerBound }
        let lastWanted = min(r.upperBound, r.lowerBound + visible)   // one past the last row to show
        if lastWanted > s + visible { s = lastWanted - visible }
        return min(max(0, s), maxScroll)
    }

    /// The position for the pane header: `12/340` (1-based), or `0/0`.
    public func position(_ index: Int?) -> String {
        guard let index, !ids.isEmpty else { return "0/\(ids.count)" }
        return "\(index + 1)/\(ids.count)"
    }
}
