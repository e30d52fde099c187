import Glibc
import Store

/// Reads an Exim queue: `<spool>/input/` (flat or split into 62 one-character
/// sub-directories, or a mixture), or a named queue's `<spool>/<name>/input/`.
///
/// It only reads: it never writes, locks, renames or removes anything in the spool.
///
/// **Pools.** File bytes are untrusted: each `-H` and `-J` file is copied into the tainted
/// twin of `store.currentPool` and parsed in place. The caller chooses the pool:
///
/// ```swift
/// store.currentPool = .message
/// let scan = try reader.scan(into: store)      // views valid until the message pool is reset
/// let rows = scan.summaries(now: now)          // deliberate copy-out for a snapshot
/// if reader.needsRebuild {                     // garbage from departed messages piles up
///     try store.reset(to: queueMark)           // caller's mark, taken before the first scan
///     reader.poolWasReset()                    // next scan reads every file again
/// }
/// ```
///
/// **Rescans** re-read only files whose (inode, size, mtime) changed; unchanged messages
/// keep their parsed values (and their pool bytes). Removed or rewritten messages leave
/// their old bytes in the pool as garbage (`garbageBytes`); `needsRebuild` says when a
/// reset-and-reread is worth it, keeping the pool within about twice the live size.
///
/// A message whose files vanish during the scan is skipped quietly. A `-H` that cannot be
/// read or parsed is listed in `QueueScan.unreadable` with the reason; nothing traps.
public final class QueueReader {
    /// The spool directory (the one that holds `input/`).
    public let spoolDirectory: String
    /// The named queue, or nil for the default queue.
    public let queueName: String?
    /// The directory scanned: `<spool>/input` or `<spool>/<queue>/input`.
    public let inputDirectory: String

    /// What the last scan did.
    public private(set) var lastStatistics = QueueScanStatistics()
    /// Bytes this reader copied into the pool since the last `poolWasReset()`.
    public private(set) var poolBytes = 0
    /// Of `poolBytes`, those still used by the current messages.
    public private(set) var liveBytes = 0
    /// Pool bytes held by messages that left the queue or were re-read.
    public var garbageBytes: Int { poolBytes - liveBytes }
    /// True when garbage exceeds the live bytes (and 64 KiB): time for the caller to reset
    /// the pool and call `poolWasReset()`.
    public var needsRebuild: Bool { garbageBytes > max(liveBytes, 64 << 10) }

    /// Test hook: called with the `-H` path just before it is opened for reading.
    var beforeRead: ((String) -> Void)?

    private struct Cached {
        var hKey: FileKey
        var dKey: FileKey?
        var jKey: FileKey?
        var message: QueuedMessage?
        var failure: UnreadableMessage?
        var bytes: Int
        var generation: UInt32
    }

    /// Where a message's files were seen in the listing.
    private struct Presence {
        var flags: UInt8   // 1 = -H, 2 = -D, 4 = -J
        var directory: Int // index into the scan's directory handles
    }

    private var cache: [MessageID: Cached] = [:]
    private var generation: UInt32 = 0
    private var lastMessages: [QueuedMessage] = []
    private var lastUnreadable: [UnreadableMessage] = []
    var buffer = ReadBuffer()
    private let names = SpoolName()

    /// A reader for `spoolDirectory` (the directory holding `input/`), optionally for the
    /// named queue `queueName` (`<spool>/<name>/input`). Nothing is read until `scan`.
    public init(spoolDirectory: String, queueName: String? = nil) {
        self.spoolDirectory = spoolDirectory
        self.queueName = queueName
        var base = spoolDirectory
        while base.count > 1 && base.hasSuffix("/") { base.removeLast() }
        if let q = queueName { base += "/" + q }
        inputDirectory = base + "/input"
    }

    deinit {
        buffer.release()
        names.release()
    }

    /// Forget every view into the pool: call it right after resetting the pool the reader
    /// read into. The next scan reads every file again.
    public func poolWasReset() {
        cache.removeAll(keepingCapacity: true)
        lastMessages = []
        lastUnreadable = []
        poolBytes = 0
        liveBytes = 0
    }

