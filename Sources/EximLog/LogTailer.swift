import Glibc
import Store

/// Follows Exim's main log: reads only complete, newline-terminated lines into the
/// caller's tainted pool and hands them back as a `LogBatch` of parsed `LogLine`s.
///
/// - A half-written last line waits for its newline (kept in the tailer's own buffer).
/// - Rotation by rename: the old file is read to its end before the new one is followed
///   (no line lost or read twice); a last line without a newline is delivered then.
/// - Truncation in place (copytruncate): reading starts again at the top.
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
/// For `--once`, start at `.beginning` and call until `hasMore` is false.
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
        /// Use inotify when available (else `wait` just sleeps).
        public var useInotify: Bool

        /// Creates options.
        public init(lineCap: Int = 64 * 1024, readChunk: Int = 64 * 1024,
                    maxBytesPerRead: Int = 16 << 20, useInotify: Bool = true) {
            self.lineCap = max(256, lineCap)
            self.readChunk = max(4096, readChunk)
            self.maxBytesPerRead = max(self.readChunk, maxBytesPerRead)
            self.useInotify = useInotify
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

    private var fd: Int32 = -1
    private var device: UInt64 = 0
    private var inode: UInt64 = 0
    private var offset = 0
    private var firstAttempt = true

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

    /// Follows `path`: a file, a directory (Exim's `spool/log`, `/var/log/exim4`), or a
    /// `log_file_path` value with `%s`, `%D`, `%M`. Nothing is opened until the first read.
    public init(path: String, start: StartPosition = .end, options: Options = Options()) {
        self.locator = LogFileLocator(path: path)
        self.start = start
        self.options = options
        self.capacity = options.lineCap + options.readChunk
        self.scratch = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        self.watcher = LogWatcher(useInotify: options.useInotify)
        watcher.watchDirectory(locator.directory)
    }

    deinit {
        if fd >= 0 { close(fd) }
        scratch.deallocate()
    }

    /// The inotify descriptor to include in the caller's own `poll` set (readable when the
    /// log may have changed), or nil when polling.
    public var fileDescriptor: Int32? { watcher.isInotify ? watcher.fd : nil }

    /// True when inotify is in use; false when `wait` is a plain timed sleep.
    public var usesInotify: Bool { watcher.isInotify }

    /// Blocks until the log may have changed or `milliseconds` pass.
    /// Result: true if woken early by an inotify event.
    public func wait(milliseconds: Int) -> Bool { watcher.wait(milliseconds: milliseconds) }

    /// Reads every complete line written since the last call (up to
    /// `Options.maxBytesPerRead`) into the tainted twin of `store.currentPool`.
    /// The lines are valid until the caller resets the mark it took before this call.
    /// Throws only when the pool cannot take the bytes; file problems are in `problem`.
    public func readNewLines(into store: Store) throws(LogTailerError) -> LogBatch {
        var batch = LogBatch(lineCap: options.lineCap)
        watcher.drain()
        var budget = options.maxBytesPerRead
        if fd < 0 {
            guard let want = locator.current() else { firstAttempt = false; return batch }
            let opened = openFile(want, initial: firstAttempt, &batch)
            // A file that appears later is all new: the start position applies only to a
            // file that was there at the first look (or could not be read at first).
            if opened || batch.problem == nil { firstAttempt = false }
            if !opened { return batch }
        }
        try drainFile(&budget, store, &batch)
        if budget > 0 { try checkSwitch(&budget, store, &batch) }
        watcher.watchFile(path)
        batch.hasMore = budget <= 0
        return batch
    }

    // MARK: files

    /// Arguments: file to open, whether the start position applies, batch (for events and
    /// problems). Result: true if open. Invariant: on success fd/device/inode/offset/path are set.
    private func openFile(_ file: String, initial: Bool, _ batch: inout LogBatch) -> Bool {
        let f = open(file, O_RDONLY | O_CLOEXEC)
        if f < 0 {
            let e = errno
            if e == ENOENT || e == ENOTDIR { return false }
            batch.problem = (e == EACCES || e == EPERM) ? .permissionDenied(path: file) : .readFailed(path: file, errno: e)
            return false
        }
        var st = stat()
        guard fstat(f, &st) == 0, (st.st_mode & S_IFMT) != S_IFDIR else {
            batch.problem = .readFailed(path: file, errno: EISDIR)
            close(f)
            return false
        }
        fd = f
        device = UInt64(st.st_dev)
        inode = UInt64(st.st_ino)
        path = file
        used = 0; discarding = false; discarded = 0
        offset = 0
        if initial {
            switch start {
            case .beginning: offset = 0
            case .end: offset = startOfLastLines(0, size: Int(st.st_size))
            case .lastLines(let n): offset = startOfLastLines(n, size: Int(st.st_size))
            }
        }
        batch.events.append(.opened(path: file))
        watcher.watchFile(file)
        return true
    }

    /// Arguments: n lines wanted, file size. Result: the offset just after the (n+1)-th
    /// newline from the end (0 if there are fewer). Reads backwards in 64 KiB steps.
    private func startOfLastLines(_ n: Int, size: Int) -> Int {
        var need = n + 1
        var end = size
        let step = 64 * 1024
        let buf = UnsafeMutableRawPointer.allocate(byteCount: step, alignment: 16)
        defer { buf.deallocate() }
        while end > 0 {
            let begin = max(0, end - step)
            let got = pread(fd, buf, end - begin, off_t(begin))
            if got <= 0 { return 0 }
            var i = got - 1
            let p = buf.assumingMemoryBound(to: UInt8.self)
            while i >= 0 {
                if p[i] == 0x0A {
                    need -= 1
                    if need == 0 { return begin + i + 1 }
                }
                i -= 1
            }
            end = begin
        }
        return 0
    }

    /// Reads the open file to its end (or until the budget is spent), emitting complete lines.
    /// Invariant: a shrunken file restarts at offset 0 (truncation in place).
    private func drainFile(_ budget: inout Int, _ store: Store, _ batch: inout LogBatch) throws(LogTailerError) {
        guard fd >= 0 else { return }
        var st = stat()
        if fstat(fd, &st) == 0 && Int(st.st_size) < offset {
            offset = 0; used = 0; discarding = false; discarded = 0
            batch.events.append(.truncated(path: path ?? ""))
        }
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
                var now = stat()
                let size = fstat(fd, &now) == 0 ? Int(now.st_size) : offset + options.readChunk
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
        while true {
            let n = pread(fd, dst, min(room, options.readChunk), off_t(offset))
            if n < 0 && errno == EINTR { continue }
            if n < 0 { batch.problem = .readFailed(path: path ?? "", errno: errno); return -1 }
            offset += n
            batch.byteCount += n
            totalBytes += n
            return n
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
        if discarding {
            try emit(UnsafeRawBufferPointer(start: scratch, count: options.lineCap),
                     fullLength: options.lineCap + discarded, store, &batch)
        } else if used > 0 {
            try emit(UnsafeRawBufferPointer(start: scratch, count: used), fullLength: -1, store, &batch)
        }
        used = 0; discarding = false; discarded = 0
        if fd >= 0 { close(fd) }
        fd = -1
        path = nil
    }

    /// After reading: has another file taken over the name (rename rotation, a newer
    /// datestamp), or has the file gone? Finishes the old file first, then follows the new.
    private func checkSwitch(_ budget: inout Int, _ store: Store, _ batch: inout LogBatch) throws(LogTailerError) {
        guard fd >= 0, let old = path else { return }
        let want = locator.current()
        var st = stat()
        if let want, stat(want, &st) == 0, (st.st_mode & S_IFMT) != S_IFDIR {
            guard UInt64(st.st_dev) != device || UInt64(st.st_ino) != inode else { return }
            // A new file: read the old one to its very end (late writers included) first.
            try drainFile(&budget, store, &batch)
            if budget <= 0 { return }
            try finishFile(store, &batch)
            if openFile(want, initial: false, &batch) {
                batch.events[batch.events.count - 1] = .rotated(from: old, to: want)
                try drainFile(&budget, store, &batch)
            } else {
                batch.events.append(.vanished(path: old))
            }
            return
        }
        // Nothing under the wanted name: renamed away (keep reading the old descriptor
        // until a new file appears) or deleted (finish and wait).
        var own = stat()
        if fstat(fd, &own) == 0 && own.st_nlink == 0 {
            try drainFile(&budget, store, &batch)
            if budget <= 0 { return }
            try finishFile(store, &batch)
            batch.events.append(.vanished(path: old))
        }
    }
}
