import Foundation
import Synchronization
import StoremonSystem
import SystemPackage

/// Catches every file that becomes the main log, however fast logs are rotated.
///
/// A background thread waits on inotify (the log's directory: `IN_CREATE`, `IN_MOVED_TO`,
/// `IN_MOVED_FROM`) and, the moment a new file takes the log's name, opens it (without
/// blocking, regular files only) and queues the open descriptor. A file keeps its content
/// while it is open, whatever is renamed or removed afterwards, so the tailer can read each
/// one to its end, in order, at its next refresh: nothing is lost even when the log is
/// renamed every few milliseconds. A log renamed away before its creation was seen is
/// opened under its new name (the rename's `IN_MOVED_TO`).
///
/// The queue is kept in the order the files held the log's name. A file opened under the
/// log's name is the newest so far; but its open can overtake rename events not yet read,
/// so a file found later through its rename away from the name (`IN_MOVED_FROM` +
/// `IN_MOVED_TO`) is placed before every queued file whose own rename has not been seen:
/// two files cannot hold one name at once, and renames are reported in the order they
/// happened, so the file renamed first held the name first.
///
/// Where inotify is not available the thread looks every 100 ms instead (timed fallback).
/// Correctness never depends on the thread alone: the tailer also checks the name itself
/// on every read.
final class LogWatcher: @unchecked Sendable {
    /// A file opened by the watcher (or the tailer), not yet taken by the tailer.
    struct Opened {
        var file: RegularFile
        var path: String
        var device: UInt64
        var inode: UInt64
        /// Opened under the log's name, and its rename away not seen since: newer than any
        /// file whose rename is seen from now on.
        var holdsName = true
        /// Where the tailer stopped reading it, for a file it put back (nil: a new file).
        var resume: LogTailer.SuspendedRead? = nil
    }

    private struct Shared {
        var pending: [Opened] = []
        /// (device, inode) of every file open in the tailer or pending: the same file is
        /// never queued twice (an open file's inode cannot be reused).
        var known: Set<FileIdentity> = []
        /// Files the tailer finished, with when (seconds): a late rename event must not
        /// queue them again. Kept a minute (an inode may be reused after that).
        var finished: [FileIdentity: Double] = [:]
        var missed = 0
        var stopped = false
    }

    struct FileIdentity: Hashable { var device: UInt64; var inode: UInt64 }

    /// Most files queued and not yet read (each holds a descriptor).
    static let maximumPending = 512

    private let locator: LogFileLocator
    /// Milliseconds slept between reading events and opening the log's name (tests only:
    /// makes the open overtake renames not yet read, as a slow machine does).
    private let lagForTesting: Int
    private let shared = Mutex(Shared())
    private let inotify: Inotify?
    private let stopPipe: (read: FileDescriptor, write: FileDescriptor)?
    private var thread: Thread?

    /// True when inotify is in use (else the fallback looks every 100 ms, or, without a
    /// thread, only when the tailer reads).
    let isInotify: Bool

    /// Arguments: what to follow; whether to run the background thread at all (false for
    /// `--once` and for benchmarks that read a still file); whether to try inotify.
    init(locator: LogFileLocator, background: Bool, useInotify: Bool, lagForTesting: Int = 0) {
        self.locator = locator
        self.lagForTesting = lagForTesting
        // a directory that cannot be watched (missing, no permission) means the timed fallback
        var instance = (background && useInotify) ? Inotify() : nil
        var watch: Int32 = -1
        if let i = instance {
            if let w = try? i.watch(locator.directory, mask: UInt32(IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE)) {
                watch = w
            } else {
                instance = nil
            }
        }
        inotify = instance
        isInotify = instance != nil
        directoryWatch = watch
        guard background, let fds = try? FileDescriptor.pipe() else { stopPipe = nil; return }
        stopPipe = (fds.readEnd, fds.writeEnd)
        let t = Thread { [self] in self.run() }
        t.name = "storemon log watcher"
        thread = t
        t.start()
    }

    deinit {
        stop()
        shared.withLock { s in for o in s.pending { o.file.close() }; s.pending = [] }
    }

    /// Stops the thread and waits for it (idempotent).
    func stop() {
        let already = shared.withLock { s -> Bool in defer { s.stopped = true }; return s.stopped }
        guard !already, let stopPipe else { return }
        _ = try? stopPipe.write.writeAll([UInt8(1)])
        while let t = thread, !t.isFinished { usleep(1000) }
        _ = try? stopPipe.read.close()
        _ = try? stopPipe.write.close()
    }

    /// Takes the oldest queued file (the caller owns it), or nil when none is queued.
    func takeNext() -> Opened? {
        shared.withLock { s in s.pending.isEmpty ? nil : s.pending.removeFirst() }
    }

    /// True when a file is queued.
    var hasPending: Bool { shared.withLock { !$0.pending.isEmpty } }

    /// Queues a file the tailer opened itself (it already registered it) or put back
    /// unfinished (it still holds the log's name): the newest so far, so it goes last.
    /// Never refused, whatever `maximumPending` says: the caller's file must not be lost.
    func enqueue(_ o: Opened) {
        shared.withLock { s in
            s.known.insert(FileIdentity(device: o.device, inode: o.inode))
            s.pending.append(o)
        }
    }

    /// Files the watcher could not queue (more than `maximumPending` unread): their lines are lost.
    var missedFiles: Int { shared.withLock { $0.missed } }