    /// Scans the queue, reading new and changed files into the tainted twin of
    /// `store.currentPool`. Returns the queue in `exim -bp` order.
    public func scan(into store: Store) throws(QueueScanError) -> QueueScan {
        if let q = queueName, q.isEmpty || q.contains("/") || q == "." || q == ".." {
            throw .badQueueName(q)
        }
        generation &+= 1
        var stats = QueueScanStatistics()
        var changed = false

        // 1. List input/ and its one-character sub-directories.
        let top: SpoolDirectoryHandle
        switch SpoolDirectoryHandle.open(inputDirectory) {
        case .ok(let d): top = d
        case .gone: throw .directory(path: inputDirectory, operation: "opendir", errno: ENOENT)
        case .failed(let op, let e): throw .directory(path: inputDirectory, operation: op, errno: e)
        }
        var directories: [SpoolDirectoryHandle] = [top]
        var subdirectoryChars: [UInt8?] = [nil]
        var listing: [MessageID: Presence] = [:]
        listing.reserveCapacity(cache.count + 16)
        var subdirs: [UInt8] = []
        list(top, index: 0, into: &listing, subdirs: &subdirs, collectSubdirectories: true, stats: &stats)
        for c in subdirs {
            guard case .ok(let d) = SpoolDirectoryHandle.open(c, in: top) else { continue }
            directories.append(d)
            subdirectoryChars.append(c)
            list(d, index: directories.count - 1, into: &listing, subdirs: &subdirs, collectSubdirectories: false, stats: &stats)
        }

        // 2. Stat each message's files; reuse unchanged ones, read the others.
        for (id, presence) in listing where presence.flags & 1 != 0 {
            stats.headerFilesListed += 1
            let dir = directories[presence.directory]
            stats.filesStatted += 1
            let hKey: FileKey
            switch dir.stat(names.name(id, UInt8(ascii: "H"))) {
            case .ok(let k): hKey = k
            case .gone: stats.messagesVanished += 1; continue
            case .failed(let op, let e):
                changed = record(failure: UnreadableMessage(id: id, path: path(id, presence, subdirectoryChars),
                                                           reason: .system(operation: op, errno: e)),
                                 key: FileKey(inode: 0, size: -1, mtimeSeconds: 0, mtimeNanoseconds: 0, isRegular: false),
                                 id: id) || changed
                continue
            }
            var dKey: FileKey?
            if presence.flags & 2 != 0 {
                stats.filesStatted += 1
                switch dir.stat(names.name(id, UInt8(ascii: "D"))) {
                case .ok(let k): dKey = k
                case .gone: stats.messagesVanished += 1; continue   // being removed
                case .failed: dKey = nil
                }
            }
            var jKey: FileKey?
            if presence.flags & 4 != 0 {
                stats.filesStatted += 1
                if case .ok(let k) = dir.stat(names.name(id, UInt8(ascii: "J"))) { jKey = k }
            }
            if var c = cache[id], c.hKey == hKey, c.dKey == dKey, c.jKey == jKey {
                c.generation = generation
                cache[id] = c
                stats.messagesReused += 1
                continue
            }
            changed = true
            try readMessage(id, presence, dir, subdirectoryChars[presence.directory], hKey, dKey, jKey,
                            store, &stats, subdirectoryChars)
        }

        // 3. Drop what is no longer queued.
        for (id, c) in cache where c.generation != generation {
            cache[id] = nil
            liveBytes -= c.bytes
            stats.messagesRemoved += 1
            changed = true
        }

        // 4. The result, in exim -bp order (unchanged queue: the previous arrays as they are).
        if changed {
            let ids = cache.keys.sorted()
            lastMessages = []
            lastMessages.reserveCapacity(ids.count)
            lastUnreadable = []
            for id in ids {
                let c = cache[id]!
                if let m = c.message { lastMessages.append(m) } else if let f = c.failure { lastUnreadable.append(f) }
            }
        }
        lastStatistics = stats
        return QueueScan(messages: lastMessages, unreadable: lastUnreadable, statistics: stats)
    }

    /// Lists one directory into `listing`; collects one-character sub-directory names
    /// when `collectSubdirectories` is set.
    private func list(_ d: SpoolDirectoryHandle, index: Int, into listing: inout [MessageID: Presence],
                      subdirs: inout [UInt8], collectSubdirectories: Bool, stats: inout QueueScanStatistics) {
        stats.directoriesListed += 1
        d.forEachEntry { name, maybeDirectory in
            let n = name.count
            if n == 1 {
                if collectSubdirectories, MessageID.base62Value(name[0]) != nil, maybeDirectory, d.isDirectory(name[0]) {
                    subdirs.append(name[0])
                }
                return
            }
            guard n == 18 || n == 25, name[n - 2] == UInt8(ascii: "-") else { return }
            let flag: UInt8
            switch name[n - 1] {
            case UInt8(ascii: "H"): flag = 1
            case UInt8(ascii: "D"): flag = 2
            case UInt8(ascii: "J"): flag = 4
            default: return
            }
            guard let id = MessageID(bytes: UnsafeBufferPointer(rebasing: name[0..<(n - 2)])) else { return }
            if let p = listing[id] {
                // The same id in two places (a spool whose split setting changed): keep the
                // first directory's files together.
                if p.directory == index { listing[id]!.flags |= flag }
            } else {
                listing[id] = Presence(flags: flag, directory: index)
            }
        }
    }

    private func path(_ id: MessageID, _ p: Presence, _ chars: [UInt8?]) -> String {
        var s = inputDirectory + "/"
        if let c = chars[p.directory] { s += String(UnicodeScalar(c)) + "/" }
        return s + id.description + "-H"
    }

    /// Records an unreadable message in the cache. Returns true (the queue changed).
    private func record(failure: UnreadableMessage, key: FileKey, id: MessageID, dKey: FileKey? = nil,
                        jKey: FileKey? = nil) -> Bool {
        if let old = cache[id] { liveBytes -= old.bytes }
        cache[id] = Cached(hKey: key, dKey: dKey, jKey: jKey, message: nil, failure: failure, bytes: 0,
                           generation: generation)
        return true
    }

