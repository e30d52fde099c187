import Glibc
import Store

/// Reads an Exim queue: `<spool>/input/` (flat or split into 62 one-character
/// sub-directories, or a mixture), or a named queue's `<spool>/<name>/input/`.
///
/// It only reads: it never writes, locks, renames or removes anything in the spool.
///
/// **Pools.** File bytes are untrusted: each `-H` and `-J` file is read (one `read()`)
/// straight into room in the tainted twin of `store.currentPool` and parsed in place; the
/// messages hand out `TaintedBytes` views of it. The caller chooses the pool and owns the
/// mark; everything the reader put in the pool since that mark goes at the reset:
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
/// **Directory times.** Exim never rewrites a `-H` or `-D` file in place: it writes a
/// temporary file and renames it, and it creates and removes files, all of which change the
/// directory's own times. So, by default (`trustsDirectoryTimes`), a directory whose
/// (inode, size, mtime, ctime) is unchanged since it was listed, and whose times were
/// already more than 2 seconds old then, is not listed again and its `-H`/`-D` files are
/// not statted; only `-J` journals (appended in place) are. With a split spool only the
/// sub-directories that changed are looked at again.
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

    /// Memory caps for spool data (see `Limits`).
    public var limits = Limits()

    /// How much of the pool spool files may take. A `-H` over `perFileBytes` is not read
    /// and is listed as too large; a `-J` over it is read only up to it (the addresses
    /// after are not shown as delivered); once the reader holds `totalBytes`, further
    /// messages are listed as not read until others leave the queue.
    public struct Limits: Sendable, Equatable {
        /// Largest `-H` read (and most of a `-J` read). Exim's own `-H` files are a few KB.
        public var perFileBytes: Int
        /// Most pool bytes the reader holds for the live queue.
        public var totalBytes: Int

        /// Creates limits (defaults: 4 MiB a file, 128 MiB in all).
        public init(perFileBytes: Int = 4 << 20, totalBytes: Int = 128 << 20) {
            self.perFileBytes = max(4096, min(perFileBytes, HeaderParser.maximumFileSize))
            self.totalBytes = max(self.perFileBytes, totalBytes)
        }
    }

    /// Keep each `-H` whole (envelope, options and header lines) in the pool. By default
    /// (false) a message keeps `SpoolHeader.envelopeOnly()` after parsing, its bytes packed
    /// at the start of the file's room (login, sender, addresses), and the rest goes back to
    /// the pool at once: all a queue listing needs, a fraction of the bytes;
    /// a message opened on its own is read from its file again (`MessageView`).
    public var keepsHeaders = false

    /// Test hook: called with the `-H` path just before it is opened for reading.
    var beforeRead: ((String) -> Void)?

    /// Trust unchanged directory times (see the type's documentation). Set to false to stat
    /// every file on every scan.
    public var trustsDirectoryTimes = true
    /// How old (in seconds) a directory's times must have been when it was listed for an
    /// unchanged directory to be trusted (file-system timestamps are coarse: a change made
    /// in the same tick as the listing would not show).
    var directoryTimeMargin = 2.0

    /// Watch the queue's directories with inotify (`SpoolWatch`, Linux; ignored where it is
    /// not available): a rescan then looks only at the messages whose files the events
    /// name, instead of listing a changed directory and statting every file in it, so one
    /// message changing in a big queue costs a few system calls. Off by default (a reader
    /// used once needs no watch); a monitor refreshing the same queue turns it on.
    public var watchesDirectories = false {
        didSet { if !watchesDirectories { watch = nil } }
    }
    private var watch: SpoolWatch?

    /// One message's files seen in a directory listing: 1 = -H, 2 = -D, 4 = -J.
    private struct Listed {
        var id: MessageID
        var flags: UInt8
    }

    /// A directory as last listed.
    private struct DirectoryState {
        var key: FileKey
        var listedAt: Double
        var entries: [Listed]
        var subdirectories: [UInt8]
        /// Whether an inotify watch was in place before the listing.
        var watched = false
    }

    /// A directory being scanned now.
    private struct ScanDirectory {
        var handle: SpoolDirectoryHandle
        var character: UInt8?
        var entries: [Listed]
        var trusted: Bool
        /// Watched: the messages the events named (only they can have changed), with the
        /// flags of the files they have now; nil otherwise.
        var changed: [MessageID: UInt8]?
    }

    private var table = MessageTable()
    /// The last full scan recorded a failure that is tried again (no file keys to compare).
    private var lastScanNeedsRetry = true
    /// Directory states by sub-directory character; 0 is `input/` itself.
    private var directoryStates: [UInt8: DirectoryState] = [:]
    private var generation: UInt32 = 0
    private var lastMessages: [QueuedMessage] = []
    private var lastUnreadable: [UnreadableMessage] = []
    /// Whether `lastMessages`/`lastUnreadable` are the table's sorted contents as of the
    /// last scan (false before the first scan and after a pool reset).
    private var lastSortedKnown = false
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
        names.release()
    }

    /// Forget every view into the pool: call it right after resetting the pool the reader
    /// read into. The next scan reads every file again.
    public func poolWasReset() {
        lastScanNeedsRetry = true
        table.removeAll()
        lastMessages = []
        lastUnreadable = []
        lastSortedKnown = false
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
        if watchesDirectories && watch == nil { watch = SpoolWatch() }
        watch?.collect()

        // 1. input/ and its one-character sub-directories: listed again only if changed.
        let top: SpoolDirectoryHandle
        switch SpoolDirectoryHandle.open(inputDirectory) {
        case .ok(let d): top = d
        case .gone: throw .directory(path: inputDirectory, operation: "opendir", errno: ENOENT)
        case .failed(let op, let e): throw .directory(path: inputDirectory, operation: op, errno: e)
        }
        var dirs: [ScanDirectory] = []
        let topState = directory(top, character: nil, &stats)
        dirs.append(ScanDirectory(handle: top, character: nil, entries: topState.entries, trusted: topState.trusted,
                                  changed: topState.changed))
        var present: Set<UInt8> = [0]
        var unreadableDirectories: [UnreadableDirectory] = []
        for c in topState.subdirectories {
            let d: SpoolDirectoryHandle
            switch SpoolDirectoryHandle.open(c, in: top) {
            case .ok(let h): d = h
            case .gone: continue                      // removed since the listing
            case .failed(let op, let e):
                unreadableDirectories.append(UnreadableDirectory(
                    path: inputDirectory + "/" + String(decoding: [c], as: UTF8.self), operation: op, errno: e))
                continue
            }
            let st = directory(d, character: c, &stats)
            dirs.append(ScanDirectory(handle: d, character: c, entries: st.entries, trusted: st.trusted, changed: st.changed))
            present.insert(c)
        }
        if directoryStates.count > present.count {
            directoryStates = directoryStates.filter { present.contains($0.key) }
        }

        // 2a. Nothing can have changed: every directory is unchanged and trusted, none holds
        // a journal (the only file appended in place), the last scan kept every message and
        // left nothing to try again. The previous result stands, without a look at each
        // message (a 100,000-message queue idles at a few milliseconds a scan).
        // (A watched directory whose events name nothing is unchanged, journals included.)
        if trustsDirectoryTimes || watch != nil, !lastScanNeedsRetry, table.count > 0,
           dirs.allSatisfy({ ($0.trusted && trustsDirectoryTimes) || $0.changed?.isEmpty == true }),
           dirs.allSatisfy({ $0.changed != nil || $0.entries.allSatisfy { $0.flags & 4 == 0 } }),
           table.count == dirs.reduce(0, { $0 + $1.entries.reduce(0) { $0 + ($1.flags & 1 != 0 ? 1 : 0) } }) {
            generation &-= 1          // no message was touched: the sweep's generation stays
            stats.headerFilesListed = table.count
            stats.messagesReused = table.count
            lastStatistics = stats
            return QueueScan(messages: lastMessages, unreadable: lastUnreadable, statistics: stats,
                             unreadableDirectories: unreadableDirectories)
        }
        let retry = lastScanNeedsRetry
        lastScanNeedsRetry = false

        // 2b. Every directory watched, nothing to try again: only the messages the events
        // named can have changed, so only they are looked at (the others keep their place
        // and their generation: the next listed scan sweeps with a new one).
        if !retry, table.count > 0, dirs.allSatisfy({ $0.changed != nil }) {
            var looked = 0
            for d in dirs {
                for (id, flags) in d.changed! {
                    if flags & 1 != 0 {
                        looked += 1
                        stats.headerFilesListed += 1
                        if try checkAndRead(id, flags, d, store, &stats) { changed = true }
                    } else if table.slot(id) != nil, !dirs.contains(where: { other in
                        other.character != d.character && (other.changed?[id] ?? 0) & 1 != 0
                    }) {
                        // its -H went (and it was not filed in another directory instead:
                        // a move makes events in both, so the other's events name it)
                        if let old = table.remove(id) {
                            liveBytes -= old.bytes
                            stats.messagesRemoved += 1
                            changed = true
                        }
                    }
                }
            }
            stats.messagesReused += max(0, table.count - looked)
            stats.headerFilesListed = table.count
        } else {
            try scanEveryMessage(dirs, store, &stats, &changed)
        }

        // 4. The result, in exim -bp order (unchanged queue: the previous arrays as they are;
        // a few changes: the previous arrays patched, no sort of the whole queue).
        let changes = table.takeChanges()
        var reported: Set<MessageID>? = changes
        if changed || !changes.isEmpty {
            if lastSortedKnown, changes.count <= max(64, table.count / 16), patchResult(changes) {
                // patched in place
            } else {
                (lastMessages, lastUnreadable) = table.sorted()
                reported = nil
            }
        }
        if !lastSortedKnown { reported = nil }
        lastSortedKnown = true
        lastStatistics = stats
        var result = QueueScan(messages: lastMessages, unreadable: lastUnreadable, statistics: stats,
                               unreadableDirectories: unreadableDirectories)
        result.changes = reported
        return result
    }

    /// Steps 2 and 3 of a scan that looks at every listed message: reuse each whose files
    /// are unchanged, read the others; then drop what is no longer queued.
    private func scanEveryMessage(_ dirs: [ScanDirectory], _ store: Store, _ stats: inout QueueScanStatistics,
                                  _ changed: inout Bool) throws(QueueScanError) {
        // 2. Each message: reuse it if its files are unchanged, read it otherwise.
        if table.count == 0 { table.reserve(dirs.reduce(0) { $0 + $1.entries.count }) }
        for d in dirs {
            for e in d.entries where e.flags & 1 != 0 {
                stats.headerFilesListed += 1
                let id = e.id
                if let slot = table.slot(id) {
                    let k = table.keys(at: slot)
                    if k.generation == generation { continue }   // same id seen in another directory
                    if let named = d.changed, named[id] == nil, k.hKey != .none {
                        // watched, and no event named its files: unchanged
                        table.touch(slot, generation: generation)
                        stats.messagesReused += 1
                        continue
                    }
                    if d.trusted {
                        // -H and -D cannot have changed; a journal is appended in place.
                        var jKey: FileKey?
                        if e.flags & 4 != 0 {
                            stats.filesStatted += 1
                            if case .ok(let j) = d.handle.stat(names.name(id, UInt8(ascii: "J"))) { jKey = j }
                        }
                        if jKey == k.jKey {
                            table.touch(slot, generation: generation)
                            stats.messagesReused += 1
                            continue
                        }
                    }
                }
                if try checkAndRead(id, e.flags, d, store, &stats) { changed = true }
            }
        }

        // 3. Drop what is no longer queued.
        if table.count > stats.messagesReused {
            let (n, bytes) = table.sweep(keeping: generation)
            liveBytes -= bytes
            stats.messagesRemoved += n
            if n > 0 { changed = true }
        }

    }

    /// Most messages that came or went (an insertion or removal moves the arrays' tails)
    /// that a scan patches into the previous result; more are sorted afresh. Messages
    /// re-read where they stand cost nothing to patch, however many.
    static let structuralPatchLimit = 64

    /// Brings `lastMessages` and `lastUnreadable` up to date for the messages `ids` (each
    /// replaced where it stands, or removed where it was and put back, by binary search,
    /// where the table now has it). Result: false, with nothing changed, when more than
    /// `structuralPatchLimit` messages came or went (the caller sorts afresh).
    private func patchResult(_ ids: Set<MessageID>) -> Bool {
        var moves = 0
        for id in ids {
            let i = lowerBound(lastMessages.count) { lastMessages[$0].id < id }
            let wasMessage = i < lastMessages.count && lastMessages[i].id == id
            let isMessage = if case .message? = table.outcome(id) { true } else { false }
            if wasMessage != isMessage { moves += 1 }
        }
        guard moves <= QueueReader.structuralPatchLimit else { return false }
        for id in ids {
            let i = lowerBound(lastMessages.count) { lastMessages[$0].id < id }
            let j = lowerBound(lastUnreadable.count) { lastUnreadable[$0].id < id }
            let wasMessage = i < lastMessages.count && lastMessages[i].id == id
            let wasFailure = j < lastUnreadable.count && lastUnreadable[j].id == id
            let now = table.outcome(id)
            // the usual case, a message re-read: replaced where it stands (nothing moves)
            if wasMessage, case .message(let m)? = now { lastMessages[i] = m; continue }
            if wasFailure, case .failure(let f)? = now { lastUnreadable[j] = f; continue }
            if wasMessage { lastMessages.remove(at: i) }
            if wasFailure { lastUnreadable.remove(at: j) }
            switch now {
            case .message(let m)?: lastMessages.insert(m, at: i)
            case .failure(let f)?: lastUnreadable.insert(f, at: j)
            case nil: break
            }
        }
        return true
    }

    /// The first index in `0..<count` for which `before` is false (`before` true up to it).
    private func lowerBound(_ count: Int, _ before: (Int) -> Bool) -> Int {
        var lo = 0, hi = count
        while lo < hi {
            let mid = (lo + hi) / 2
            if before(mid) { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// The entries of one directory: the previous listing if the directory is unchanged and
    /// trusted, else a fresh listing (recorded for next time).
    private func directory(_ d: SpoolDirectoryHandle, character: UInt8?, _ stats: inout QueueScanStatistics)
        -> (entries: [Listed], subdirectories: [UInt8], trusted: Bool, changed: [MessageID: UInt8]?) {
        let slot = character ?? 0
        let listedAt = wallClock()
        let key: FileKey? = if case .ok(let k) = d.statSelf() { k } else { nil }
        // Watched since it was listed, the same directory, and the events complete: the
        // listing is patched for the messages they name (a burst naming many is listed again).
        if let watch, let key, var old = directoryStates[slot], old.watched, old.key.inode == key.inode,
           let named = watch.changes(in: slot), named.count <= max(256, old.entries.count / 16) {
            var flags: [MessageID: UInt8] = [:]
            if !named.isEmpty {
                flags = patch(&old.entries, named, d, &stats)
                directoryStates[slot] = old
            }
            stats.directoriesReused += 1
            return (old.entries, old.subdirectories, false, flags)
        }
        if trustsDirectoryTimes, let key, let old = directoryStates[slot], old.key == key,
           key.changedBefore(old.listedAt - directoryTimeMargin) {
            stats.directoriesReused += 1
            return (old.entries, old.subdirectories, true, nil)
        }
        // the watch goes in before the listing: what changes during it shows at the next scan
        let path = character.map { inputDirectory + "/" + String(UnicodeScalar($0)) } ?? inputDirectory
        let watched = watch?.watch(path, slot: slot) ?? false
        var subdirs: [UInt8] = []
        let entries = list(d, subdirs: &subdirs, collectSubdirectories: character == nil, &stats)
        if let key {
            directoryStates[slot] = DirectoryState(key: key, listedAt: listedAt, entries: entries, subdirectories: subdirs,
                                                   watched: watched)
        } else {
            directoryStates[slot] = nil
        }
        return (entries, subdirs, false, nil)
    }

    /// Brings a directory's listing up to date for the messages `ids` (from the events):
    /// which of their `-H`, `-D`, `-J` files are there now. Result: those flags by id.
    private func patch(_ entries: inout [Listed], _ ids: Set<MessageID>, _ d: SpoolDirectoryHandle,
                       _ stats: inout QueueScanStatistics) -> [MessageID: UInt8] {
        var result: [MessageID: UInt8] = [:]
        // Where each named message stands in the listing: a search each for a few, one pass
        // for many (so a burst costs O(listing + named), not O(listing × named)).
        var position: [MessageID: Int] = [:]
        if ids.count <= 8 {
            for id in ids { if let i = entries.firstIndex(where: { $0.id == id }) { position[id] = i } }
        } else {
            for (i, e) in entries.enumerated() where ids.contains(e.id) { position[e.id] = i }
        }
        var removed = false
        for id in ids {
            var flags: UInt8 = 0
            for (bit, letter) in [(UInt8(1), UInt8(ascii: "H")), (2, UInt8(ascii: "D")), (4, UInt8(ascii: "J"))] {
                stats.filesStatted += 1
                if case .gone = d.stat(names.name(id, letter)) { continue }
                flags |= bit            // there (a file it may not stat is still listed, as readdir would)
            }
            if let i = position[id] {
                entries[i].flags = flags          // 0: gone, dropped below
                removed = removed || flags == 0
            } else if flags != 0 {
                entries.append(Listed(id: id, flags: flags))
            }
            result[id] = flags
        }
        if removed { entries.removeAll { $0.flags == 0 } }
        return result
    }

    /// Stats a message's files and reads it if they differ from last time (a message not
    /// seen before is opened and `fstat`ed straight away). Returns true when the queue changed.
    private func checkAndRead(_ id: MessageID, _ flags: UInt8, _ d: ScanDirectory, _ store: Store,
                              _ stats: inout QueueScanStatistics) throws(QueueScanError) -> Bool {
        let dir = d.handle
        let knownSlot = table.slot(id)
        let known = knownSlot.map { table.keys(at: $0) }
        var hKey: FileKey?
        if known != nil {
            stats.filesStatted += 1
            switch dir.stat(names.name(id, UInt8(ascii: "H"))) {
            case .ok(let k): hKey = k
            case .gone: stats.messagesVanished += 1; return false
            case .failed(let op, let e):
                record(UnreadableMessage(id: id, path: path(id, d.character), reason: .system(operation: op, errno: e)),
                       id: id, hKey: .none, dKey: nil, jKey: nil)
                return true
            }
        }
        var dKey: FileKey?
        if flags & 2 != 0 {
            stats.filesStatted += 1
            switch dir.stat(names.name(id, UInt8(ascii: "D"))) {
            case .ok(let k): dKey = k
            case .gone: stats.messagesVanished += 1; return false   // being removed
            case .failed: dKey = nil
            }
        }
        var jKey: FileKey?
        if flags & 4 != 0 {
            stats.filesStatted += 1
            if case .ok(let k) = dir.stat(names.name(id, UInt8(ascii: "J"))) { jKey = k }
        }
        if let k = known, k.hKey == hKey, k.dKey == dKey, k.jKey == jKey {
            table.touch(knownSlot!, generation: generation)
            stats.messagesReused += 1
            return false
        }
        try readMessage(id, dir, d.character, dKey, jKey, store, &stats)
        return true
    }

    /// Lists one directory's message files; collects one-character sub-directory names
    /// when `collectSubdirectories` is set.
    private func list(_ d: SpoolDirectoryHandle, subdirs: inout [UInt8], collectSubdirectories: Bool,
                      _ stats: inout QueueScanStatistics) -> [Listed] {
        stats.directoriesListed += 1
        var index: [MessageID: Int] = [:]
        var entries: [Listed] = []
        d.forEachEntry { name, maybeDirectory in
            let n = name.count
            if n == 1 {
                if collectSubdirectories, Base62.isDigit(name[0]), maybeDirectory, d.isDirectory(name[0]) {
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
            if let i = index[id] {
                entries[i].flags |= flag
            } else {
                index[id] = entries.count
                entries.append(Listed(id: id, flags: flag))
            }
        }
        return entries
    }

    private func path(_ id: MessageID, _ character: UInt8?) -> String {
        var s = inputDirectory + "/"
        if let c = character { s += String(UnicodeScalar(c)) + "/" }
        return s + id.description + "-H"
    }

    /// Records an unreadable message.
    private func record(_ failure: UnreadableMessage, id: MessageID, hKey: FileKey, dKey: FileKey?, jKey: FileKey?) {
        if hKey == .none { lastScanNeedsRetry = true }    // tried again at the next scan
        if let old = table.set(id, keys: MessageKeys(hKey: hKey, dKey: dKey, jKey: jKey, bytes: 0, generation: generation),
                               outcome: .failure(failure)) {
            liveBytes -= old.bytes
        }
    }

    /// Reads and parses one message's `-H` (and `-J`) into the pool and caches the result.
    private func readMessage(_ id: MessageID, _ dir: SpoolDirectoryHandle, _ sub: UInt8?,
                             _ dKey: FileKey?, _ jKey: FileKey?, _ store: Store,
                             _ stats: inout QueueScanStatistics) throws(QueueScanError) {
        let hPath = path(id, sub)
        func fail(_ reason: UnreadableReason, _ hKey: FileKey) {
            record(UnreadableMessage(id: id, path: hPath, reason: reason), id: id, hKey: hKey, dKey: dKey, jKey: jKey)
        }
        let poolBefore = poolBytes
        beforeRead?(hPath)
        let file: TaintedBytes
        let hKey: FileKey
        switch try readIntoPool(dir, names.name(id, UInt8(ascii: "H")), store, &stats) {
        case .ok(let f, let k):
            file = f
            hKey = k
        case .gone:
            stats.messagesVanished += 1
            if let old = table.remove(id) { liveBytes -= old.bytes }
            return
        case .failed(let op, let e, let k):
            // remembered by (inode, size, mtime): not tried again until the file changes
            return fail(.system(operation: op, errno: e), k ?? .none)
        case .notRegular(let k): return fail(.notARegularFile, k)
        case .tooLarge(let k): return fail(.tooLarge(size: k.size, cap: limits.perFileBytes), k)
        case .overBudget:
            // not remembered: tried again at the next scan, when others may have left
            return fail(.overMemoryCap(cap: limits.totalBytes), .none)
        }
        var header: SpoolHeader
        switch SpoolHeader.parse(file, expecting: id) {
        case .success(let h): header = h
        case .failure(let e):
            // a corrupt file gives its pool room back at once (no garbage, no rebuild storm)
            // and is remembered by its keys, so it is not read again until it changes
            giveBack(file, store)
            return fail(.format(e), hKey)
        }

        // A listing needs the addresses only: they are packed at the start of the file's
        // room and the rest (options, headers: most of a -H) goes back to the pool at once
        // (it is the last thing allocated), so a queue holds its addresses, not its files.
        if !keepsHeaders {
            let (packed, cut) = header.packedInPlace()
            let released = cut < file.count && file.withUnsafeBytes { raw -> Bool in
                guard let base = raw.baseAddress else { return false }
                return store.releaseAbove(base + cut)
            }
            if released { poolBytes -= file.count - cut }
            header = packed
        }

        // The journal: one delivered address per line (at most the per-file cap of it).
        var journal: [TaintedBytes] = []
        if jKey != nil, case .ok(let j, _) = try readIntoPool(dir, names.name(id, UInt8(ascii: "J")), store, &stats,
                                                              partial: true) {
            journal = JournalLines.split(j)
        }
        let bytes = poolBytes - poolBefore
        liveBytes += bytes
        let message = QueuedMessage(header: header, subdirectory: sub, dataFileSize: dKey?.size, journal: journal)
        if let old = table.set(id, keys: MessageKeys(hKey: hKey, dKey: dKey, jKey: jKey, bytes: bytes, generation: generation),
                               outcome: .message(message)) {
            liveBytes -= old.bytes
        }
    }
}

/// What reading a file into the pool gave.
enum PoolRead {
    case ok(TaintedBytes, FileKey)
    case gone
    case failed(operation: String, errno: Int32, FileKey?)
    case notRegular(FileKey)
    case tooLarge(FileKey)
    case overBudget
}

extension QueueReader {
    /// Opens a file, `fstat`s it, and reads it whole (the size `fstat` gave: Exim replaces
    /// spool files by rename, never grows them in place, except `-J` which is read up to
    /// that size) straight into room in the tainted twin of `store.currentPool`.
    /// Counts the bytes in `poolBytes` and `stats`.
    /// With `partial` (a `-J`), a file over the per-file cap is read up to the cap.
    func readIntoPool(_ dir: SpoolDirectoryHandle, _ name: UnsafePointer<CChar>, _ store: Store,
                      _ stats: inout QueueScanStatistics, partial: Bool = false) throws(QueueScanError) -> PoolRead {
        let f: SpoolFileDescriptor
        switch dir.open(name) {
        case .ok(let d): f = d
        case .gone: return .gone
        case .failed(let op, let e):
            let key: FileKey? = if case .ok(let k) = dir.stat(name) { k } else { nil }
            return .failed(operation: op, errno: e, key)
        }
        defer { f.close() }
        let key: FileKey
        switch f.stat() {
        case .ok(let k): key = k
        case .gone: return .gone
        case .failed(let op, let e): return .failed(operation: op, errno: e, nil)
        }
        guard key.isRegular else { return .notRegular(key) }
        guard key.size <= limits.perFileBytes || partial else { return .tooLarge(key) }
        let size = min(key.size, limits.perFileBytes)
        guard liveBytes + size <= limits.totalBytes else { return .overBudget }
        stats.filesRead += 1
        let room: TaintedBuffer
        do { room = try store.getTaintedBuffer(max(size, 1)) } catch { throw .store(error) }
        poolBytes += max(size, 1)
        switch room.withUnsafeMutableBytes({ f.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<size])) }) {
        case .ok(let got):
            stats.bytesRead += got
            return .ok(room.prefix(got), key)
        case .gone:
            giveBack(room.prefix(0), store, room: max(size, 1))
            return .gone
        case .failed(let op, let e):
            giveBack(room.prefix(0), store, room: max(size, 1))
            return .failed(operation: op, errno: e, key)
        }
    }

    /// Gives the pool room of a file that is not kept back to the pool (it is the last
    /// thing allocated, so `releaseAbove` can); counts it as garbage if it cannot.
    func giveBack(_ bytes: TaintedBytes, _ store: Store, room: Int? = nil) {
        let length = max(room ?? bytes.count, 1)
        let released = bytes.withUnsafeBytes { raw -> Bool in
            guard let base = raw.baseAddress else { return false }
            return store.releaseAbove(base)
        }
        if released { poolBytes -= length }
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
