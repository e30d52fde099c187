import Glibc

// The only file with system calls and raw pointers for the spool reader: directory
// listing (readdir), stat (fstatat/fstat), and whole-file reads (openat/read). Read-only: nothing
// here writes, locks, renames or removes anything.

/// What `fstatat` says about a file, compared between scans to spot changes.
struct FileKey: Equatable, Sendable {
    var inode: UInt64
    var size: Int
    var mtimeSeconds: Int
    var mtimeNanoseconds: Int
    var isRegular: Bool
    var ctimeSeconds: Int = 0
    var ctimeNanoseconds: Int = 0

    /// Makes a key from `stat` results.
    init(_ st: SwiftGlibc.stat) {
        inode = UInt64(st.st_ino)
        size = Int(st.st_size)
        mtimeSeconds = Int(st.st_mtim.tv_sec)
        mtimeNanoseconds = Int(st.st_mtim.tv_nsec)
        ctimeSeconds = Int(st.st_ctim.tv_sec)
        ctimeNanoseconds = Int(st.st_ctim.tv_nsec)
        isRegular = (st.st_mode & S_IFMT) == S_IFREG
    }

    /// A key that matches no real file.
    static let none = FileKey(inode: 0, size: -1, mtimeSeconds: 0, mtimeNanoseconds: 0, isRegular: false)

    init(inode: UInt64, size: Int, mtimeSeconds: Int, mtimeNanoseconds: Int, isRegular: Bool) {
        self.inode = inode
        self.size = size
        self.mtimeSeconds = mtimeSeconds
        self.mtimeNanoseconds = mtimeNanoseconds
        self.isRegular = isRegular
    }

    /// True when both the mtime and the ctime are before `time` (seconds since the epoch).
    func changedBefore(_ time: Double) -> Bool {
        Double(mtimeSeconds) + Double(mtimeNanoseconds) / 1e9 < time
            && Double(ctimeSeconds) + Double(ctimeNanoseconds) / 1e9 < time
    }
}

/// Wall-clock time in seconds since the epoch (compared with file times).
func wallClock() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// Result of a stat or read: the thing, "gone" (ENOENT: a message that completed), or an errno.
enum FileOutcome<T> {
    case ok(T)
    case gone
    case failed(operation: String, errno: Int32)
}

/// An open directory: its `DIR*` for listing and its descriptor for `fstatat`/`openat`.
final class SpoolDirectoryHandle {
    let dir: OpaquePointer
    let fd: Int32

    /// Opens `path` (nil and errno on failure).
    static func open(_ path: String) -> FileOutcome<SpoolDirectoryHandle> {
        guard let d = opendir(path) else {
            return errno == ENOENT ? .gone : .failed(operation: "opendir", errno: errno)
        }
        return .ok(SpoolDirectoryHandle(d))
    }

    /// Opens the sub-directory `name` (one character) of `parent`.
    static func open(_ name: UInt8, in parent: SpoolDirectoryHandle) -> FileOutcome<SpoolDirectoryHandle> {
        var path: (CChar, CChar) = (CChar(bitPattern: name), 0)
        let fd = withUnsafePointer(to: &path) {
            $0.withMemoryRebound(to: CChar.self, capacity: 2) {
                openat(parent.fd, $0, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            }
        }
        guard fd >= 0 else { return errno == ENOENT ? .gone : .failed(operation: "open", errno: errno) }
        guard let d = fdopendir(fd) else {
            let e = errno
            close(fd)
            return .failed(operation: "fdopendir", errno: e)
        }
        return .ok(SpoolDirectoryHandle(d))
    }

    private init(_ d: OpaquePointer) {
        dir = d
        fd = dirfd(d)
    }

    deinit { closedir(dir) }

    /// Calls `body` with each entry's name (bytes, no NUL) and whether it is (or may be)
    /// a directory.
    func forEachEntry(_ body: (UnsafeBufferPointer<UInt8>, _ maybeDirectory: Bool) -> Void) {
        while let e = readdir(dir) {
            let type = e.pointee.d_type
            withUnsafePointer(to: &e.pointee.d_name) { tuple in
                tuple.withMemoryRebound(to: UInt8.self, capacity: 256) { name in
                    let len = strnlen(UnsafeRawPointer(name).assumingMemoryBound(to: CChar.self), 256)
                    body(UnsafeBufferPointer(start: name, count: len),
                         type == UInt8(DT_DIR) || type == UInt8(DT_UNKNOWN))
                }
            }
        }
    }

    /// Is `name` (one character) a directory? (For `DT_UNKNOWN` file systems.)
    func isDirectory(_ name: UInt8) -> Bool {
        var path: (CChar, CChar) = (CChar(bitPattern: name), 0)
        var st = SwiftGlibc.stat()
        let rc = withUnsafePointer(to: &path) {
            $0.withMemoryRebound(to: CChar.self, capacity: 2) { fstatat(fd, $0, &st, 0) }
        }
        return rc == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// `fstatat` of a file in this directory.
    func stat(_ name: UnsafePointer<CChar>) -> FileOutcome<FileKey> {
        var st = SwiftGlibc.stat()
        guard fstatat(fd, name, &st, 0) == 0 else {
            return errno == ENOENT ? .gone : .failed(operation: "stat", errno: errno)
        }
        return .ok(FileKey(st))
    }

    /// `fstat` of the directory itself.
    func statSelf() -> FileOutcome<FileKey> {
        var st = SwiftGlibc.stat()
        guard fstat(fd, &st) == 0 else { return .failed(operation: "fstat", errno: errno) }
        return .ok(FileKey(st))
    }

    /// Opens the file `name` in this directory for reading (never blocks on a FIFO).
    func open(_ name: UnsafePointer<CChar>) -> FileOutcome<SpoolFileDescriptor> {
        let fd = openat(self.fd, name, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)
        guard fd >= 0 else { return errno == ENOENT ? .gone : .failed(operation: "open", errno: errno) }
        return .ok(SpoolFileDescriptor(fd: fd))
    }
}

/// An open file being read (closed with `close()`).
struct SpoolFileDescriptor {
    let fd: Int32

    /// `fstat` of the open file.
    func stat() -> FileOutcome<FileKey> {
        var st = SwiftGlibc.stat()
        guard fstat(fd, &st) == 0 else { return .failed(operation: "fstat", errno: errno) }
        return .ok(FileKey(st))
    }

    /// Reads until `room` is full or the file ends. Returns the number of bytes read.
    func read(into room: UnsafeMutableRawBufferPointer) -> FileOutcome<Int> {
        guard let base = room.baseAddress else { return .ok(0) }
        var got = 0
        while got < room.count {
            let n = Glibc.read(fd, base + got, room.count - got)
            if n < 0 {
                if errno == EINTR { continue }
                return .failed(operation: "read", errno: errno)
            }
            if n == 0 { break }
            got += n
        }
        return .ok(got)
    }

    func close() { _ = Glibc.close(fd) }
}

/// Builds `<id><suffix>\0` in a small reusable C string.
struct SpoolName {
    private let buf = UnsafeMutablePointer<CChar>.allocate(capacity: 32)

    func release() { buf.deallocate() }

    /// The C name of `id`'s file with suffix `-H`, `-D` or `-J` (`kind` = H, D or J).
    func name(_ id: MessageID, _ kind: UInt8) -> UnsafePointer<CChar> {
        for i in 0..<id.count { buf[i] = CChar(bitPattern: id[i]) }
        buf[id.count] = CChar(UInt8(ascii: "-"))
        buf[id.count + 1] = CChar(bitPattern: kind)
        buf[id.count + 2] = 0
        return UnsafePointer(buf)
    }
}
