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
/// `preferredSize` (16 TiB of x86_64's 128 TiB user space), halved on refusal down to
/// `minimumSize` (a `ulimit -v` below that leaves no arena: stores cannot be created).
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
    /// Free ranges (offsets from `base`), sorted by offset, coalesced.
    private var free: [(offset: Int, size: Int)]
    /// Bytes carved and not given back (statistics and tests).
    private(set) var carvedBytes = 0

    /// Reserves the range (see the type's description). Result: nil when every size
    /// down to `minimumSize` is refused.
    private init?() {
        var size = TaintArena.preferredSize
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
        free = [(0, size)]
        lock = .allocate(capacity: 1)
        pthread_mutex_init(lock, nil)
    }

    /// Takes `bytes` (a page multiple) from the arena, first fit, read-write and reading
    /// as zero. Result: the piece's address, or nil (nothing changed) when no free range
    /// is large enough or the piece cannot be made accessible (errno in `failure`).
    func carve(_ bytes: Int, failure: inout Int32) -> UInt? {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        guard bytes > 0, let k = free.firstIndex(where: { $0.size >= bytes }) else { failure = 0; return nil }
        let at = base + UInt(free[k].offset)
        if protectsPieces, mprotect(UnsafeMutableRawPointer(bitPattern: at), bytes, PROT_READ | PROT_WRITE) != 0 {
            failure = errno
            return nil
        }
        if free[k].size == bytes { free.remove(at: k) } else {
            free[k].offset += bytes
            free[k].size -= bytes
        }
        carvedBytes += bytes
        return at
    }

    /// Gives back a piece `carve` returned: its pages go back to the kernel (they read as
    /// zero when carved again) and the range joins the free list, merged with its neighbours.
    func giveBack(_ at: UInt, bytes: Int) {
        let p = UnsafeMutableRawPointer(bitPattern: at)
        _ = madvise(p, bytes, MADV_DONTNEED)
        if protectsPieces { _ = mprotect(p, bytes, PROT_NONE) }
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        let off = Int(at - base)
        var lo = 0, hi = free.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if free[mid].offset < off { lo = mid + 1 } else { hi = mid }
        }
        free.insert((off, bytes), at: lo)
        if lo + 1 < free.count, off + bytes == free[lo + 1].offset {
            free[lo].size += free[lo + 1].size
            free.remove(at: lo + 1)
        }
        if lo > 0, free[lo - 1].offset + free[lo - 1].size == off {
            free[lo - 1].size += free[lo].size
            free.remove(at: lo)
        }
        carvedBytes -= bytes
    }

    /// Bytes carved now (under the lock).
    var inUse: Int {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return carvedBytes
    }
}
