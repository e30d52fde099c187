#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Internal, unsafe: one address range per process that holds the tainted and quoted
/// slots of every `Store`, so that "is this address tainted?" is one subtract and one
/// unsigned compare for any address, whatever store it comes from and however far that
/// store has grown.
///
/// The range is reserved once, at the first store's creation, as one read-write
/// `MAP_NORESERVE` mapping (no commit charge, no memory until a page is touched, one
/// kernel mapping however many stores carve from it). Where the kernel refuses that
/// (`vm.overcommit_memory=2` charges writable private mappings), it is reserved
/// `PROT_NONE` and each piece is made read-write when carved. The size tried is
/// `preferredSize` (16 TiB of x86_64's 128 TiB user space; under a finite `ulimit -v`,
/// at most half of it), halved on refusal down to `minimumSize` (a `ulimit -v` below
/// twice that leaves no arena: stores cannot be created).
///
/// Nothing else can ever be mapped inside the reservation, so an address in it is
/// either in some store's tainted or quoted slots or unused: counting it tainted is
/// exact for live memory and errs, for unused space, in the safe direction.
///
/// Thread-safe: stores on different threads carve and give back pieces under a lock.
final class TaintArena: @unchecked Sendable {
    /// The process's arena, reserved at first use; nil if no size could be reserved.
    static let shared: TaintArena? = TaintArena()

    /// 16 TiB, then halves while the kernel refuses.
    static var preferredSize: Int { 1 << 44 }
    /// 1 GiB: below this no arena is made.
    static var minimumSize: Int { 1 << 30 }

    /// Start and size of the reservation.
    let base: UInt
    let size: Int
    /// True when the reservation is `PROT_NONE` and pieces are made accessible one by one.
    let protectsPieces: Bool

    private let lock: UnsafeMutablePointer<pthread_mutex_t>
    /// Bytes from `base` handed out by bumping; everything above is unused.
    private var top = 0
    /// Pieces given back, by size. Pieces come in few sizes (27 slots of 2^20 ... 2^36
    /// bytes), so a piece is reused whole by the next request of its size: O(1) both
    /// ways, whatever order stores are freed in.
    private var freeBySize: [Int: [UInt]] = [:]

    /// Reserves the range (see the type's description). Result: nil when every size
    /// down to `minimumSize` is refused.
    private init?() {
        // Under a finite `ulimit -v`, at most half of it: the rest of the process needs room too.
        var size = TaintArena.preferredSize
        if let limit = TaintArena.addressSpaceLimit() {
            while size > TaintArena.minimumSize && UInt64(size) > limit / 2 { size >>= 1 }
        }
        var reserved: (UnsafeMutableRawPointer, Bool)?
        while size >= TaintArena.minimumSize && reserved == nil {
            for protectsPieces in [false, true] {
                let prot = protectsPieces ? PROT_NONE : PROT_READ | PROT_WRITE
                let p = mmap(nil, size, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0)
                if let p, p != MAP_FAILED { reserved = (p, protectsPieces); break }
            }
            if reserved == nil { size >>= 1 }
        }
        guard let (p, protects) = reserved else { return nil }
        base = UInt(bitPattern: p)
        self.size = size
        protectsPieces = protects
        lock = .allocate(capacity: 1)
        pthread_mutex_init(lock, nil)
    }

    /// The process's `RLIMIT_AS` (`ulimit -v`) in bytes, or nil when unlimited.
    private static func addressSpaceLimit() -> UInt64? {
        var limit = rlimit()
#if canImport(Glibc)
        let resource = __rlimit_resource_t(RLIMIT_AS.rawValue)
#else
        let resource = RLIMIT_AS
#endif
        guard getrlimit(resource, &limit) == 0, limit.rlim_cur != rlim_t.max else { return nil }
        return UInt64(limit.rlim_cur)
    }

    /// Takes `bytes` (a page multiple) from the arena, read-write and reading as zero:
    /// a piece of that size given back earlier, else the next bytes above `top`.
    /// Result: the piece's address, or nil (nothing changed) when the arena is full or the
    /// piece cannot be made accessible (errno in `failure`, else 0).
    func carve(_ bytes: Int, failure: inout Int32) -> UInt? {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        failure = 0
        guard bytes > 0 else { return nil }
        let reused = freeBySize[bytes]?.last
        guard let at = reused ?? (bytes <= size - top ? base + UInt(top) : nil) else { return nil }
        if protectsPieces, mprotect(UnsafeMutableRawPointer(bitPattern: at), bytes, PROT_READ | PROT_WRITE) != 0 {
            failure = errno
            return nil
        }
        if reused != nil { freeBySize[bytes]!.removeLast() } else { top += bytes }
        return at
    }

    /// Gives back a piece `carve` returned: its pages go back to the kernel (they read as
    /// zero when carved again), and the piece waits for the next request of its size (or,
    /// at the top, lowers the top).
    func giveBack(_ at: UInt, bytes: Int) {
        let p = UnsafeMutableRawPointer(bitPattern: at)
        _ = madvise(p, bytes, MADV_DONTNEED)
        if protectsPieces { _ = mprotect(p, bytes, PROT_NONE) }
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        if Int(at - base) + bytes == top { top -= bytes } else { freeBySize[bytes, default: []].append(at) }
    }
}
