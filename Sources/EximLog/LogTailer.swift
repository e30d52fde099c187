import Glibc
import Store
import StoremonSystem
import SystemPackage

/// Follows Exim's main log: reads only complete, newline-terminated lines into the
/// caller's tainted pool and hands them back as a `LogBatch` of parsed `LogLine`s.
///
/// - A half-written last line waits for its newline (kept in the tailer's own buffer).
/// - Rotation by rename, at any speed: a background watcher (inotify on the log's directory,
///   a 100 ms timed look where inotify is missing) opens each file the moment it takes the
///   log's name and keeps it open; each is read to its end, in order, before the next
///   (no line lost or read twice); a last line without a newline is delivered then.
/// - Truncation in place (copytruncate): the file's first bytes (up to 1 KiB) are kept as
///   a fingerprint, like filebeat and fluent-bit do; a file that shrank below the read
///   offset, or whose head changed (truncated and refilled past the old offset between two
///   reads), is read again from the top.
/// - Every file is opened without blocking and must be a regular file: a FIFO, device,
///   socket or directory under the log's name is reported in `LogBatch.problem`, never read.
/// - Datestamped logs (`mainlog20261126`) follow the newest; a missing file is waited for.
/// - An unreadable file is reported in `LogBatch.problem`, naming the file and the fix.
/// - Lines longer than `Options.lineCap` are delivered cut, flagged, and still counted once.
///
/// One call per refresh, inside the caller's mark:
/// ```swift
/// let tailer = LogTailer(path: "/var/log/exim4", start: .lastLines(200))
/// while running {
///     _ = tailer.wait(milliseconds: 1000)          // inotify wake-up, or a timed sleep
///     let mark = try store.mark()                  // store.currentPool == .main
///     let batch = try tailer.readNewLines(into: store)
///     for line in batch { counters.count(line); /* copy out what the snapshot keeps */ }
///     try store.reset(to: mark)
/// }
/// ```
/// For `--once`, start at `.beginning`, call until `hasMore` is false, then
/// `readRemainder(into:)` for a last line without a newline.
/// Not thread-safe: use it from one thread (like `Store`).
public final class LogTailer {
    /// Where reading starts when the file is found on the first call.
    public enum StartPosition: Sendable, Equatable {
        /// Only lines written from now on (eximon's behaviour); a line being written at
        /// the start is delivered whole once its newline comes.
        case end
        /// The last `n` complete lines already in the file, then everything new.
        case lastLines(Int)
        /// The whole file (`--once`).
        case beginning
    }

    /// Tuning knobs; the defaults suit a monitor.
    public struct Options: Sendable {
        /// Longest line delivered whole (bytes, without the newline). At least 256.
        public var lineCap: Int
        /// Bytes asked of each `read`.
        public var readChunk: Int
        /// Most bytes one `readNewLines` call reads; the rest waits (`LogBatch.hasMore`).
        public var maxBytesPerRead: Int
        /// Use inotify when available (else a 100 ms timed look).
        public var useInotify: Bool
        /// Run the background watcher that opens each new log file at once (so fast
        /// rotation loses nothing). Off for `--once` and for reading a still file.
        public var watchInBackground: Bool
        /// Read the first file only up to this offset, and never move on to another file
        /// (for counting the part of a log before where a monitor started); nil: no end.
        public var endOffset: Int?
        /// Milliseconds the watcher waits between reading directory events and opening the
        /// log's name (tests only: reproduces a slow machine, where the open overtakes
        /// renames not yet read). 0 in real use.
        @_spi(Testing) public var watcherLagForTesting = 0

        /// Creates options.
        public init(lineCap: Int = 64 * 1024, readChunk: Int = 64 * 1024,
                    maxBytesPerRead: Int = 16 << 20, useInotify: Bool = true, watchInBackground: Bool = true,
                    endOffset: Int? = nil) {
            self.endOffset = endOffset
            self.lineCap = max(256, lineCap)
            self.readChunk = max(4096, readChunk)
            self.maxBytesPerRead = max(self.readChunk, maxBytesPerRead)
            self.useInotify = useInotify
            self.watchInBackground = watchInBackground
        }
    }

