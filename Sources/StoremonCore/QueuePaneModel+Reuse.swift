import Foundation
import EximFormats
import Store

extension QueuePaneModel {
    /// The model for `queue`, reusing `previous`'s quoted rows for every message whose rows
    /// would come out the same (same id, age column at the new snapshot, size column, sender,
    /// recipients, delivered ones and frozen state): an idle refresh of a big queue then quotes nothing again.
    /// Its rows equal `QueuePaneModel(queue, recipientLimit:maxColumns:)`'s.
    public init(_ queue: QueueSnapshot, recipientLimit: Int?, maxColumns: Int = 1024, reusing previous: QueuePaneModel?) {
        let cache = previous.flatMap { p in
            p.recipientLimit == recipientLimit && p.maxColumns == max(1, maxColumns) ? p.cache : nil
        }
        self.init(queue, recipientLimit: recipientLimit, maxColumns: maxColumns, cache: cache ?? QueueRowCache())
    }

    /// Whether two entries of the same message list the same rows (given the same age column).
    static func sameRows(_ a: QueueEntry, _ b: QueueEntry) -> Bool {
        a.id == b.id && a.frozen == b.frozen && a.sizeText == b.sizeText
            && a.sender == b.sender && a.recipients == b.recipients && a.delivered == b.delivered
    }
}

/// The quoted rows of the messages a screen drew, by message id, kept from one snapshot's
/// model to the next. Bounded: a screen shows a few dozen messages; when more than
/// `capacity` are held (a long scroll through the queue), the oldest half is dropped.
final class QueueRowCache: @unchecked Sendable {
    /// Most messages held.
    static let capacity = 2048

    private struct Held {
        var entry: QueueEntry
        var age: String
        var rows: [QueuePaneModel.Row]
        var used: UInt64
    }

    private let lock = NSLock()
    private var held: [String: Held] = [:]
    private var clock: UInt64 = 0

    /// The rows for `m` with age column `age`: the held ones when they are unchanged, else
    /// `make()`'s (held).
    func rows(for m: QueueEntry, age: String, make: () -> [QueuePaneModel.Row]) -> [QueuePaneModel.Row] {
        lock.lock()
        defer { lock.unlock() }
        clock &+= 1
        if var h = held[m.id], h.age == age, QueuePaneModel.sameRows(h.entry, m) {
            h.used = clock
            held[m.id] = h
            return h.rows
        }
        let rows = make()
        if held.count >= QueueRowCache.capacity {
            // keep the most recently used half
            let keep = held.sorted { $0.value.used > $1.value.used }.prefix(QueueRowCache.capacity / 2)
            held = Dictionary(uniqueKeysWithValues: keep.map { ($0.key, $0.value) })
        }
        held[m.id] = Held(entry: m, age: age, rows: rows, used: clock)
        return rows
    }

    /// Messages held (for tests).
    var count: Int {
        lock.lock()
        defer { lock.unlock() }
        return held.count
    }
}
