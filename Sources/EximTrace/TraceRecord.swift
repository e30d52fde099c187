/// A pool as a memory line names it: one of Exim's ten paired pools (`---5 Get`),
/// or a quoted pool (`---QQ Get` names none, `---Q0 Ext` names a list position).
public enum TracePool: Hashable, Sendable, CustomStringConvertible {
    /// A paired pool by Exim's index (0...4 untainted, 5...9 their tainted twins).
    case paired(Int)
    /// A quoted pool; `nil` for `---QQ`, otherwise the printed `Q<n>` number
    /// (meaningful only as 0, the list head; see exim-store.md section 11.2).
    case quoted(Int?)

    /// The paired index, or `nil` for a quoted pool.
    public var pairedIndex: Int? {
        if case .paired(let i) = self { return i }
        return nil
    }

    /// `5`, `Q0` or `QQ`, as Exim prints it after `---`.
    public var description: String {
        switch self {
        case .paired(let i): return String(i)
        case .quoted(let n?): return "Q\(n)"
        case .quoted(nil): return "QQ"
        }
    }
}

/// The caller Exim names on a memory line: a C function name (cut to 14 or 20
/// characters by Exim's formatter, spaces removed) and its source line.
public struct TraceCallSite: Hashable, Sendable, CustomStringConvertible {
    /// The function name as printed, without padding (possibly truncated).
    public var function: String
    /// The source line number in Exim's file.
    public var line: Int
    /// Makes a call site.
    public init(function: String, line: Int) {
        self.function = function
        self.line = line
    }
    /// `function line`.
    public var description: String { "\(function) \(line)" }
}

/// The time prefix `+timestamp` adds: `HH:MM:SS ` or `HH:MM:SS.mmm `.
public struct TraceTimestamp: Hashable, Sendable, CustomStringConvertible {
    /// Milliseconds since midnight.
    public let millisecondsOfDay: Int32
    /// Whether the line printed milliseconds.
    public let hasMilliseconds: Bool
    /// Makes a timestamp (fields are not range-checked beyond their two or three digits).
    public init(hour: Int, minute: Int, second: Int, millisecond: Int? = nil) {
        millisecondsOfDay = Int32(truncatingIfNeeded: ((hour * 60 + minute) * 60 + second) * 1000 + (millisecond ?? 0))
        hasMilliseconds = millisecond != nil
    }
    /// Hours.
    public var hour: Int { Int(millisecondsOfDay) / 3_600_000 }
    /// Minutes.
    public var minute: Int { Int(millisecondsOfDay) / 60_000 % 60 }
    /// Seconds.
    public var second: Int { Int(millisecondsOfDay) / 1000 % 60 }
    /// Milliseconds, when the millisecond log selector was on.
    public var millisecond: Int? { hasMilliseconds ? Int(millisecondsOfDay) % 1000 : nil }
    /// As Exim prints it.
    public var description: String {
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : String(v) }
        var s = "\(two(hour)):\(two(minute)):\(two(second))"
        if let ms = millisecond { s += "." + String(String(ms + 1000).dropFirst()) }
        return s
    }
}

/// The first line of every Exim debug run: `Exim version 4.96 uid=0 gid=0 pid=N D=f7735cfd`.
/// It starts a new (exec'd) process; `D=` is the debug selector.
public struct TraceVersion: Hashable, Sendable {
    /// The version text, e.g. `4.96`.
    public var version: String
    /// `uid=` value, if printed.
    public var uid: Int?
    /// `gid=` value, if printed.
    public var gid: Int?
    /// The new process's pid.
    public var pid: Int
    /// The debug selector bits (`D=` in hex), if printed.
    public var selector: UInt32?

    /// Selector bit of `+memory`.
    public static let memoryBit: UInt32 = 0x0002_0000
    /// Selector bit of `+pid`: every line starts with `%5d `.
    public static let pidBit: UInt32 = 0x0008_0000
    /// Selector bit of `+timestamp`: every line starts with `HH:MM:SS `.
    public static let timestampBit: UInt32 = 0x0800_0000

    /// Makes a version record.
    public init(version: String, uid: Int?, gid: Int?, pid: Int, selector: UInt32?) {
        self.version = version; self.uid = uid; self.gid = gid; self.pid = pid; self.selector = selector
    }
    /// Whether memory debugging is on (true when `D=` is missing: assume so).
    public var hasMemory: Bool { selector.map { $0 & Self.memoryBit != 0 } ?? true }
    /// Whether lines carry a pid prefix, when `D=` tells.
    public var hasPidPrefix: Bool? { selector.map { $0 & Self.pidBit != 0 } }
    /// Whether lines carry a timestamp prefix, when `D=` tells.
    public var hasTimestampPrefix: Bool? { selector.map { $0 & Self.timestampBit != 0 } }
}

/// One `----Exit  pool …` line: the maxima of one pool at process exit.
public struct TraceExitPool: Hashable, Sendable {
    /// `.paired(i)` for `pool  i`, `.quoted(n)` for `pool Qn`.
    public var pool: TracePool
    /// Maximum bytes in blocks, rounded up to whole kB.
    public var kB: Int
    /// Maximum number of blocks.
    public var blocks: Int
    /// The (quirky) high-water order.
    public var order: Int
    /// The class and use words after the tab, e.g. `tainted perm` or `tainted quoted:mysql`.
    public var label: String
    /// Makes an exit pool line.
    public init(pool: TracePool, kB: Int, blocks: Int, order: Int, label: String) {
        self.pool = pool; self.kB = kB; self.blocks = blocks; self.order = order; self.label = label
    }
}

