import SystemPackage
#if canImport(Glibc)
import Glibc
#endif

/// Why output could not be written.
package enum OutputFailure: Error, Equatable, Sendable, CustomStringConvertible {
    /// The write failed: closed descriptor, full disk (`/dev/full`), reader gone (EPIPE)...
    case failed(name: String, errno: Errno)
    /// A stop was requested (SIGTERM, SIGINT...) while the write waited on a full pipe.
    case stopped

    /// `cannot write to standard output: No space left on device`
    package var description: String {
        switch self {
        case .failed(let name, let e): return "cannot write to \(name): \(e.description)"
        case .stopped: return "stopped while writing"
        }
    }
}

/// Writes to a descriptor that may be a slow pipe without ever becoming deaf to signals:
/// it waits with `poll` in steps of 200 ms, asking `shouldStop` between steps, and writes
/// at most `PIPE_BUF` bytes once the descriptor is writable (so the write cannot block for
/// long). Any write error is returned, never ignored.
package struct OutputChannel: Sendable {
    /// The descriptor written to.
    package let descriptor: FileDescriptor
    /// Its name in messages ("standard output").
    package let name: String

    /// A channel on `descriptor`.
    package init(_ descriptor: FileDescriptor, name: String) {
        self.descriptor = descriptor
        self.name = name
    }

    /// Standard output.
    package static let standardOutput = OutputChannel(.standardOutput, name: "standard output")
    /// Standard error.
    package static let standardError = OutputChannel(.standardError, name: "standard error")

    /// Writes all of `text`. `shouldStop` is asked at least every 200 ms while waiting.
    package func write(_ text: String, shouldStop: () -> Bool = { false }) throws(OutputFailure) {
        var copy = text
        let result: Result<Void, OutputFailure> = copy.withUTF8 { buf in
            do throws(OutputFailure) { try write(UnsafeRawBufferPointer(buf), shouldStop: shouldStop); return .success(()) }
            catch { return .failure(error) }
        }
        try result.get()
    }

    /// Writes all of `bytes` (see `write(_:shouldStop:)`).
    package func write(_ bytes: UnsafeRawBufferPointer, shouldStop: () -> Bool = { false }) throws(OutputFailure) {
        guard let base = bytes.baseAddress else { return }
        var off = 0
        while off < bytes.count {
            if shouldStop() { throw .stopped }
            let ready = Poll.wait([(descriptor, Int16(POLLOUT))], milliseconds: 200)[0]
            if !ready.writable && !ready.hangUp { continue }      // timeout or signal: ask again
            let n = Glibc.write(descriptor.rawValue, base + off, min(bytes.count - off, Int(PIPE_BUF)))
            if n < 0 {
                let e = Errno.last
                if e == .interrupted || e == .wouldBlock || e == .resourceTemporarilyUnavailable { continue }
                throw .failed(name: name, errno: e)
            }
            if n == 0 { throw .failed(name: name, errno: .ioError) }
            off += n
        }
    }
}

/// The three standard descriptors at start-up.
package enum StandardDescriptors {
    /// Makes sure descriptors 0, 1 and 2 are open, so that no file storemon opens later
    /// lands on them (and output meant for stdout never goes into a log file).
    /// A closed 0 or 2 is pointed at `/dev/null`; a closed 1 is pointed at `/dev/null`
    /// too, and reported. Result: false when standard output was closed.
    package static func secure() -> Bool {
        var stdoutOpen = true
        for fd: Int32 in [0, 1, 2] where fcntl(fd, F_GETFD) < 0 && Errno.last == .badFileDescriptor {
            if fd == 1 { stdoutOpen = false }
            let null = Glibc.open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY)
            if null >= 0 && null != fd { _ = dup2(null, fd); _ = Glibc.close(null) }
        }
        return stdoutOpen
    }
}