    /// Reads and parses one message's `-H` (and `-J`) into the pool and caches the result.
    private func readMessage(_ id: MessageID, _ presence: Presence, _ dir: SpoolDirectoryHandle, _ sub: UInt8?,
                             _ hKey: FileKey, _ dKey: FileKey?, _ jKey: FileKey?, _ store: Store,
                             _ stats: inout QueueScanStatistics, _ chars: [UInt8?]) throws(QueueScanError) {
        let hPath = path(id, presence, chars)
        func fail(_ reason: UnreadableReason) {
            _ = record(failure: UnreadableMessage(id: id, path: hPath, reason: reason), key: hKey, id: id,
                       dKey: dKey, jKey: jKey)
        }
        guard hKey.isRegular else { return fail(.notARegularFile) }
        let poolBefore = poolBytes
        guard hKey.size <= HeaderParser.maximumFileSize else {
            return fail(.format(SpoolFormatError(.envelope, .fileTooLarge, at: 0)))
        }
        beforeRead?(hPath)
        let file: TaintedBytes
        switch try readIntoPool(dir, names.name(id, UInt8(ascii: "H")), size: hKey.size, store, &stats) {
        case .ok(let f): file = f
        case .gone:
            stats.messagesVanished += 1
            if let old = cache.removeValue(forKey: id) { liveBytes -= old.bytes }
            return
        case .failed(let op, let e): return fail(.system(operation: op, errno: e))
        }
        guard file.count <= HeaderParser.maximumFileSize else {
            return fail(.format(SpoolFormatError(.envelope, .fileTooLarge, at: 0)))
        }
        let header: SpoolHeader
        switch SpoolHeader.parse(file, expecting: id) {
        case .success(let h): header = h
        case .failure(let e):
            fail(.format(e))
            return
        }

        // The journal: one delivered address per line.
        var journal: [TaintedBytes] = []
        if let jKey, jKey.isRegular, jKey.size <= HeaderParser.maximumFileSize,
           case .ok(let j) = try readIntoPool(dir, names.name(id, UInt8(ascii: "J")), size: jKey.size, store, &stats) {
            journal = JournalLines.split(j)
        }
        let bytes = poolBytes - poolBefore
        if let old = cache[id] { liveBytes -= old.bytes }
        liveBytes += bytes
        let message = QueuedMessage(header: header, subdirectory: sub, dataFileSize: dKey?.size, journal: journal)
        cache[id] = Cached(hKey: hKey, dKey: dKey, jKey: jKey, message: message, failure: nil, bytes: bytes,
                           generation: generation)
    }
}

extension QueueReader {
    /// Reads a whole file into the tainted twin of `store.currentPool`: straight into pool
    /// room of the size `stat` gave plus one byte; if the file has grown since, through the
    /// reader's buffer and then a copy. Counts the bytes in `poolBytes` and `stats`.
    func readIntoPool(_ dir: SpoolDirectoryHandle, _ name: UnsafePointer<CChar>, size: Int, _ store: Store,
                      _ stats: inout QueueScanStatistics) throws(QueueScanError) -> FileOutcome<TaintedBytes> {
        stats.filesRead += 1
        let room: TaintedBuffer
        do { room = try store.getTaintedBuffer(size + 1) } catch { throw .store(error) }
        poolBytes += size + 1
        let outcome = room.withUnsafeMutableBytes { dir.read(name, into: $0) }
        guard case .ok(let got) = outcome else {
            if case .failed(let op, let e) = outcome { return .failed(operation: op, errno: e) }
            return .gone
        }
        stats.bytesRead += got
        if got <= size { return .ok(room.prefix(got)) }
        // Grew between stat and read: read it all (up to the limit) and copy it in.
        switch dir.read(name, into: &buffer, expected: size, limit: HeaderParser.maximumFileSize) {
        case .ok(let n):
            stats.bytesRead += n
            let m = min(n, HeaderParser.maximumFileSize + 1)
            do {
                let t = try store.copyTainted(buffer.bytes(m))
                poolBytes += m
                return .ok(t)
            } catch { throw .store(error) }
        case .gone: return .gone
        case .failed(let op, let e): return .failed(operation: op, errno: e)
        }
    }
}

/// Splits a `-J` file into its lines (a last line without newline is an address being
/// written: Exim fsyncs whole lines, so it is left out).
public enum JournalLines {
    /// The complete lines of a `-J` file (without newlines; empty lines skipped).
    public static func split(_ j: TaintedBytes) -> [TaintedBytes] {
        var out: [TaintedBytes] = []
        var start = 0
        while start < j.count {
            var i = start
            while i < j.count && j[i] != 0x0A { i += 1 }
            guard i < j.count else { break }
            if i > start { out.append(j[start..<i]) }
            start = i + 1
        }
        return out
    }
}
