/// The five kinds of pool Exim keeps, each with a tainted twin.
///
/// The raw value is Exim's untainted pool index (`POOL_MAIN` = 0 … `POOL_MESSAGE` = 4).
public enum PoolKind: Int, CaseIterable, Sendable, CustomStringConvertible {
    /// Short-lived working store, reset often (`POOL_MAIN`).
    case main = 0
    /// Store that lives until the process exits (`POOL_PERM`).
    case perm
    /// Configuration data; page-aligned blocks that can be write-protected (`POOL_CONFIG`).
    case config
    /// Lookup caches, reset by a search tidy-up (`POOL_SEARCH`).
    case search
    /// Per-message store of medium lifetime (`POOL_MESSAGE`).
    case message

    /// Exim's use word for the pool (`pooluse[]`): "main", "perm", "config", "search", "message".
    public var description: String {
        switch self {
        case .main: return "main"
        case .perm: return "perm"
        case .config: return "config"
        case .search: return "search"
        case .message: return "message"
        }
    }
}

/// One of Exim's ten paired pools: a kind plus its taint class.
///
/// Index `i` in 0...4 is the untainted pool of kind `i`; `i + 5` is its tainted twin.
public struct PoolID: Hashable, Sendable, CustomStringConvertible {
    /// The pool kind (main, perm, config, search, message).
    public var kind: PoolKind
    /// True for the tainted twin (Exim's pools 5...9).
    public var isTainted: Bool

    /// A pool of `kind`, tainted or not.
    public init(_ kind: PoolKind, tainted: Bool) {
        self.kind = kind
        self.isTainted = tainted
    }

    /// The pool with Exim's index `index` (0...9); nil outside that range.
    public init?(index: Int) {
        guard (0..<10).contains(index), let k = PoolKind(rawValue: index % 5) else { return nil }
        self.kind = k
        self.isTainted = index >= 5
    }

    /// Exim's pool index: 0...4 untainted, 5...9 tainted.
    public var index: Int { kind.rawValue + (isTainted ? 5 : 0) }

    /// All ten pools in Exim's order (0...9).
    public static let allPaired: [PoolID] = (0..<10).map { PoolID(index: $0)! }

    /// Exim's class and use words, e.g. "tainted perm".
    public var description: String { (isTainted ? "tainted " : "untainted ") + kind.description }
}

/// A quoter: a named escaping context (Exim's lookup quote functions), identified like
/// Exim 4.96 by a number; the name is for display (Exim prints it in the exit statistics).
public struct Quoter: Hashable, Sendable, CustomStringConvertible {
    /// Exim's quoter number (the lookup's acquisition number). Pools are found by this alone.
    public var id: Int
    /// Display name, such as "mysql".
    public var name: String

    /// A quoter with number `id` and display `name`.
    public init(id: Int, name: String) {
        self.id = id
        self.name = name
    }

    /// The display name.
    public var description: String { name }
}

/// The pool that owns an address: one of the ten paired pools or a quoted pool.
public enum PoolOwner: Hashable, Sendable, CustomStringConvertible {
    /// One of Exim's ten paired pools.
    case paired(PoolID)
    /// The quoted pool of a quoter.
    case quoted(Quoter)

    /// True for tainted paired pools and for every quoted pool.
    public var isTainted: Bool {
        switch self {
        case .paired(let id): return id.isTainted
        case .quoted: return true
        }
    }

    /// "tainted main", "quoted:mysql", …
    public var description: String {
        switch self {
        case .paired(let id): return id.description
        case .quoted(let q): return "quoted:\(q.name)"
        }
    }
}

/// Exim's `proto_mem`: where the taint class of new memory comes from.
public enum Taint {
    /// Untainted memory (Exim's `GET_UNTAINTED`).
    case untainted
    /// Tainted memory (Exim's `GET_TAINTED`).
    case tainted
    /// The class of an existing address: the pool that owns it decides (a quoted
    /// prototype sends the request to that quoter's pool, as in Exim).
    case like(UnsafeRawPointer)
}