    /// Records a file the tailer opened itself. Result: false when it is already known
    /// (open in the tailer or queued), so the caller closes its copy.
    func register(_ device: UInt64, _ inode: UInt64) -> Bool {
        shared.withLock { $0.known.insert(FileIdentity(device: device, inode: inode)).inserted }
    }

    /// Whether the background thread is finding the files (then it alone decides their
    /// order; the tailer does not look by name itself).
    var isRunning: Bool { stopPipe != nil }

    /// Forgets a file the tailer closed (remembering for a minute that it was finished).
    func forget(_ device: UInt64, _ inode: UInt64) {
        let id = FileIdentity(device: device, inode: inode)
        let now = Date().timeIntervalSince1970
        shared.withLock { s in
            s.known.remove(id)
            s.finished[id] = now
            if s.finished.count > 256 { s.finished = s.finished.filter { now - $0.value < 60 } }
        }
    }

    // MARK: the thread

    private func run() {
        guard let stopPipe else { return }
        while true {
            var fds: [(FileDescriptor, Int16)] = [(stopPipe.read, Int16(POLLIN))]
            if let inotify { fds.append((inotify.descriptor, Int16(POLLIN))) }
            let timed = inotify == nil || watchLost.load(ordering: .relaxed)
            let ready = Poll.wait(fds, milliseconds: timed ? 100 : -1)
            if ready[0].readable || ready[0].hangUp { return }
            if ready.count > 1, ready[1].readable { catchUp() }
            if timed { openIfNew(locator.current()) }
        }
    }

    private let directoryWatch: Int32
    /// The directory's watch ended (the directory was removed or renamed): timed looks from then on.
    private let watchLost = Atomic<Bool>(false)
    /// Cookies of renames away from the log's name, waiting for their `IN_MOVED_TO`.
    private let movedFrom = Mutex(Set<UInt32>())

    /// Handles every inotify event waiting now (from the thread, or from the tailer when it
    /// looks for a new file itself: events are handled once, in order, under one lock).
    func catchUp() {
        guard let inotify, !watchLost.load(ordering: .relaxed) else {
            if isRunning { openIfNew(locator.current()) }
            return
        }
        movedFrom.withLock { movedFrom in
            // Is `n` the log's name? Its fixed name, else (datestamped logs) the name of the
            // file followed now, looked up once and only when needed. Never only the file
            // that holds the name at this instant: between a rename and the next create no
            // file does, and a rename missed here loses that file.
            let fixed = locator.fixedName
            var current: String?? = nil
            func isLogName(_ n: String) -> Bool {
                if n == fixed { return true }
                if current == nil { current = .some(locator.current().map { ($0 as NSString).lastPathComponent }) }
                return current! == n
            }
            var renamedAway: [String] = []
            var changed = false
            let dirWatch = directoryWatch
            inotify.readEvents { ev in
                guard ev.watch == dirWatch else { return }
                if ev.mask & UInt32(IN_IGNORED) != 0 { watchLost.store(true, ordering: .relaxed) }
                if ev.mask & UInt32(IN_MOVED_FROM) != 0, isLogName(ev.name) { movedFrom.insert(ev.cookie) }
                if ev.mask & UInt32(IN_MOVED_TO) != 0, movedFrom.remove(ev.cookie) != nil { renamedAway.append(ev.name) }
                if ev.mask & UInt32(IN_CREATE | IN_MOVED_TO) != 0 { changed = true }
            }
            if movedFrom.count > 64 { movedFrom.removeAll() }
            // a log renamed away before it was seen is older than whatever has the name now
            for n in renamedAway { openIfNew(PathJoin.join(locator.directory, n), renamed: true) }
            if changed {
                if lagForTesting > 0 { usleep(UInt32(lagForTesting) * 1000) }
                openIfNew(locator.current())
            }
        }
    }

    /// A file renamed away (`renamed`) may be one the tailer already finished: it is
    /// queued only if it was never seen.
    private func openIfNew(_ path: String?, renamed: Bool = false) {
        guard let path, let f = try? RegularFile.open(path) else { return }
        let id = FileIdentity(device: UInt64(f.status.deviceID.rawValue), inode: UInt64(f.status.inode.rawValue))
        let now = Date().timeIntervalSince1970
        let keep = shared.withLock { s -> Bool in
            if s.known.contains(id) {
                // a queued file's rename away is seen: its place in the queue is settled
                if renamed, let i = s.pending.firstIndex(where: { $0.device == id.device && $0.inode == id.inode }) {
                    s.pending[i].holdsName = false
                }
                return false
            }
            if renamed, let when = s.finished[id], now - when < 60 { return false }
            guard s.pending.count < LogWatcher.maximumPending else { s.missed += 1; return false }
            s.known.insert(id)
            let entry = Opened(file: f, path: path, device: id.device, inode: id.inode, holdsName: !renamed)
            // renamed before any queued file that still held the name when it was opened
            if renamed, let i = s.pending.firstIndex(where: \.holdsName) {
                s.pending.insert(entry, at: i)
            } else {
                s.pending.append(entry)
            }
            return true
        }
        if !keep { f.close() }
    }
}

/// Joins a directory and a name.
enum PathJoin {
    static func join(_ dir: String, _ name: String) -> String { dir.hasSuffix("/") ? dir + name : dir + "/" + name }
}