/// What one physical trace line says. Memory records carry Exim's own figures;
/// addresses are Exim's (`nil` for a printed `(nil)`).
public enum TraceEvent: Hashable, Sendable {
    /// `---p Get addr size func line` (size unrounded) or `---QQ Get`.
    case get(pool: TracePool, address: UInt64?, size: Int, site: TraceCallSite)
    /// `---p Ext addr newsize func line`: a successful `store_extend`.
    case extend(pool: TracePool, address: UInt64?, newSize: Int, site: TraceCallSite)
    /// `---p Rel addr bytes func line\tpool N`: `store_release_above`.
    case releaseAbove(pool: TracePool, address: UInt64?, bytes: Int, site: TraceCallSite, poolTotal: Int)
    /// `---p Rst addr bytes func line\tpool N`: one half of a `store_reset`.
    case reset(pool: Int, address: UInt64?, bytes: Int, site: TraceCallSite, poolTotal: Int)
    /// `---p Mrk func line\tpool N`: a `store_mark` (its two gets follow).
    case mark(pool: Int, site: TraceCallSite, poolTotal: Int)
    /// `--Malloc addr size bytes\tfunc line\tpool N  nonpool M` (size includes the 8-byte prefix).
    case malloc(address: UInt64?, size: Int, site: TraceCallSite, poolTotal: Int, nonpoolTotal: Int)
    /// `----Free addr size bytes\tfunc line`.
    case free(address: UInt64?, size: Int, site: TraceCallSite)
    /// `-Release addr func line pool_malloc`: `store_newblock` gave back a whole block (header address).
    case releaseBlock(address: UInt64?, site: TraceCallSite, poolTotal: Int)
    /// `non-last memory release try: func line`: a release-above that found no current block.
    case releaseMiss(site: TraceCallSite)
    /// `allocating quoted-block for quoter N (from func line)`: the next `---QQ Get` is for quoter N.
    case quotedBlock(quoter: Int, site: TraceCallSite)
    /// `----Exit nonpool max: K kB in B blocks`.
    case exitNonpool(kB: Int, blocks: Int)
    /// `----Exit npools  max: K kB`.
    case exitNpools(kB: Int)
    /// `----Exit  pool …`.
    case exitPool(TraceExitPool)
    /// `Exim version … pid=N D=…`: a new exec'd process.
    case version(TraceVersion)
    /// `<name> forking for <purpose>` (parent, just before `fork()`).
    case forking(name: String, purpose: String)
    /// `postfork: <purpose>` (the child's first line).
    case postfork(purpose: String)
    /// `<name> forked for <purpose>: <pid>` (parent, after `fork()`).
    case forked(name: String, purpose: String, child: Int)
    /// `>>>>… Exim pid=N (name) terminating with rc=R >>>>…`.
    case terminating(pid: Int, name: String, rc: Int)
    /// A line that begins like a memory or exit record but does not parse (cut or garbled).
    case malformed(String)
    /// Any other debug output, kept verbatim.
    case noise(String)
}

/// The kind of a `TraceEvent`, for counting and dispatch.
public enum TraceRecordKind: String, CaseIterable, Hashable, Sendable {
    case get, extend, releaseAbove, reset, mark, malloc, free, releaseBlock, releaseMiss, quotedBlock
    case exitNonpool, exitNpools, exitPool, version, forking, postfork, forked, terminating
    case malformed, noise
}

extension TraceEvent {
    /// This event's kind.
    public var kind: TraceRecordKind {
        switch self {
        case .get: return .get
        case .extend: return .extend
        case .releaseAbove: return .releaseAbove
        case .reset: return .reset
        case .mark: return .mark
        case .malloc: return .malloc
        case .free: return .free
        case .releaseBlock: return .releaseBlock
        case .releaseMiss: return .releaseMiss
        case .quotedBlock: return .quotedBlock
        case .exitNonpool: return .exitNonpool
        case .exitNpools: return .exitNpools
        case .exitPool: return .exitPool
        case .version: return .version
        case .forking: return .forking
        case .postfork: return .postfork
        case .forked: return .forked
        case .terminating: return .terminating
        case .malformed: return .malformed
        case .noise: return .noise
        }
    }

    /// Whether this is one of the allocator's memory lines (not exit, process or noise).
    public var isMemory: Bool {
        switch kind {
        case .get, .extend, .releaseAbove, .reset, .mark, .malloc, .free, .releaseBlock, .releaseMiss, .quotedBlock:
            return true
        default:
            return false
        }
    }

    /// The call site named on the line, if any.
    public var site: TraceCallSite? {
        switch self {
        case .get(_, _, _, let s), .extend(_, _, _, let s), .releaseAbove(_, _, _, let s, _),
             .reset(_, _, _, let s, _), .mark(_, let s, _), .malloc(_, _, let s, _, _), .free(_, _, let s),
             .releaseBlock(_, let s, _), .releaseMiss(let s), .quotedBlock(_, let s):
            return s
        default:
            return nil
        }
    }
}

/// One physical line of an `exim -d+memory` trace.
public struct TraceRecord: Hashable, Sendable {
    /// 1-based line number in the input.
    public var line: Int
    /// The pid from a `+pid` prefix, if the line has one.
    public var pid: Int?
    /// The time from a `+timestamp` prefix, if the line has one.
    public var timestamp: TraceTimestamp?
    /// For a memory record glued to the end of another debug line, the text before it.
    public var gluedText: String?
    /// What the line says.
    public var event: TraceEvent

    /// Makes a record.
    public init(line: Int, pid: Int? = nil, timestamp: TraceTimestamp? = nil, gluedText: String? = nil, event: TraceEvent) {
        self.line = line; self.pid = pid; self.timestamp = timestamp; self.gluedText = gluedText; self.event = event
    }
    /// The event's kind.
    public var kind: TraceRecordKind { event.kind }
}
