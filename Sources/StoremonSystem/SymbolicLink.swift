import SystemPackage
#if canImport(Glibc)
import Glibc
#endif

/// Where symbolic links point: `readlink` (one link, as written) and `realpath` (every link
/// on the way followed). For `/proc/PID/exe` and the paths a process was started by.
package enum SymbolicLink {
    /// Bytes read at most from a link (`PATH_MAX`).
    static let limit = 4096

    /// The target of the link `path` as stored (not followed further), or the failure
    /// (`EINVAL`: not a link; `EACCES`: another user's `/proc/PID/exe`; `ENOENT`: gone, or a
    /// kernel thread's `exe`).
    package static func target(of path: String) throws(SystemFailure) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: limit)
        let n = buffer.withUnsafeMutableBufferPointer { b in
            b.baseAddress!.withMemoryRebound(to: CChar.self, capacity: b.count) { readlink(path, $0, b.count) }
        }
        guard n >= 0 else { throw SystemFailure.last("readlink", path: path) }
        return Array(buffer[0..<n])
    }

    /// The path `path` names with every symbolic link resolved (`realpath`), or nil when some
    /// part of it is missing or cannot be searched.
    package static func resolved(_ path: String) -> String? {
        guard let p = realpath(path, nil) else { return nil }
        defer { free(p) }
        return String(cString: p)
    }
}
