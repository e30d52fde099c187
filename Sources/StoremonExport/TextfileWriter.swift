import Glibc

/// Writes the metrics for node_exporter's textfile collector, atomically: the bytes go to a
/// temporary file in the same directory (a name the collector ignores: it reads `*.prom`),
/// which is flushed to disk (`fsync`) and then renamed over the target. A reader therefore
/// sees the old file or the new one, whole, never a mix or a part.
public struct TextfileWriter: Sendable {
    /// The file written (e.g. `/var/lib/prometheus/node-exporter/storemon.prom`).
    public let path: String

    /// Creates a writer for `path`.
    public init(path: String) { self.path = path }

    /// The temporary file's path: `.NAME.PID.tmp` beside the target.
    var temporaryPath: String {
        let slash = path.lastIndex(of: "/")
        let dir = slash.map { String(path[...$0]) } ?? ""
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        return "\(dir).\(name).\(getpid()).tmp"
    }

    /// Replaces the file's contents with `bytes` (mode 0644).
    ///
    /// - Throws: `ExportError` naming the file and the system's reason; the temporary file
    ///   is removed and the old target left as it was.
    public func write(_ bytes: [UInt8]) throws(ExportError) {
        let temp = temporaryPath
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard fd >= 0 else { throw failure("cannot create \(temp)") }
        var ok = bytes.withUnsafeBytes { buffer -> Bool in
            var offset = 0
            while offset < buffer.count {
                let n = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 { if errno == EINTR { continue }; return false }
                offset += n
            }
            return true
        }
        if ok { ok = fsync(fd) == 0 }
        let saved = errno
        if close(fd) != 0 && ok { ok = false }
        guard ok else {
            errno = saved
            let error = failure("cannot write \(temp)")
            unlink(temp)
            throw error
        }
        // umask may have narrowed the mode; the collector (another user) must read the file.
        _ = chmod(temp, 0o644)
        guard rename(temp, path) == 0 else {
            let error = failure("cannot rename \(temp) to \(path)")
            unlink(temp)
            throw error
        }
        // Make the rename itself durable.
        let dir = path.lastIndex(of: "/").map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        let dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 {
            _ = fsync(dfd)
            close(dfd)
        }
    }

    private func failure(_ what: String) -> ExportError {
        ExportError("--textfile: \(what): \(String(cString: strerror(errno)))")
    }
}