    /// Something that happened to the files followed.
    public enum Event: Sendable, Equatable {
        /// Started following this file.
        case opened(path: String)
        /// The old file was finished and a new one (renamed rotation, new datestamp) taken.
        case rotated(from: String, to: String)
        /// The file shrank below the read offset: read again from the top.
        case truncated(path: String)
        /// The file followed was removed and nothing replaced it yet: waiting.
        case vanished(path: String)
    }

    /// How the log path was interpreted.
    public let locator: LogFileLocator
    /// The options in use.
    public let options: Options
    private let start: StartPosition
    private let watcher: LogWatcher

    /// The file being read (the files that took the log's name after it wait in the
    /// watcher's queue, oldest first).
    private var file: RegularFile?
    private var device: UInt64 = 0
    private var inode: UInt64 = 0
    private var offset = 0
    private var firstAttempt = true
    /// The first bytes of the file (up to `headLength`): the copytruncate fingerprint.
    private var head: [UInt8] = []
    static let headLength = 1024
    /// Most bytes searched backwards for the start position (8 MiB, or 4 KiB a line wanted).
    static let backwardLimit = 8 << 20

    // The unfinished last line lives here, outside any pool, until its newline comes.
    private let scratch: UnsafeMutableRawPointer
    private let capacity: Int
    private var used = 0
    private var discarding = false
    private var discarded = 0

    /// The file being followed, or nil while waiting for one.
    public private(set) var path: String?
    /// Total bytes read since creation.
    public private(set) var totalBytes = 0
    /// Where reading of the first file began (after the start position was applied), and
    /// that file's path: the part before it was not read (see `LogHistoryCount`).
    public private(set) var initialOffset: (path: String, offset: Int)?
    /// Files that took the log's name while more than `LogWatcher.maximumPending` were
    /// waiting to be read: their lines could not be kept (0 in any sane setup).
    public var missedFiles: Int { watcher.missedFiles }

    /// Follows `path`: a file, a directory (Exim's `spool/log`, `/var/log/exim4`), or a
    /// `log_file_path` value with `%s`, `%D`, `%M`. Nothing is read until the first call;
    /// the background watcher (see `Options.watchInBackground`) starts at once.
    public init(path: String, start: StartPosition = .end, options: Options = Options()) {
        self.locator = LogFileLocator(path: path)
        self.start = start
        self.options = options
        self.capacity = options.lineCap + options.readChunk
        self.scratch = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        self.watcher = LogWatcher(locator: locator, background: options.watchInBackground, useInotify: options.useInotify,
                                  lagForTesting: options.watcherLagForTesting)
    }

    deinit {
        watcher.stop()
        file?.close()
        scratch.deallocate()
    }

    /// True when inotify is in use; false when the watcher looks every 100 ms (or only at reads).
    public var usesInotify: Bool { watcher.isInotify }

    /// Sleeps `milliseconds` (the watcher thread does the waiting for files).
    /// Result: always false (kept for callers that loop on it).
    public func wait(milliseconds: Int) -> Bool {
        _ = Poll.wait([], milliseconds: max(0, milliseconds))
        return false
    }

