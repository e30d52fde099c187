import EximTrace
import Store

/// One replayed process as a screen draws it: plain values (Store's own statistics types),
/// made from the replay model; no live state, nothing lazy.
public struct ProcessSnapshot: Sendable, Equatable {
    /// Replay-wide id (stable while the process lives).
    public var id: Int
    /// The pid, when known.
    public var pid: Int?
    /// `fresh-exec` or the fork purpose.
    public var purpose: String
    /// Whether it printed its `terminating` line.
    public var terminated: Bool
    /// Memory records applied to it.
    public var records: Int
    /// The ten paired pools (index 0…9).
    public var pools: [PoolStatistics]
    /// Quoted pools, newest first: quoter number and figures.
    public var quoted: [(quoter: Int, pool: PoolStatistics)]
    /// `pool_malloc` and `nonpool_malloc` now (nil until the trace printed a figure to solve the start).
    public var poolTotal: Int?
    public var nonpoolTotal: Int?

    public static func == (a: ProcessSnapshot, b: ProcessSnapshot) -> Bool {
        a.id == b.id && a.pid == b.pid && a.purpose == b.purpose && a.terminated == b.terminated && a.records == b.records
            && a.pools == b.pools && a.poolTotal == b.poolTotal && a.nonpoolTotal == b.nonpoolTotal
            && a.quoted.map(\.quoter) == b.quoted.map(\.quoter) && a.quoted.map(\.pool) == b.quoted.map(\.pool)
    }

    /// Bytes in blocks over the ten pools.
    public var bytesInPools: Int { pools.reduce(0) { $0 + $1.bytes } }
}

/// The record just applied, as a screen shows it (trace text still tainted: quote it).
public struct RecordSummary: Sendable, Equatable {
    /// The trace line.
    public var line: Int
    /// The pid the line names or the replay gave it.
    public var pid: Int?
    /// `Get`, `Ext`, `Rel`, `Rst`, `Mrk`, `Malloc`, `Free`, `Release`, `Exit`, `Fork`, `Exec`, …
    public var operation: String
    /// The pool a memory record names (`5`, `Q0`, `QQ`).
    public var pool: String?
    /// Exim's function (as printed, possibly cut) and source line.
    public var function: String?
    public var sourceLine: Int?
}

/// Everything a replay screen draws at one moment: plain values from the one engine.
public struct ReplaySnapshot: Sendable {
    /// The last record read.
    public var record: RecordSummary?
    /// The process that record went to.
    public var currentProcessID: Int?
    /// Live processes (the most recently active first, at most `limit`), then recently ended ones.
    public var processes: [ProcessSnapshot]
    /// Live processes in all.
    public var liveProcesses: Int
    /// Memory records applied so far.
    public var memoryRecords: Int
    /// Whether the input is exhausted.
    public var isFinished: Bool
    /// The check summary so far.
    public var summary: String
    /// Memory lines with a differing figure so far.
    public var lineMismatches: Int
}

extension PoolModel {
    /// The figures as Store's statistics value.
    var statistics: PoolStatistics {
        var blocks: [BlockStatistics] = []
        blocks.reserveCapacity(chain.count)
        for (i, b) in chain.enumerated() {
            let used: Int
            if i < current { used = b.length }
            else if i == current { used = max(0, min(b.length, Int(Int64(bitPattern: nextYield &- b.start)))) }
            else { used = 0 }
            blocks.append(BlockStatistics(length: b.length, used: b.kind == .closed ? b.length : used))
        }
        return PoolStatistics(bytes: nbytes, blocks: nblocks, maxBytes: maxBytes, maxBlocks: maxBlocks, order: order,
                              maxOrder: maxOrder, chain: blocks, currentBlock: current >= 0 ? current : nil)
    }
}

extension ReplayCore {
    func snapshot(of p: ProcessModel) -> ProcessSnapshot {
        let l = lineages[p.lineage]
        return ProcessSnapshot(id: p.id, pid: p.pid, purpose: p.purpose, terminated: p.terminated, records: p.records,
                               pools: p.pools.map(\.statistics), quoted: p.quoted.map { ($0.quoter, $0.pool.statistics) },
                               poolTotal: l?.p0.map { $0 &+ p.poolDelta &+ p.poolAdjust },
                               nonpoolTotal: l?.n0.map { $0 &+ p.nonpoolDelta &+ p.nonpoolAdjust })
    }

    /// The live processes as plain values, most recently active first (at most `limit`).
    func processSnapshots(limit: Int = 64) -> [ProcessSnapshot] {
        let live = procs.values.sorted { $0.m.lastLine > $1.m.lastLine }.prefix(limit)
        return live.map { snapshot(of: $0.m) }
    }

    /// The process the last record went to, as plain values (nil when it has ended).
    var currentProcessSnapshot: ProcessSnapshot? {
        currentProcessID.flatMap { procs[$0]?.m }.map { snapshot(of: $0) }
    }

    /// The last record read, summarised.
    var currentSummary: RecordSummary? {
        guard let r = currentRecord else { return nil }
        let site = r.event.site
        return RecordSummary(line: r.line, pid: r.pid ?? currentProcessID.flatMap { procs[$0]?.m.pid }, operation: r.event.operationName,
                             pool: r.event.poolName, function: site?.function, sourceLine: site?.line)
    }
}

extension TraceEvent {
    /// Short operation name for screens.
    public var operationName: String {
        switch self {
        case .get: return "Get"
        case .extend: return "Ext"
        case .releaseAbove: return "Rel"
        case .reset: return "Rst"
        case .mark: return "Mrk"
        case .malloc: return "Malloc"
        case .free: return "Free"
        case .releaseBlock: return "Release"
        case .releaseMiss: return "Rel-miss"
        case .quotedBlock: return "Quoted"
        case .exitNonpool, .exitNpools, .exitPool: return "Exit"
        case .version: return "Exec"
        case .forking, .forked, .postfork: return "Fork"
        case .terminating: return "End"
        case .malformed: return "Cut"
        case .noise: return "-"
        }
    }

    /// The pool a memory record names (`5`, `Q0`, `QQ`), if any.
    public var poolName: String? {
        switch self {
        case .get(let p, _, _, _), .extend(let p, _, _, _), .releaseAbove(let p, _, _, _, _): return p.description
        case .reset(let p, _, _, _, _), .mark(let p, _, _): return String(p)
        default: return nil
        }
    }
}
