import SystemPackage
#if canImport(Glibc)
import Glibc
#endif

/// The names in a directory (`opendir`/`readdir`/`closedir`, wrapped here so readers
/// make no directory system calls of their own).
package enum DirectoryListing {
    /// Calls `body` with each name in `path` (not `.` or `..`) as raw bytes, until it
    /// returns false. The bytes are valid only during the call.
    ///
    /// - Throws: `SystemFailure` (`opendir`) when the directory cannot be opened.
    package static func forEachName(in path: String, _ body: (UnsafeBufferPointer<UInt8>) -> Bool) throws(SystemFailure) {
        var dir: OpaquePointer?
        repeat { dir = opendir(path) } while dir == nil && Errno.last == .interrupted
        guard let dir else { throw .last("opendir", path: path) }
        defer { closedir(dir) }
        while let entry = readdir(dir) {
            let goOn = withUnsafeBytes(of: &entry.pointee.d_name) { raw -> Bool in
                let bytes = raw.bindMemory(to: UInt8.self)
                let n = bytes.firstIndex(of: 0) ?? bytes.count
                let name = UnsafeBufferPointer(rebasing: bytes[..<n])
                if n == 1 && name[0] == UInt8(ascii: ".") { return true }
                if n == 2 && name[0] == UInt8(ascii: ".") && name[1] == UInt8(ascii: ".") { return true }
                return body(name)
            }
            if !goOn { break }
        }
    }
}
