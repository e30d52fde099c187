/// An escaping context: the normal way for tainted bytes to leave taint, by being
/// quoted for one use (a terminal, a shell, a lookup query…).
public protocol TaintQuoter {
    /// The quoted result (a type the consuming API accepts).
    associatedtype Quoted
    /// Quotes raw tainted bytes.
    func quote(_ raw: UnsafeRawBufferPointer) -> Quoted
}
