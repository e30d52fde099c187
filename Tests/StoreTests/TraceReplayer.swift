import FixtureSupport
import Foundation
@_spi(Replay) @_spi(Testing) import Store

/// One `-d+memory` record of a real trace: its text from the record start, and its tokens.
struct TraceRecord {
    var text: String
    var tokens: [String]
    var head: String { tokens[0] }
    var verb: String { tokens.count > 1 ? tokens[1] : "" }
    var poolIndex: Int? { head.hasPrefix("---") && !head.hasPrefix("----") ? Int(head.dropFirst(3)) : nil }

    /// Finds the record in a physical line (records can follow other text: glued lines).
    static func parse(_ line: Substring) -> TraceRecord? {
        var best: String.Index? = nil
        for marker in ["----Exit", "----Free", "--Malloc", "-Release"] {
            if let r = line.range(of: marker), best == nil || r.lowerBound < best! { best = r.lowerBound }
        }
        var search = line.startIndex
        while let r = line.range(of: "---", range: search..<line.endIndex) {
            let after = line[r.upperBound...]
            if let c = after.first, c.isNumber || c == "Q" {
                if best == nil || r.lowerBound < best! { best = r.lowerBound }
                break
            }
            search = line.index(after: r.lowerBound)
        }
        guard let start = best else { return nil }
        let text = String(line[start...])
        let tokens = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard !tokens.isEmpty else { return nil }
        return TraceRecord(text: text, tokens: tokens)
    }
}

/// Replays a real Exim 4.96 trace through a `Store` and compares every memory line the
/// store prints with Exim's (addresses translated block by block).
final class TraceReplayer {
    let store: Store
    var records: [TraceRecord]
    var pos = 0
    var out: [String] = []
    /// Block map: Exim data start, our data start, length.
    var blocks: [(exim: UInt, ours: UInt, length: Int)] = []
    var mallocs: [UInt: UnsafeMutableRawPointer] = [:]   // Exim address -> ours
    var mismatches: [String] = []
    var compared = 0

    init(trace: String) throws {
        store = try Store()
        records = trace.split(separator: "\n", omittingEmptySubsequences: false).compactMap(TraceRecord.parse)
        store.traceSink = { [unowned self] in self.out.append($0) }
    }

    static func hex(_ s: String) -> UInt? { s.hasPrefix("0x") ? UInt(s.dropFirst(2), radix: 16) : nil }

    /// Exim address -> ours: tracked mallocs, then half-open block ranges (newest mapping
    /// first, as blocks are reused), then a block's end.
    func exim(toOurs e: UInt) -> UnsafeMutableRawPointer? {
        if let p = mallocs[e] { return p }
        for b in blocks.reversed() where e >= b.exim && e < b.exim + UInt(b.length) { return UnsafeMutableRawPointer(bitPattern: b.ours + (e - b.exim)) }
        for b in blocks.reversed() where e == b.exim + UInt(b.length) { return UnsafeMutableRawPointer(bitPattern: b.ours + (e - b.exim)) }
        return nil
    }

    /// Our address -> Exim's: mallocs, block headers, half-open ranges, then block ends.
    func ours(toExim a: UInt) -> UInt? {
        for (e, p) in mallocs where UInt(bitPattern: p) == a { return e }
        for b in blocks.reversed() where a == b.ours - 16 { return b.exim - 16 }
        for b in blocks.reversed() where a >= b.ours && a < b.ours + UInt(b.length) { return b.exim + (a - b.ours) }
        for b in blocks.reversed() where a == b.ours + UInt(b.length) { return b.exim + (a - b.ours) }
        return nil
    }

    func learn(our a: UInt, exim e: UInt) {
        guard let loc = store.blockLocation(containing: UnsafeRawPointer(bitPattern: a)!, inclusiveEnd: true) else { return }
        let ex = e - (a - loc.dataStart)
        if blocks.contains(where: { $0.ours == loc.dataStart && $0.exim == ex && $0.length == loc.length }) { return }
        // A block reused at the same place (ours or Exim's) replaces the old mapping.
        blocks.removeAll { $0.ours == loc.dataStart || $0.exim == ex }
        blocks.append((exim: ex, ours: loc.dataStart, length: loc.length))
    }