    /// Reads every complete line written since the last call (up to
    /// `Options.maxBytesPerRead`) into the tainted twin of `store.currentPool`: the rest of
    /// the file being read, then each file that took the log's name after it, in order.
    /// The lines are valid until the caller resets the mark it took before this call.
    /// Throws only when the pool cannot take the bytes; file problems are in `problem`.
    public func readNewLines(into store: Store) throws(LogTailerError) -> LogBatch {
        var batch = LogBatch(lineCap: options.lineCap)
        var budget = options.maxBytesPerRead
        if file == nil {
            if let next = watcher.takeNext() {
                adopt(next, initial: firstAttempt, &batch)
                firstAttempt = false
            } else {
                guard let want = locator.current() else { firstAttempt = false; return batch }
                let opened = openFile(want, initial: firstAttempt, &batch)
                // A file that appears later is all new: the start position applies only to a
                // file that was there at the first look (or could not be read at first).
                if opened || batch.problem == nil { firstAttempt = false }
                if !opened { return batch }
            }
        }
        try drainFile(&budget, store, &batch)
        // each step finishes a file or puts a live one back behind older ones: bounded
        var steps = 0
        while budget > 0, options.endOffset == nil, steps < Self.maximumStepsPerRead,
              try advance(&budget, store, &batch) { steps += 1 }
        batch.hasMore = budget <= 0
        return batch
    }

    /// Delivers the unfinished last line (bytes after the last newline), as a line: for
    /// `--once`, where no newline will come. The file stays open.
    public func readRemainder(into store: Store) throws(LogTailerError) -> LogBatch {
        var batch = LogBatch(lineCap: options.lineCap)
        if discarding {
            try emit(UnsafeRawBufferPointer(start: scratch, count: options.lineCap),
                     fullLength: options.lineCap + discarded, store, &batch)
        } else if used > 0 {
            try emit(UnsafeRawBufferPointer(start: scratch, count: used), fullLength: -1, store, &batch)
        }
        used = 0; discarding = false; discarded = 0
        return batch
    }

    // MARK: files

    /// Arguments: file to open, whether the start position applies, batch (for events and
    /// problems). Result: true if open. Invariant: on success file/device/inode/offset/path are set.
    private func openFile(_ name: String, initial: Bool, _ batch: inout LogBatch) -> Bool {
        let f: RegularFile
        do {
            f = try RegularFile.open(name)
        } catch {
            switch error {
            case .missing: break
            case .system(let failure):
                batch.problem = failure.isPermission ? .permissionDenied(path: name)
                                                     : .readFailed(path: name, errno: failure.errno)
            case .wrongKind(let w):
                batch.problem = .notARegularFile(path: name, kind: w.kind.phrase)
            }
            return false
        }
        let dev = UInt64(f.status.deviceID.rawValue), ino = UInt64(f.status.inode.rawValue)
        guard watcher.register(dev, ino) else {
            // the watcher has it queued already: take it from there, in order
            f.close()
            guard let next = watcher.takeNext() else { return false }
            adopt(next, initial: initial, &batch)
            return true
        }
        adopt(LogWatcher.Opened(file: f, path: name, device: dev, inode: ino), initial: initial, &batch)
        return true
    }

    /// Makes `o` the file being read: from where it was put back (`o.resume`), else from
    /// its top, or from the start position when `initial`.
    private func adopt(_ o: LogWatcher.Opened, initial: Bool, _ batch: inout LogBatch) {
        file = o.file
        device = o.device
        inode = o.inode
        path = o.path
        if let r = o.resume {
            offset = r.offset
            head = r.head
            discarding = r.discarding
            discarded = r.discarded
            used = r.partial.count
            r.partial.withUnsafeBytes { if $0.count > 0 { scratch.copyMemory(from: $0.baseAddress!, byteCount: $0.count) } }
            return
        }
        used = 0; discarding = false; discarded = 0
        offset = 0
        head = []
        if initial {
            let size = Int((try? o.file.stat().size) ?? 0)
            switch start {
            case .beginning: offset = 0
            case .end: offset = startOfLastLines(0, size: size)
            case .lastLines(let n): offset = startOfLastLines(n, size: size)
            }
        }
        if initial { initialOffset = (o.path, offset) }
        takeFingerprint()
        batch.events.append(.opened(path: o.path))
    }

