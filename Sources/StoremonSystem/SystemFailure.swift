import SystemPackage
#if canImport(Glibc)
import Glibc
#endif

/// A system call that failed: which one, on which path, and its `Errno`.
///
/// The only error type in storemon that carries an errno: readers wrap it in their own
/// errors, screens print `description`. The path is kept raw; screens pass the whole
/// message through the terminal quoter before it reaches a terminal.
package struct SystemFailure: Error, Equatable, Sendable, CustomStringConvertible {
    /// The call, as a user would name it: `open`, `read`, `stat`, `opendir`, `write`...
    package var operation: String
    /// The file or directory it was about (empty for a descriptor such as stdout).
    package var path: String
    /// What the kernel said.
    package var errno: Errno

    /// Creates a failure record.
    package init(_ operation: String, path: String, errno: Errno) {
        self.operation = operation
        self.path = path
        self.errno = errno
    }

    /// The failure of the last call (reads the thread's `errno`).
    package static func last(_ operation: String, path: String) -> SystemFailure {
        SystemFailure(operation, path: path, errno: Errno.last)
    }

    /// `open failed on /var/log/exim4/mainlog: Permission denied`
    package var description: String {
        path.isEmpty ? "\(operation) failed: \(errno.description)"
                     : "\(operation) failed on \(path): \(errno.description)"
    }

    /// Just the kernel's words: `Permission denied`.
    package var reason: String { errno.description }

    /// True for ENOENT and ENOTDIR (the file is simply not there).
    package var isMissing: Bool { errno == .noSuchFileOrDirectory || errno == .notDirectory }

    /// True for EACCES and EPERM.
    package var isPermission: Bool { errno == .permissionDenied || errno == .notPermitted }
}

extension Errno {
    /// The calling thread's `errno` now.
    package static var last: Errno { Errno(rawValue: Glibc.errno) }
}
