/// What a message's files looked like when it was last read (plain values only).
struct MessageKeys {
    var hKey: FileKey
    var dKey: FileKey?
    var jKey: FileKey?
    /// Pool bytes its files took.
    var bytes: Int
    /// The scan that last saw it.
    var generation: UInt32
}

/// A message's parsed form, or why it could not be read.
enum MessageOutcome {
    case message(QueuedMessage)
    case failure(UnreadableMessage)
}

/// The reader's cache: message id -> slot, with the keys (plain values, cheap to check on
/// every rescan) kept apart from the parsed messages (touched only when something changed).
struct MessageTable {
    private var slotOf: [MessageID: Int] = [:]
    private var ids: [MessageID] = []
    private var keys: [MessageKeys] = []
    private var outcomes: [MessageOutcome?] = []
    private var free: [Int] = []
    /// Ids set or removed since the last `takeChanges()` (repeats possible).
    private var changes: [MessageID] = []

    /// Number of messages held.
    var count: Int { slotOf.count }

    /// The slot of `id`, or nil.
    func slot(_ id: MessageID) -> Int? { slotOf[id] }

    /// The keys in slot `s`.
    func keys(at s: Int) -> MessageKeys { keys[s] }

    /// Marks slot `s` as seen in scan `generation`.
    mutating func touch(_ s: Int, generation: UInt32) { keys[s].generation = generation }

    /// Room for `n` messages.
    mutating func reserve(_ n: Int) {
        slotOf.reserveCapacity(n)
        ids.reserveCapacity(n)
        keys.reserveCapacity(n)
        outcomes.reserveCapacity(n)
    }

    /// Inserts or replaces `id`; returns the keys it replaced.
    @discardableResult
    mutating func set(_ id: MessageID, keys k: MessageKeys, outcome: MessageOutcome) -> MessageKeys? {
        changes.append(id)
        if let s = slotOf[id] {
            let old = keys[s]
            keys[s] = k
            outcomes[s] = outcome
            return old
        }
        if let s = free.popLast() {
            ids[s] = id
            keys[s] = k
            outcomes[s] = outcome
            slotOf[id] = s
        } else {
            slotOf[id] = ids.count
            ids.append(id)
            keys.append(k)
            outcomes.append(outcome)
        }
        return nil
    }

    /// Removes `id`; returns its keys.
    @discardableResult
    mutating func remove(_ id: MessageID) -> MessageKeys? {
        guard let s = slotOf.removeValue(forKey: id) else { return nil }
        changes.append(id)
        outcomes[s] = nil
        free.append(s)
        return keys[s]
    }

    /// Removes every message not seen in scan `generation`; returns how many and their bytes.
    mutating func sweep(keeping generation: UInt32) -> (count: Int, bytes: Int) {
        var n = 0
        var bytes = 0
        for s in 0..<ids.count where outcomes[s] != nil && keys[s].generation != generation {
            slotOf[ids[s]] = nil
            changes.append(ids[s])
            outcomes[s] = nil
            free.append(s)
            n += 1
            bytes += keys[s].bytes
        }
        return (n, bytes)
    }

    /// Forgets everything.
    mutating func removeAll() {
        slotOf.removeAll(keepingCapacity: true)
        ids.removeAll(keepingCapacity: true)
        keys.removeAll(keepingCapacity: true)
        outcomes.removeAll(keepingCapacity: true)
        free.removeAll(keepingCapacity: true)
        changes.removeAll(keepingCapacity: true)
    }

    /// The ids set or removed since the last call (each once, in no order); starts afresh.
    mutating func takeChanges() -> Set<MessageID> {
        defer { changes.removeAll(keepingCapacity: true) }
        return Set(changes)
    }

    /// What `id` holds now, or nil.
    func outcome(_ id: MessageID) -> MessageOutcome? { slotOf[id].flatMap { outcomes[$0] } }

    /// The messages and failures, in `exim -bp` order.
    func sorted() -> (messages: [QueuedMessage], unreadable: [UnreadableMessage]) {
        var slots = slotOf.values.map { $0 }
        slots.sort { ids[$0] < ids[$1] }
        var messages: [QueuedMessage] = []
        messages.reserveCapacity(slots.count)
        var unreadable: [UnreadableMessage] = []
        for s in slots {
            switch outcomes[s] {
            case .message(let m)?: messages.append(m)
            case .failure(let f)?: unreadable.append(f)
            case nil: break
            }
        }
        return (messages, unreadable)
    }
}
