/// Errors of the store. Exim dies with a panic-log message in each of these cases;
/// here they are typed, and the store is left as it was before the call.
public enum StoreError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A request size that is negative or at least 2^30 - 1 bytes
    /// (Exim: "bad memory allocation requested (%d bytes)").
    case badSize(Int)
    /// An extension with a negative old size, a new size below the old one, or a new
    /// size of 2^30 - 1 or more; also a newblock copy length outside 0...newsize
    /// (Exim: "bad memory extension requested (%d -> %d bytes)").
    case badExtension(from: Int, to: Int)
    /// An address that lies in no block of any pool
    /// (Exim: "bad memory reference; pool not found").
    case poolNotFound
    /// A mark whose addresses lie in no block of the current pool or its twin
    /// (Exim: "internal error: store_reset(%p) failed").
    case badMark
    /// Tainted bytes written into untainted memory (Exim: "Taint mismatch, %s").
    case taintMismatch(operation: String)
    /// A pool's reserved address range is full, or the address space could not be
    /// reserved or made accessible (errno attached; 0 when the range is simply full).
    case outOfAddressSpace(errno: Int32)
    /// More quoters than this store has quoted-pool slots.
    case tooManyQuoters(limit: Int)
    /// `mprotect` failed while write-protecting the config pool.
    case protectionFailed(errno: Int32)

    /// A one-line explanation in Exim's words.
    public var description: String {
        switch self {
        case .badSize(let n): return "bad memory allocation requested (\(n) bytes)"
        case .badExtension(let a, let b): return "bad memory extension requested (\(a) -> \(b) bytes)"
        case .poolNotFound: return "bad memory reference; pool not found"
        case .badMark: return "store_reset called with bad mark"
        case .taintMismatch(let op): return "Taint mismatch, \(op)"
        case .outOfAddressSpace(let e): return "out of reserved address space (errno \(e))"
        case .tooManyQuoters(let n): return "too many quoters (limit \(n))"
        case .protectionFailed(let e): return "config block mprotect: (\(e))"
        }
    }
}