    /// Arguments: n lines wanted, file size. Result: the offset just after the (n+1)-th
    /// newline from the end (0 if there are fewer). Reads backwards in 64 KiB steps, so a
    /// huge log costs only its tail; at most `backwardLimit` bytes are searched (a sparse
    /// or newline-free file starts after the earliest newline seen, or at its end).
    private func startOfLastLines(_ n: Int, size: Int) -> Int {
        guard let file else { return 0 }
        var need = n + 1
        var end = size
        let step = 64 * 1024
        let buf = UnsafeMutableRawBufferPointer.allocate(byteCount: step, alignment: 16)
        defer { buf.deallocate() }
        let floor = max(0, size - max(Self.backwardLimit, n * 4096))
        var earliest: Int?
        while end > 0 {
            if end <= floor { return earliest ?? size }
            let begin = max(0, end - step)
            guard let got = try? file.read(at: begin, into: UnsafeMutableRawBufferPointer(rebasing: buf[0..<(end - begin)])),
                  got > 0 else { return 0 }
            var i = got - 1
            while i >= 0 {
                if buf[i] == 0x0A {
                    need -= 1
                    if need == 0 { return begin + i + 1 }
                    earliest = begin + i + 1
                }
                i -= 1
            }
            end = begin
        }
        return 0
    }

    /// Keeps the file's first bytes (up to `headLength`, at most what has been reached) as
    /// its fingerprint; grows it while the file is young.
    private func takeFingerprint() {
        guard let file, head.count < Self.headLength else { return }
        let size = Int((try? file.stat().size) ?? 0)
        let want = min(Self.headLength, size)
        guard want > head.count else { return }
        var bytes = [UInt8](repeating: 0, count: want)
        let got = (try? bytes.withUnsafeMutableBytes { try file.read(at: 0, into: $0) }) ?? 0
        head = Array(bytes.prefix(got))
    }

    /// Whether the file was truncated (shrank below the offset, or its head changed: a
    /// copytruncate refilled past the old offset between two reads).
    private func wasTruncated(size: Int) -> Bool {
        if size < offset { return true }
        guard let file, !head.isEmpty else { return false }
        if size < head.count { return true }
        var now = [UInt8](repeating: 0, count: head.count)
        let got = (try? now.withUnsafeMutableBytes { try file.read(at: 0, into: $0) }) ?? 0
        return got < head.count || now != head
    }

    /// Reads the open file to its end (or until the budget is spent), emitting complete lines.
    /// Invariant: a truncated file restarts at offset 0.
    private func drainFile(_ budget: inout Int, _ store: Store, _ batch: inout LogBatch) throws(LogTailerError) {
        guard let file else { return }
        if let st = try? file.stat(), wasTruncated(size: Int(st.size)) {
            offset = 0; used = 0; discarding = false; discarded = 0
            head = []
            batch.events.append(.truncated(path: path ?? ""))
        }
        defer { takeFingerprint() }
        let cap = options.lineCap
        while budget > 0 {
            if discarding {
                let n = readSome(into: scratch + cap, max: capacity - cap, &batch)
                if n <= 0 { break }
                budget -= n
                let p = (scratch + cap).assumingMemoryBound(to: UInt8.self)
                if let hit = memchr(p, 0x0A, n) {
                    let k = UnsafeRawPointer(hit) - UnsafeRawPointer(p)
                    discarded += k
                    try emit(UnsafeRawBufferPointer(start: scratch, count: cap), fullLength: cap + discarded, store, &batch)
                    let rest = n - k - 1
                    if rest > 0 { memmove(scratch, scratch + cap + k + 1, rest) }
                    used = rest; discarding = false; discarded = 0
                    try emitComplete(store, &batch)
                } else {
                    discarded += n
                }
            } else {
                // Read straight into the tainted pool, behind the unfinished line carried over.
                var size = Int((try? file.stat().size) ?? Int64(offset + options.readChunk))
                if let end = options.endOffset { size = min(size, end) }
                guard size > offset else { break }
                let want = min(options.readChunk, budget, size - offset)
                let buffer: TaintedBuffer
                do { buffer = try store.getTaintedBuffer(used + want) } catch { throw .store(String(describing: error)) }
                let base = buffer.baseAddress
                if used > 0 { memcpy(base, scratch, used) }
                let n = readSome(into: base + used, max: want, &batch)
                if n <= 0 { break }       // the room stays unused until the caller's reset
                budget -= n
                let total = used + n
                // The carried-over part has no newline, so search only the new bytes, backwards.
                let b = base.assumingMemoryBound(to: UInt8.self)
                var k = total - 1
                while k >= used && b[k] != 0x0A { k -= 1 }
                var rest = n
                var from = base + used
                if k >= used {
                    batch.segments.append(LogBatch.Segment(bytes: buffer.bytes(0..<(k + 1)), fullLength: -1))
                    rest = total - k - 1
                    from = base + k + 1
                    used = 0
                }
                // Keep the unfinished tail (at most the cap; beyond it, discard until the newline).
                let keep = min(rest, max(0, cap - used))
                if keep > 0 { memcpy(scratch + used, from, keep) }
                used += keep
                if used >= cap {
                    discarding = true
                    discarded = rest - keep
                    used = cap
                }
            }
        }
    }

