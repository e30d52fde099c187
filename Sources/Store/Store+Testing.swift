/// Test hooks (`@_spi(Testing) import Store`): named views of internals that tests check,
/// so no test reaches into the store's storage with `@testable import`.
extension Store {
    /// One live block as tests see it.
    @_spi(Testing)
    public struct BlockView: Sendable, Equatable {
        /// Pool slot: 0...9 paired (Exim's index), 10... quoted.
        public var pool: Int
        /// First data byte.
        public var dataStart: UInt
        /// Usable data bytes.
        public var length: Int
    }

    /// Every block of every pool in use, chain order, pool by pool.
    @_spi(Testing)
    public func blocksForTesting() -> [BlockView] {
        (0..<PoolSlot.count).filter { handle[pool: $0].isActive }.flatMap { i in
            handle[pool: i].chain.map { BlockView(pool: i, dataStart: UInt(bitPattern: $0.dataStart), length: $0.length) }
        }
    }

    /// True when every operation takes the slow path (a trace sink or poisoning is set).
    @_spi(Testing)
    public var takesSlowPathForTesting: Bool { handle.isSlow }

    /// Bytes of pool `pool`'s reserved ranges handed out or on their free lists.
    @_spi(Testing)
    public func reservedExtentForTesting(pool: Int) -> Int { space.extent(slot: pool) }

    /// Freed bytes of pool `pool` not yet handed back to the kernel.
    @_spi(Testing)
    public func retainedBytesForTesting(pool: Int) -> Int { space.retainedBytes(slot: pool) }

    /// Address ranges this store has reserved (1 until a pool outgrows its first range).
    @_spi(Testing)
    public var reservedRangeCountForTesting: Int { space.extents.count }

    /// Number of marks of pool kind `kind` still valid (the depth of its mark stack).
    @_spi(Testing)
    public func validMarkCountForTesting(_ kind: PoolKind) -> Int { handle.markDepth(kind: kind.rawValue) }
}

/// Exim's trace formatting primitives, for format tests.
@_spi(Testing)
public enum TraceFormatForTesting {
    /// A name cut at the first "(".
    public static func cut(_ s: String) -> String { TraceFormat.cut(s) }
    /// `%-Ns` as Exim 4.96 prints it (truncated to and right-aligned in `width`).
    public static func field(_ s: String, _ width: Int) -> String { TraceFormat.field(s, width) }
    /// `%Nd`.
    public static func num(_ n: Int, _ width: Int) -> String { TraceFormat.num(n, width) }
    /// glibc `%6p`.
    public static func ptr(_ p: UnsafeRawPointer?) -> String { TraceFormat.ptr(p) }
}