    /// Translates our addresses in a line to Exim's.
    func translate(_ line: String) -> String {
        var parts = line.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        for i in parts.indices {
            var tok = parts[i]
            var suffix = ""
            if let t = tok.firstIndex(of: "\t") { suffix = String(tok[t...]); tok = String(tok[..<t]) }
            if let a = TraceReplayer.hex(tok), let e = ours(toExim: a) { parts[i] = "0x" + String(e, radix: 16) + suffix }
        }
        return parts.joined(separator: " ")
    }

    /// The call site of a group: name from a 20-wide field if one of the group's lines has it.
    func site(_ r: TraceRecord, group: ArraySlice<TraceRecord>) -> (String, Int) {
        let (fn, line): (String, Int)
        switch r.verb {
        case "Get", "Ext": (fn, line) = (r.tokens[4], Int(r.tokens[5]) ?? 0)
        case "Rst", "Rel": (fn, line) = (r.tokens[4], Int(r.tokens[5]) ?? 0)
        case "Mrk": (fn, line) = (r.tokens[2], Int(r.tokens[3]) ?? 0)
        default: (fn, line) = ("", 0)
        }
        for g in group where (g.head == "--Malloc" || g.head == "----Free") && g.tokens.count > 5 {
            if Int(g.tokens[5]) == line && g.tokens[4].hasPrefix(fn) && g.tokens[4] != "store_newblock_3" { return (g.tokens[4], line) }
        }
        return (fn, line)
    }

    /// Runs an operation, then compares what it printed with the next records.
    func check(_ what: String, _ body: () throws -> Void) rethrows {
        out.removeAll()
        try body()
        // Freed blocks are named with the mapping from before the op (Exim may reuse the address).
        var freedNames: [Int: String] = [:]
        for (j, l) in out.enumerated() where l.hasPrefix("----Free") || l.hasPrefix("-Release") { freedNames[j] = translate(l) }
        // Learn block mappings from every Get among the produced lines.
        for (j, l) in out.enumerated() where pos + j < records.count {
            let ours = l.split(separator: " ", omittingEmptySubsequences: true)
            let ex = records[pos + j].tokens
            if ours.count > 2, ours[1] == "Get", ex.count > 2, ex[1] == "Get",
               let a = TraceReplayer.hex(String(ours[2])), let e = TraceReplayer.hex(ex[2]) { learn(our: a, exim: e) }
        }
        for (j, l) in out.enumerated() {
            compared += 1
            let mine = freedNames[j] ?? translate(l)
            guard pos + j < records.count else { mismatches.append("\(what): extra line \(mine)"); continue }
            if mine != records[pos + j].text { mismatches.append("\(what) #\(pos + j): exim '\(records[pos + j].text)' ours '\(mine)'") }
        }
        pos += max(out.count, 1)
    }

