#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Store {
    /// Exim's `store_malloc`: `size` bytes outside the pools (C `malloc`), counted in the
    /// non-pool figures exactly as Exim counts them (8-byte size prefix, minimum 16,
    /// the quirky `max_nonpool_blocks`). Free it with `free(_:)`; there is no realloc.
    /// Throws `.badSize` for a negative size or one of 2^30 - 1 or more (nothing moves).
    public func malloc(_ size: Int, function: StaticString = #function, line: Int = #line) throws(StoreError) -> UnsafeMutableRawPointer {
        guard size >= 0, size < Store.maxRequest else { throw .badSize(size) }
        let total = max(size + 8, 16)
        guard let p = StoreHandle.mallocWithPrefix(total) else { throw .outOfAddressSpace(errno: ENOMEM) }
        let old = nonpoolBlocks
        nonpoolBlocks += 1
        if old > maxNonpoolBlocks { maxNonpoolBlocks = nonpoolBlocks }
        nonpoolMalloc += total
        if nonpoolMalloc > maxNonpoolMalloc { maxNonpoolMalloc = nonpoolMalloc }
        if options.poisonOnRelease { StoreHandle.poison(p, bytes: total - 8) }
        liveMallocs[UInt(bitPattern: p)] = total
        traceMalloc(p, bytes: total, CallSite(function, line))
        return p
    }

    /// Exim's `store_free` of memory from `malloc(_:)`: counters down, `----Free`, C `free`.
    /// Returns false, and does nothing, for an address this store did not hand out (or
    /// already freed): bad input never crashes.
    @discardableResult
    public func free(_ p: UnsafeMutableRawPointer, function: StaticString = #function, line: Int = #line) -> Bool {
        guard let total = liveMallocs.removeValue(forKey: UInt(bitPattern: p)) else { return false }
        nonpoolBlocks -= 1
        nonpoolMalloc -= total
        traceFree(p, bytes: total, CallSite(function, line))
        freeRaw(p)
        return true
    }

    /// Frees a tracked malloc's underlying C block (with its size prefix).
    func freeRaw(_ p: UnsafeMutableRawPointer) {
        StoreHandle.freeWithPrefix(p)
    }
}
