import SystemPackage

/// Why the tailer could not follow the log. Each case names the file, and
/// `description` gives the usual fix.
public enum LogTailerError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file exists but may not be read (EACCES/EPERM).
    case permissionDenied(path: String)
    /// open(), fstat() or read() failed for another reason.
    case readFailed(path: String, errno: Errno)
    /// Something other than a regular file has the log's name: a FIFO (reading it would
    /// block), a device (it never ends), a socket or a directory. `kind` says which
    /// ("a FIFO (named pipe)"). Nothing is read from it.
    case notARegularFile(path: String, kind: String)
    /// The path is a directory that holds no main log and no datestamped main log yet;
    /// not an error by itself (the tailer waits), reported only by `LogFileLocator`.
    case noMainLog(directory: String)
    /// Copying the bytes read into the tainted pool failed.
    case store(String)

    /// A message for the status line: the file, what went wrong, and the usual fix.
    public var description: String {
        switch self {
        case .permissionDenied(let path):
            return "cannot read \(path): permission denied. On Debian the Exim logs belong to group adm: "
                + "add yourself to it (sudo adduser $USER adm, then log in again), or run storemon with sudo."
        case .readFailed(let path, let e):
            return "cannot read \(path): \(e.description) (errno \(e.rawValue))"
        case .notARegularFile(let path, let kind):
            return "not reading \(path): it is \(kind), not a regular file (storemon follows only regular log files)"
        case .noMainLog(let dir):
            return "no main log in \(dir) yet (looked for mainlog and datestamped mainlogYYYYMMDD)"
        case .store(let why):
            return "cannot store log bytes in the tainted pool: \(why)"
        }
    }
}