    func run() throws {
        // Exim's main() takes 384 tainted bytes before any debug output (spec §18.4).
        _ = try store.get(384, .tainted)
        // Non-pool figures from before the trace (spec §18.5) and the first nonpool total.
        if let i = records.firstIndex(where: { $0.head == "--Malloc" }), let x = Int(records[i].tokens.last!) {
            let bytes = Int(records[i].tokens[2]) ?? 0
            let before = isPoolBlockMalloc(at: i) ? x - 8 : x - bytes
            store.seedNonpoolCounters(malloc: before, maxMalloc: before, blocks: 7, maxBlocks: 8)
        }
        while pos < records.count {
            let r = records[pos]
            if mismatches.count > 20 { return }
            switch r.head {
            case "----Exit":
                let mine = store.exitLines()
                for (j, l) in mine.enumerated() where pos + j < records.count {
                    compared += 1
                    if l != records[pos + j].text { mismatches.append("exit: exim '\(records[pos + j].text)' ours '\(l)'") }
                }
                pos += mine.count
                continue
            case "--Malloc" where !isPoolBlockMalloc(at: pos):
                let bytes = Int(r.tokens[2]) ?? 16
                let fn = r.tokens[4], line = Int(r.tokens[5]) ?? 0
                try check("malloc") {
                    store.callSiteOverride = (fn, line)
                    let p = try store.malloc(max(0, bytes - 8))
                    if let e = TraceReplayer.hex(r.tokens[1]) { mallocs[e] = p }
                }
                continue
            case "----Free" where !isPoolBlock(header: r.tokens[1]):
                let e = TraceReplayer.hex(r.tokens[1]) ?? 0
                if let p = mallocs[e] {
                    check("free") {
                        store.callSiteOverride = (r.tokens[4], Int(r.tokens[5]) ?? 0)
                        store.free(p)
                    }
                    mallocs[e] = nil
                } else {
                    // A block malloc'd before the trace: Exim's counters move by the printed size.
                    let st = store.statistics()
                    store.seedNonpoolCounters(malloc: st.nonpoolMalloc - (Int(r.tokens[2]) ?? 0), maxMalloc: st.maxNonpoolMalloc,
                                              blocks: st.nonpoolBlocks - 1, maxBlocks: st.maxNonpoolBlocks)
                    pos += 1
                }
                continue
            default: break
            }
            // A group: find its driver (the first record that is not a block malloc/free/release).
            var d = pos
            while d < records.count, ["--Malloc", "----Free", "-Release"].contains(records[d].head) { d += 1 }
            guard d < records.count, let pool = records[d].poolIndex else { pos += 1; continue }
            let driver = records[d]
            let group = records[pos..<min(records.count, d + 40)]
            let (fn, line) = site(driver, group: group)
            switch driver.verb {
            case "Mrk":
                try check("mark") {
                    store.currentPool = PoolKind(rawValue: pool)!
                    store.callSiteOverride = (fn, line)
                    _ = try store.mark()
                }
            case "Get" where fn == "store_newblock":
                let size = Int(driver.tokens[3]) ?? 0
                let rel = records[(d + 1)...].prefix(1).first { $0.head == "-Release" }
                if let rel, let oldE = TraceReplayer.hex(rel.tokens[1]), let old = exim(toOurs: oldE + 16) {
                    try check("newblock") {
                        store.currentPool = PoolKind(rawValue: pool % 5)!
                        store.callSiteOverride = (rel.tokens[2], Int(rel.tokens[3]) ?? 0)
                        _ = try store.newBlock(old, size: size, copying: 0)
                    }
                } else {
                    try check("newblock-get") {
                        store.currentPool = PoolKind(rawValue: pool % 5)!
                        store.callSiteOverride = ("store_newblock_3", 1118)
                        _ = try store.get(size, pool >= 5 ? .tainted : .untainted)
                    }
                }
            case "Get":
                let size = Int(driver.tokens[3]) ?? 0
                try check("get") {
                    store.currentPool = PoolKind(rawValue: pool % 5)!
                    store.callSiteOverride = (fn, line)
                    _ = try store.get(size, pool >= 5 ? .tainted : .untainted)
                }
            case "Rst":
                // The cookie is the address of the untainted pool's Rst (the last of the group).
                let u = records[d...].prefix(40).first { $0.verb == "Rst" && ($0.poolIndex ?? 9) < 5 }
                guard let u, let ce = TraceReplayer.hex(u.tokens[2]), let cookie = exim(toOurs: ce) else {
                    mismatches.append("reset without a known cookie at #\(d)"); return
                }
                try check("reset") {
                    store.currentPool = PoolKind(rawValue: u.poolIndex!)!
                    store.callSiteOverride = (fn, line)
                    try store.reset(to: Store.Mark(cookie: cookie))
                }
            case "Ext":
                guard let e = TraceReplayer.hex(driver.tokens[2]), let p = exim(toOurs: e) else { pos += 1; continue }
                let next = store.cursor(of: PoolID(index: pool)!).nextYield!
                try check("extend") {
                    store.callSiteOverride = (fn, line)
                    let ok = try store.extend(p, from: next - p, to: Int(driver.tokens[3]) ?? 0)
                    if !ok { mismatches.append("extend refused at #\(d)") }
                }
            case "Rel":
                guard let e = TraceReplayer.hex(driver.tokens[2]), let p = exim(toOurs: e) else { pos += 1; continue }
                check("release") {
                    store.callSiteOverride = (fn, line)
                    store.releaseAbove(p)
                }
            default:
                pos += 1
            }
        }
    }

    /// A `--Malloc` that gets a pool block: the next Get lands 16 bytes after it.
    func isPoolBlockMalloc(at i: Int) -> Bool {
        guard let a = TraceReplayer.hex(records[i].tokens[1]) else { return false }
        for r in records[(i + 1)...].prefix(6) where r.verb == "Get" { return TraceReplayer.hex(r.tokens[2]) == a + 16 }
        return false
    }

    /// True if an Exim address is the header of a block we know.
    func isPoolBlock(header: String) -> Bool {
        guard let a = TraceReplayer.hex(header) else { return false }
        return blocks.contains { $0.exim - 16 == a }
    }
}
