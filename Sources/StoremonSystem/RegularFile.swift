import SystemPackage
#if canImport(Glibc)
import Glibc
#endif

/// Why a file could not be opened for reading.
package enum OpenFailure: Error, Equatable, Sendable, CustomStringConvertible {
    /// Nothing under that name (ENOENT, ENOTDIR).
    case missing(path: String)
    /// A system call failed (permission, I/O...).
    case system(SystemFailure)
    /// It is there, but a FIFO, device, socket or directory.
    case wrongKind(WrongFileKind)

    /// A sentence naming the path.
    package var description: String {
        switch self {
        case .missing(let p): return "\(p): no such file"
        case .system(let f): return f.description
        case .wrongKind(let w): return w.description
        }
    }
}

/// A regular file opened for reading, without ever blocking: the open uses `O_NONBLOCK`
/// (a FIFO with no writer would otherwise block `open` itself) and `fstat` checks that
/// it is a regular file before a single byte is read. Closing is explicit (`close()`).
package struct RegularFile: Sendable {
    /// The descriptor (owned by this value; `close()` releases it).
    package let descriptor: FileDescriptor
    /// What `fstat` said when it was opened.
    package let status: Stat

    /// Opens `path` (relative to `directory` when given, `openat`) read-only, close-on-exec,
    /// non-blocking, without taking a controlling terminal, and checks it is a regular file.
    package static func open(_ path: String, relativeTo directory: FileDescriptor? = nil)
        throws(OpenFailure) -> RegularFile {
        let flags = O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY
        var raw: Int32
        repeat {
            raw = directory.map { openat($0.rawValue, path, flags) } ?? Glibc.open(path, flags)
        } while raw < 0 && Errno.last == .interrupted
        guard raw >= 0 else {
            let e = Errno.last
            if e == .noSuchFileOrDirectory || e == .notDirectory { throw .missing(path: path) }
            throw .system(SystemFailure("open", path: path, errno: e))
        }
        let fd = FileDescriptor(rawValue: raw)
        let st: Stat
        do { st = try fd.stat() } catch {
            _ = try? fd.close()
            throw .system(SystemFailure("fstat", path: path, errno: error))
        }
        let kind = FileKind(st)
        guard kind == .regular else {
            _ = try? fd.close()
            throw .wrongKind(WrongFileKind(path: path, kind: kind))
        }
        return RegularFile(descriptor: fd, status: st)
    }

    /// `fstat` of the open file now.
    package func stat() throws(Errno) -> Stat { try descriptor.stat() }

    /// Reads at `offset` into `buffer` (one `pread`, retried on EINTR). Result: bytes read,
    /// 0 at end of file.
    package func read(at offset: Int, into buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> Int {
        do { return try descriptor.read(fromAbsoluteOffset: Int64(offset), into: buffer) }
        catch let e as Errno { throw e } catch { throw .ioError }
    }

    /// Reads from the current position until `buffer` is full or the file ends.
    package func readFully(into buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> Int {
        var got = 0
        while got < buffer.count {
            let n: Int
            do { n = try descriptor.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[got...])) }
            catch let e as Errno { throw e } catch { throw .ioError }
            if n == 0 { break }
            got += n
        }
        return got
    }

    /// Closes the descriptor.
    package func close() { _ = try? descriptor.close() }

    /// The bytes of the small file `path`, read until end of file or `limit` bytes,
    /// whichever comes first. For `/proc` files, whose `stat` size is 0: the size is never
    /// trusted, the reads go on until `read` returns 0.
    ///
    /// - Throws: `OpenFailure` when it cannot be opened, is not a regular file, or a read fails.
    package static func contents(of path: String, limit: Int) throws(OpenFailure) -> [UInt8] {
        let file = try RegularFile.open(path)
        defer { file.close() }
        let cap = max(0, limit)
        var bytes = [UInt8](repeating: 0, count: cap)
        let got: Int
        do {
            got = try bytes.withUnsafeMutableBytes { try file.readFully(into: $0) }
        } catch {
            throw .system(SystemFailure("read", path: path, errno: (error as? Errno) ?? .ioError))
        }
        bytes.removeSubrange(got...)
        return bytes
    }
}

extension Stat {
    /// Nanoseconds since the epoch of the last modification.
    package var modificationNanoseconds: Int { Int(st_mtim.tv_sec) * 1_000_000_000 + Int(st_mtim.tv_nsec) }
}
