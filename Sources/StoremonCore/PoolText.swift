import Store

/// Internal: untainted text kept in a pool (config or perm) for the whole run, and read
/// back from there. The one place in StoremonCore that touches pool memory directly.
struct PoolText {
    /// Where the bytes live (in the pool that was current when it was made).
    let base: UnsafeMutableRawPointer
    /// Length in bytes.
    let count: Int

    /// Copies `text` into `store.currentPool` (untainted).
    /// Arguments: the store and text; result: a record of where it went;
    /// invariant: allocates `max(1, utf8 count)` bytes from the current pool only.
    init(_ text: String, in store: Store) throws(StoreError) {
        let bytes = Array(text.utf8)
        let p = try store.get(max(1, bytes.count), .untainted)
        bytes.withUnsafeBytes { src in
            if let s = src.baseAddress { p.copyMemory(from: s, byteCount: src.count) }
        }
        base = p
        count = bytes.count
    }

    /// The text, read back from the pool.
    var string: String {
        String(decoding: UnsafeRawBufferPointer(start: base, count: count), as: UTF8.self)
    }
}

/// Internal: the start-up options as they sit in the (write-protected) config pool.
struct ConfigRecord {
    var logPath: PoolText?
    var logPattern: PoolText?
    var spoolDirectory: PoolText?
    var queueName: PoolText?
    /// One byte: colour on (1) or off (0).
    var colour: UnsafeMutableRawPointer
    /// Seconds between refreshes at start, as text.
    var interval: PoolText

    /// Copies the options into `store.currentPool` (the caller makes it `.config`).
    init(_ c: MonitorConfiguration, in store: Store) throws(StoreError) {
        func text(_ s: String?) throws(StoreError) -> PoolText? {
            guard let s else { return nil }
            return try PoolText(s, in: store)
        }
        logPath = try text(c.paths.logPath)
        logPattern = try text(c.paths.logPattern)
        spoolDirectory = try text(c.paths.spoolDirectory)
        queueName = try text(c.paths.queueName)
        colour = try store.get(1, .untainted)
        colour.storeBytes(of: c.colour ? 1 : 0, as: UInt8.self)
        interval = try PoolText(String(c.interval), in: store)
    }

    /// Colour, read from the pool.
    var isColour: Bool { colour.load(as: UInt8.self) != 0 }
}