    /// Arguments: destination, room. Result: bytes read (0 at EOF, -1 on error, noted in
    /// the batch). Invariant: advances `offset` and the byte counters.
    private func readSome(into dst: UnsafeMutableRawPointer, max room: Int, _ batch: inout LogBatch) -> Int {
        guard let file else { return -1 }
        do {
            let n = try file.read(at: offset, into: UnsafeMutableRawBufferPointer(start: dst, count: min(room, options.readChunk)))
            offset += n
            batch.byteCount += n
            totalBytes += n
            return n
        } catch {
            batch.problem = .readFailed(path: path ?? "", errno: error)
            return -1
        }
    }
    /// Moves every complete line in the scratch buffer into the pool as one segment and
    /// keeps the unfinished rest. Invariant: an unfinished line longer than the cap keeps
    /// only its first `lineCap` bytes and switches to discarding until its newline.
    private func emitComplete(_ store: Store, _ batch: inout LogBatch) throws(LogTailerError) {
        guard used > 0 else { return }
        // The last newline: searched backwards, the unfinished tail is usually short.
        let bytes = scratch.assumingMemoryBound(to: UInt8.self)
        var k = used - 1
        while k >= 0 && bytes[k] != 0x0A { k -= 1 }
        if k >= 0 {
            try emit(UnsafeRawBufferPointer(start: scratch, count: k + 1), fullLength: -1, store, &batch)
            let rest = used - k - 1
            if rest > 0 { memmove(scratch, scratch + k + 1, rest) }
            used = rest
        }
        let cap = options.lineCap
        if used >= cap {
            discarding = true
            discarded = used - cap
            used = cap
        }
    }

    /// Copies bytes into the tainted pool and appends them to the batch.
    private func emit(_ raw: UnsafeRawBufferPointer, fullLength: Int, _ store: Store,
                      _ batch: inout LogBatch) throws(LogTailerError) {
        guard raw.count > 0 else { return }
        do {
            let t = try store.copyTainted(raw)
            batch.segments.append(LogBatch.Segment(bytes: t, fullLength: fullLength))
        } catch {
            throw .store(String(describing: error))
        }
    }

    /// Delivers the last line of a finished file (no newline will ever come) and closes it.
    private func finishFile(_ store: Store, _ batch: inout LogBatch) throws(LogTailerError) {
        _ = try readRemainder(into: store).segments.map { batch.segments.append($0) }
        file?.close()
        watcher.forget(device, inode)
        file = nil
        path = nil
        head = []
    }

    /// Most files taken up by one `readNewLines` (the rest waits for the next call).
    static let maximumStepsPerRead = 2 * LogWatcher.maximumPending + 8

    /// The state of a file put back unfinished (see `advance`).
    struct SuspendedRead {
        var offset: Int
        var head: [UInt8]
        /// The unfinished last line (at most `lineCap` bytes).
        var partial: [UInt8]
        var discarding: Bool
        var discarded: Int
    }

