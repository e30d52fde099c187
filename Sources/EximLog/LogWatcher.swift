import Glibc

/// Wakes the tailer when the log may have changed: inotify on Linux (the file for
/// `IN_MODIFY`, its directory for `IN_CREATE`/`IN_MOVED_TO`/`IN_MOVED_FROM`/`IN_DELETE`),
/// plain timed sleeping where inotify is not available. Correctness never depends on
/// the events: the tailer `fstat`s and `stat`s on every read; events only cut latency.
final class LogWatcher {
    private(set) var fd: Int32 = -1
    private var fileWatch: Int32 = -1
    private var dirWatch: Int32 = -1
    private var watchedFile: String?
    private var watchedDir: String?

    /// Arguments: whether to try inotify. Invariant: `fd` is -1 when polling.
    init(useInotify: Bool) {
        if useInotify { fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC)) }
    }

    deinit { if fd >= 0 { close(fd) } }

    /// True when inotify is in use.
    var isInotify: Bool { fd >= 0 }

    /// Watches `dir` for new and renamed files (replaces the previous directory watch).
    func watchDirectory(_ dir: String) {
        guard fd >= 0, dir != watchedDir else { return }
        if dirWatch >= 0 { inotify_rm_watch(fd, dirWatch) }
        dirWatch = inotify_add_watch(fd, dir, UInt32(IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE))
        watchedDir = dir
    }

    /// Watches `file` for appends and truncation (replaces the previous file watch).
    func watchFile(_ file: String?) {
        guard fd >= 0, file != watchedFile else { return }
        if fileWatch >= 0 { inotify_rm_watch(fd, fileWatch); fileWatch = -1 }
        if let file {
            fileWatch = inotify_add_watch(fd, file, UInt32(IN_MODIFY | IN_ATTRIB | IN_MOVE_SELF | IN_DELETE_SELF))
        }
        watchedFile = file
    }

    /// Reads and discards pending events. Result: true if there were any.
    @discardableResult
    func drain() -> Bool {
        guard fd >= 0 else { return false }
        var any = false
        var buf = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            any = true
        }
        return any
    }

    /// Blocks until an event arrives or `milliseconds` pass (sleeps when polling).
    /// Result: true if woken by an event.
    func wait(milliseconds: Int) -> Bool {
        guard fd >= 0 else {
            if milliseconds > 0 { usleep(UInt32(min(milliseconds, 4_000_000)) * 1000) }
            return false
        }
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let r = poll(&pfd, 1, Int32(clamping: milliseconds))
        if r > 0 { drain(); return true }
        return false
    }
}
