@_spi(Replay) @_spi(Testing) import Store

/// Collects a store's trace lines.
final class TraceLog {
    var lines: [String] = []
    init(_ store: Store) { store.traceSink = { [unowned self] in self.lines.append($0) } }
    func take() -> [String] { defer { lines.removeAll() }; return lines }
}

extension Store {
    /// The pool statistics of a paired pool (test shorthand).
    func stats(_ kind: PoolKind, tainted: Bool = false) -> PoolStatistics {
        statistics().pools[PoolID(kind, tainted: tainted).index]
    }
}

/// Address arithmetic in tests.
func distance(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer) -> Int { b - a }