    /// Whether the file being read still holds the log's name (nothing newer can exist then).
    private func holdsLogName() -> Bool {
        guard let want = locator.current(), let st = try? FilePath(want).stat() else { return false }
        return UInt64(st.deviceID.rawValue) == device && UInt64(st.inode.rawValue) == inode
    }

    /// After reading the current file to its end: moves on to the next file that took the
    /// log's name (queued by the watcher, or found now by name), finishing the old one
    /// first; or finishes a deleted file. Result: true when another file was taken up.
    /// Invariant: a file that still holds the log's name is never finished. If one is
    /// queued behind it anyway (the watcher saw that file's rename only after opening the
    /// live file), the queued file is older: the live file is put back, unfinished, behind
    /// it, and the older file is read first. Lines then come slightly out of order; none is lost.
    private func advance(_ budget: inout Int, _ store: Store, _ batch: inout LogBatch) throws(LogTailerError) -> Bool {
        guard let current = file, let old = path else { return false }
        if !watcher.hasPending { lookByName(&batch) }
        if watcher.hasPending {
            // Whether it is live is decided before the last read: a file renamed away by
            // then gets no more lines from a writer that rotated it, so what this read finds
            // is all of it; one still live is read again when its turn comes back.
            let live = holdsLogName()
            // read the old file to its very end (late writers included) first
            try drainFile(&budget, store, &batch)
            if budget <= 0 { return false }
            guard let next = watcher.takeNext() else { return false }
            if live {
                let partial = [UInt8](UnsafeRawBufferPointer(start: scratch, count: used))
                watcher.enqueue(LogWatcher.Opened(
                    file: current, path: old, device: device, inode: inode,
                    resume: SuspendedRead(offset: offset, head: head, partial: partial,
                                          discarding: discarding, discarded: discarded)))
                file = nil
                adopt(next, initial: false, &batch)
            } else {
                try finishFile(store, &batch)
                adopt(next, initial: false, &batch)
                if next.resume == nil { batch.events[batch.events.count - 1] = .rotated(from: old, to: next.path) }
            }
            try drainFile(&budget, store, &batch)
            return true
        }
        // Nothing new under the name: renamed away (keep reading the old descriptor until a
        // new file appears) or deleted (finish and wait).
        if let st = try? file?.stat(), st.linkCount == 0, locator.current().map({ FileKind.of($0) == nil }) ?? true {
            try drainFile(&budget, store, &batch)
            if budget <= 0 { return false }
            try finishFile(store, &batch)
            batch.events.append(.vanished(path: old))
        }
        return false
    }

    /// Without the watcher's help (or before it noticed): is another file under the log's
    /// name now? If so it is opened and queued.
    /// With the watcher running, only it finds files (so their order is the order they
    /// took the name); a file under the name that is not regular is still reported.
    private func lookByName(_ batch: inout LogBatch) {
        guard !watcher.hasPending, let want = locator.current() else { return }
        if watcher.isRunning {
            watcher.catchUp()
            if let kind = FileKind.of(want), kind != .regular { batch.problem = .notARegularFile(path: want, kind: kind.phrase) }
            return
        }
        guard let st = try? FilePath(want).stat() else { return }
        if UInt64(st.deviceID.rawValue) == device && UInt64(st.inode.rawValue) == inode { return }
        let f: RegularFile
        do { f = try RegularFile.open(want) } catch {
            if case .wrongKind(let w) = error { batch.problem = .notARegularFile(path: want, kind: w.kind.phrase) }
            if case .system(let failure) = error {
                batch.problem = failure.isPermission ? .permissionDenied(path: want) : .readFailed(path: want, errno: failure.errno)
            }
            return
        }
        let dev = UInt64(f.status.deviceID.rawValue), ino = UInt64(f.status.inode.rawValue)
        if dev == device && ino == inode { f.close(); return }
        if watcher.register(dev, ino) {
            watcher.enqueue(LogWatcher.Opened(file: f, path: want, device: dev, inode: ino))
        } else {
            f.close()
        }
    }
}
