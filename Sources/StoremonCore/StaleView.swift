import Store

/// `--demo --poison`: what a deliberately kept stale view reads after the reset that
/// gave its memory back. Plain values; the bytes are kept tainted and reach a terminal
/// only through `TerminalQuoter`.
public struct StaleViewSnapshot: Sendable, Equatable {
    /// The log line (number since start) the view pointed at.
    public var lineNumber: Int
    /// The refresh whose reset gave the memory back.
    public var refresh: Int
    /// What the view showed before the reset (a copy made then).
    public var before: TaintedString
    /// What the same bytes read after the reset, or nil when they were not read because
    /// the memory no longer belongs to a live block (reading it could fault).
    public var after: TaintedString?
    /// How many of the bytes read hold Exim's 0xF0 poison.
    public var poisonedBytes: Int
    /// How many bytes the view covers.
    public var byteCount: Int

    /// A stale-view result.
    public init(lineNumber: Int, refresh: Int, before: TaintedString, after: TaintedString?, poisonedBytes: Int, byteCount: Int) {
        self.lineNumber = lineNumber
        self.refresh = refresh
        self.before = before
        self.after = after
        self.poisonedBytes = poisonedBytes
        self.byteCount = byteCount
    }

    /// Whether every byte read after the reset is 0xF0: the use after reset shows.
    public var readsPoison: Bool { after != nil && poisonedBytes == byteCount && byteCount > 0 }
}

/// Internal, unsafe: a view into tainted main that the demo deliberately keeps across the
/// reset that frees it (Exim's classic bug, shown on purpose), and the one place that
/// reads it afterwards. The address is kept as a number. Only a view inside the mark's
/// block is kept (the block a reset returns into is never freed: it stays mapped, and
/// the reset poisons it with 0xF0), and it is read only when `Store.owner(of:)` still
/// says both ends lie in handed-out memory of the store's reserved range.
struct StaleView {
    /// The first byte and the length of the view.
    let address: UInt
    let count: Int
    /// What it showed while valid.
    let before: TaintedString
    /// The log line it came from.
    let lineNumber: Int

    /// How many bytes of a line the demonstration keeps.
    static let maxBytes = 48

    /// Arguments: a log line's text (a view into the pool, valid now) and its number.
    /// Result: a stale-to-be view of its first `maxBytes` bytes, with a copy of them.
    init?(_ text: TaintedBytes, lineNumber: Int) {
        let n = min(text.count, StaleView.maxBytes)
        guard n > 0 else { return nil }
        let base = text.withUnsafeBytes { $0.baseAddress.map { UInt(bitPattern: $0) } }
        guard let base else { return nil }
        address = base
        count = n
        before = text[0..<n].copiedOut()
        self.lineNumber = lineNumber
    }

    /// Whether every byte of the view lies in `block` (the data range of the mark's
    /// block, which the reset keeps): only such a view is kept.
    func lies(in block: Range<UInt>?) -> Bool {
        guard let block else { return false }
        return block.contains(address) && address + UInt(count) <= block.upperBound
    }

    /// Reads the view after the reset, only when `store.owner(of:)` places both ends in
    /// handed-out memory (mapped read-write in the store's reserved range). Result: what
    /// it reads now, and how much of it is 0xF0.
    func readAfterReset(in store: Store, refresh: Int) -> StaleViewSnapshot {
        var after: TaintedString?
        var poisoned = 0
        if let p = UnsafeRawPointer(bitPattern: address),
           store.owner(of: p) != nil, store.owner(of: p + (count - 1)) != nil {
            let bytes = (0..<count).map { p.load(fromByteOffset: $0, as: UInt8.self) }
            poisoned = bytes.reduce(0) { $0 + ($1 == 0xF0 ? 1 : 0) }
            after = TaintedString(taintingBytes: bytes)
        }
        return StaleViewSnapshot(lineNumber: lineNumber, refresh: refresh, before: before, after: after,
                                 poisonedBytes: poisoned, byteCount: count)
    }
}
