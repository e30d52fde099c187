/// Internal: the caller's function and line, as Exim's `__FUNCTION__`/`__LINE__`.
@usableFromInline
struct CallSite {
    @usableFromInline let function: StaticString
    @usableFromInline let line: Int
    /// True for the store's own sites (Exim's `store_newblock_3`, `quoted_pool_new`),
    /// which a replay's call-site override does not replace.
    @usableFromInline let isInternal: Bool

    @inlinable
    init(_ function: StaticString, _ line: Int, isInternal: Bool = false) {
        self.function = function
        self.line = line
        self.isInternal = isInternal
    }
}

/// Internal: Exim 4.96's `debug_printf` formatting for the memory trace.
enum TraceFormat {
    /// Swift's `#function` cut at the first "(" (`foo(_:)` gives `foo`).
    static func functionName(_ s: StaticString) -> String {
        let full = s.hasPointerRepresentation
            ? s.withUTF8Buffer { String(decoding: $0, as: UTF8.self) }
            : String(s.unicodeScalar)
        return cut(full)
    }

    /// A name cut at the first "(".
    static func cut(_ full: String) -> String {
        if let i = full.firstIndex(of: "(") { return String(full[..<i]) }
        return full
    }

    /// Exim 4.96 `%-Ns`: the width is also the precision (truncate to `width` bytes), and
    /// 4.96 ignores `-`, so the text is right-aligned.
    static func field(_ s: String, _ width: Int) -> String {
        var u = Array(s.utf8)
        if u.count > width { u = Array(u[0..<width]) }
        let t = String(decoding: u, as: UTF8.self)
        return u.count < width ? String(repeating: " ", count: width - u.count) + t : t
    }

    /// `%Nd` / `%Nu`: right-aligned in `width`, never truncated.
    static func num(_ n: Int, _ width: Int) -> String {
        let t = String(n)
        return t.count < width ? String(repeating: " ", count: width - t.count) + t : t
    }

    /// glibc `%6p`: `0x` and lower-case hex; `(nil)` for a null pointer.
    static func ptr(_ p: UnsafeRawPointer?) -> String {
        guard let p else { return "(nil)" }
        let t = "0x" + String(UInt(bitPattern: p), radix: 16)
        return t.count < 6 ? String(repeating: " ", count: 6 - t.count) + t : t
    }
}

extension Store {
    /// The printed function name and line of a call site (the replay override wins
    /// for callers' sites).
    func names(_ site: CallSite) -> (String, Int) {
        if !site.isInternal, let o = callSiteOverride { return (TraceFormat.cut(o.function), o.line) }
        return (TraceFormat.functionName(site.function), site.line)
    }

    /// Sends one line to the trace sink, if any.
    @inline(__always) func emit(_ make: () -> String) {
        if handle.state.slowFlags & 1 != 0, let sink = traceSink { sink(make()) }
    }

    /// `---%d Get %6p %5d %-14s %4d` (or `---QQ Get` for a quoted pool).
    func traceGet(pool: Int, _ p: UnsafeRawPointer?, size: Int, _ site: CallSite) {
        emit {
            let (f, l) = names(site)
            let tag = pool >= PoolSlot.firstQuotedSlot ? "QQ" : String(pool)
            return "---\(tag) Get \(TraceFormat.ptr(p)) \(TraceFormat.num(size, 5)) \(TraceFormat.field(f, 14)) \(TraceFormat.num(l, 4))"
        }
    }

    /// `--Malloc %6p %5lu bytes\t%-20s %4d\tpool %5d  nonpool %5d`.
    func traceMalloc(_ p: UnsafeRawPointer, bytes: Int, _ site: CallSite) {
        emit {
            let (f, l) = names(site)
            return "--Malloc \(TraceFormat.ptr(p)) \(TraceFormat.num(bytes, 5)) bytes\t\(TraceFormat.field(f, 20)) \(TraceFormat.num(l, 4))\tpool \(TraceFormat.num(poolMalloc, 5))  nonpool \(TraceFormat.num(nonpoolMalloc, 5))"
        }
    }

    /// `----Free %6p %5ld bytes\t%-20s %4d`.
    func traceFree(_ p: UnsafeRawPointer, bytes: Int, _ site: CallSite) {
        emit {
            let (f, l) = names(site)
            return "----Free \(TraceFormat.ptr(p)) \(TraceFormat.num(bytes, 5)) bytes\t\(TraceFormat.field(f, 20)) \(TraceFormat.num(l, 4))"
        }
    }

    /// The name Exim prints for a pool in Ext/Rel lines: its index, or `Q<n>` for a
    /// quoted pool (n = its position in the newest-first list; Exim prints a pointer
    /// difference there that is meaningful only for the head, 0).
    func poolTag(_ index: Int) -> String {
        if index >= PoolSlot.firstQuotedSlot { return "Q\(quotedOrder.firstIndex(of: index) ?? 0)" }
        return String(index)
    }
}
