import SystemPackage
#if canImport(Glibc)
import Glibc
#endif

/// A Linux inotify instance (non-blocking, close-on-exec). Where inotify is not
/// available `Inotify()` returns nil and callers fall back to timed polling.
package final class Inotify {
    /// The descriptor to `poll` (readable when events are waiting).
    package let descriptor: FileDescriptor

    /// What happened to a watched file or directory.
    package struct Event: Sendable {
        /// The watch it belongs to.
        package var watch: Int32
        /// `IN_*` bits.
        package var mask: UInt32
        /// Pairs `IN_MOVED_FROM` with its `IN_MOVED_TO`.
        package var cookie: UInt32
        /// The entry's name for a directory watch (empty for the watched file itself).
        package var name: String
    }

    /// Opens an instance; nil when the kernel refuses (no inotify, too many instances).
    package init?() {
        let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { return nil }
        descriptor = FileDescriptor(rawValue: fd)
    }

    deinit { _ = try? descriptor.close() }

    /// Watches `path` for the `IN_*` events in `mask`. Result: the watch, or the failure.
    package func watch(_ path: String, mask: UInt32) throws(SystemFailure) -> Int32 {
        let wd = inotify_add_watch(descriptor.rawValue, path, mask)
        guard wd >= 0 else { throw .last("inotify_add_watch", path: path) }
        return wd
    }

    /// Stops watch `wd` (ignores a watch the kernel already dropped).
    package func remove(_ wd: Int32) { _ = inotify_rm_watch(descriptor.rawValue, wd) }

    /// Reads every pending event (never blocks) and hands each to `body`.
    /// Result: the number of events read.
    @discardableResult
    package func readEvents(_ body: (Event) -> Void) -> Int {
        var count = 0
        let size = 16 * 1024
        let buf = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 8)
        defer { buf.deallocate() }
        let header = MemoryLayout<inotify_event>.size
        while true {
            let n = Glibc.read(descriptor.rawValue, buf, size)
            if n < 0 && Errno.last == .interrupted { continue }
            if n <= 0 { break }
            var at = 0
            while at + header <= n {
                let ev = buf.loadUnaligned(fromByteOffset: at, as: inotify_event.self)
                var name = ""
                if ev.len > 0 {
                    let p = (buf + at + header).assumingMemoryBound(to: CChar.self)
                    name = String(cString: p)
                }
                body(Event(watch: ev.wd, mask: ev.mask, cookie: ev.cookie, name: name))
                count += 1
                at += header + Int(ev.len)
            }
        }
        return count
    }
}
