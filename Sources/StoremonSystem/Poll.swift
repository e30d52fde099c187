import SystemPackage
#if canImport(Glibc)
import Glibc
#endif

/// `poll(2)` for a few descriptors, retried on EINTR only when asked.
package enum Poll {
    /// What a descriptor is ready for (`poll`'s `revents`, decoded).
    package struct Readiness: Sendable, Equatable {
        /// Data (or end of file) can be read.
        package var readable: Bool
        /// A write would not block.
        package var writable: Bool
        /// Hang-up, error, or not an open descriptor.
        package var hangUp: Bool
    }

    /// Waits until one of `descriptors` is ready for `events` (POLLIN/POLLOUT bits) or
    /// `milliseconds` pass (-1: forever). An interrupting signal ends the wait early.
    /// Result: each descriptor's readiness, in order (all false on timeout).
    package static func wait(_ descriptors: [(FileDescriptor, Int16)], milliseconds: Int) -> [Readiness] {
        var fds = descriptors.map { pollfd(fd: $0.0.rawValue, events: $0.1, revents: 0) }
        let r = fds.withUnsafeMutableBufferPointer { poll($0.baseAddress, nfds_t($0.count), Int32(clamping: milliseconds)) }
        return fds.map { p in
            guard r > 0 else { return Readiness(readable: false, writable: false, hangUp: false) }
            let rev = Int32(p.revents)
            return Readiness(readable: rev & Int32(POLLIN) != 0, writable: rev & Int32(POLLOUT) != 0,
                             hangUp: rev & Int32(POLLHUP | POLLERR | POLLNVAL) != 0)
        }
    }

    /// Bytes waiting to be read on `fd` (FIONREAD), or nil when the descriptor cannot say.
    package static func pendingBytes(_ fd: FileDescriptor) -> Int? {
        var n: Int32 = 0
        guard ioctl(fd.rawValue, UInt(FIONREAD), &n) == 0 else { return nil }
        return Int(n)
    }
}
