/// Which line prefixes to expect. `nil` means "detect on each line" (used until an
/// `Exim version … D=` line says which selector bits are on).
public struct TracePrefixes: Hashable, Sendable {
    /// `+pid`: `%5d ` at the start of each line.
    public var pid: Bool?
    /// `+timestamp`: `HH:MM:SS ` or `HH:MM:SS.mmm ` at the start of each line.
    public var timestamp: Bool?
    /// Makes a prefix setting.
    public init(pid: Bool? = nil, timestamp: Bool? = nil) {
        self.pid = pid; self.timestamp = timestamp
    }
    /// Detect both prefixes line by line until a version line tells.
    public static let detect = TracePrefixes()
}

/// Parses `exim -d+memory` output one physical line at a time: memory records
/// (Get, Ext, Rel, Rst, Mrk, `--Malloc`, `----Free`, `-Release`, the release miss,
/// quoted gets), the `----Exit` block, the version, fork and terminate lines, and
/// noise. Byte scanning only; a line that is not understood becomes `.noise` (or
/// `.malformed` when it starts like a record), never an error or a crash.
public struct TraceParser: Sendable {
    /// The prefixes expected; updated by each `Exim version … D=` line unless `followSelector` is false.
    public var prefixes: TracePrefixes
    /// Whether a version line's `D=` bits set `prefixes`.
    public var followSelector: Bool
    /// The number of the last line parsed (1-based; 0 before the first).
    public private(set) var lineNumber: Int = 0

    /// Makes a parser.
    public init(prefixes: TracePrefixes = .detect, followSelector: Bool = true) {
        self.prefixes = prefixes
        self.followSelector = followSelector
    }

    /// Pids announced so far (`Exim version … pid=N`, `… forked for X: N`); a `%5d ` prefix
    /// counts as a pid only when its number is one of them or the line itself announces it
    /// (exim-store.md section 19.1 item 2: decided per line, because a daemon switches
    /// `+pid` on when it starts listening).
    public private(set) var knownPids: Set<Int> = []
    /// Whether an `Exim version` line has been seen (before one, any `%5d ` prefix in front of
    /// a record is taken as a pid: the trace began mid-way).
    public private(set) var sawVersion = false

    /// Parses the next physical line (without its newline) and numbers it.
    public mutating func parse(line bytes: UnsafeBufferPointer<UInt8>) -> TraceRecord {
        lineNumber += 1
        var s = LineScanner(bytes)
        // The record is made once, at the end: copying one (its event may hold strings)
        // cost more than parsing the line.
        var timestamp: TraceTimestamp?
        if prefixes.timestamp != false, let t = Self.timestamp(&s) { timestamp = t }
        if prefixes.pid != false, let (pid, rest) = Self.pidPrefix(s) {
            var r = rest
            var glued: String?
            Self.stripIndent(&r)
            let event = classify(&r, gluedText: &glued)
            if prefixes.pid == true || accepts(pid: pid, event) {
                learn(event, pid: pid)
                return TraceRecord(line: lineNumber, pid: pid, timestamp: timestamp, gluedText: glued, event: event)
            }
        }
        Self.stripIndent(&s)
        var glued: String?
        let event = classify(&s, gluedText: &glued)
        learn(event, pid: nil)
        if followSelector, case .version(let v) = event, let t = v.hasTimestampPrefix, prefixes.timestamp != nil {
            prefixes.timestamp = t
        }
        return TraceRecord(line: lineNumber, timestamp: timestamp, gluedText: glued, event: event)
    }

    /// Whether a `%5d ` prefix is a pid on a line that says `event` (section 19.1 item 2).
    private func accepts(pid: Int, _ event: TraceEvent) -> Bool {
        if knownPids.contains(pid) { return true }
        switch event {
        case .postfork: return true
        case .version(let v): return v.pid == pid
        default: return !sawVersion && event.isMemory
        }
    }

    /// Keeps the set of announced pids.
    private mutating func learn(_ event: TraceEvent, pid: Int?) {
        switch event {
        case .version(let v):
            sawVersion = true
            knownPids.insert(v.pid)
        case .forked(_, _, let child):
            knownPids.insert(child)
        case .postfork:
            if let pid { knownPids.insert(pid) }
        case .terminating(let p, _, _):
            knownPids.remove(p)
        default:
            break
        }
    }

    /// `%5d `: blanks then digits, at least five characters, then one space.
    private static func pidPrefix(_ s: LineScanner) -> (Int, LineScanner)? {
        var p = s
        let blanks = p.skipBlanks()
        let digitsStart = p.pos
        guard let pid = p.int(), pid >= 0, p.peek() == 0x20, blanks + (p.pos - digitsStart) >= 5 else { return nil }
        p.pos += 1
        return (pid, p)
    }

    /// Skips Exim's nesting indent (section 19.1 item 3): groups of three spaces and `╎`
    /// (or `!` with `-noutf8`), then up to three spaces.
    static func stripIndent(_ s: inout LineScanner) {
        var found = false
        while true {
            guard s.peek() == 0x20, s.peek(1) == 0x20, s.peek(2) == 0x20 else { break }
            if s.peek(3) == 0xE2, s.peek(4) == 0x95, s.peek(5) == 0x8E { s.pos += 6; found = true; continue }
            if s.peek(3) == 0x21 { s.pos += 4; found = true; continue }
            break
        }
        guard found else { return }
        var n = 0
        while n < 3, s.peek() == 0x20 { s.pos += 1; n += 1 }
    }

    /// Parses the next physical line given as a String (without its newline).
    public mutating func parse(line: String) -> TraceRecord {
        var copy = line
        return copy.withUTF8 { parse(line: $0) }
    }

    /// Parses a whole text (lines split on `\n`; a final line without newline is parsed too).
    public static func parseAll(_ text: String, prefixes: TracePrefixes = .detect) -> [TraceRecord] {
        var parser = TraceParser(prefixes: prefixes)
        var out: [TraceRecord] = []
        var copy = text
        copy.withUTF8 { all in
            var start = 0
            let n = all.count
            while start < n {
                var i = start
                while i < n, all[i] != 0x0A { i += 1 }
                out.append(parser.parse(line: UnsafeBufferPointer(rebasing: all[start..<i])))
                start = i + 1
            }
        }
        return out
    }

    // MARK: prefixes

    private static func timestamp(_ s: inout LineScanner) -> TraceTimestamp? {
        @inline(__always) func d(_ k: Int) -> Int? {
            let b = s.peek(k) &- 0x30
            return b < 10 ? Int(b) : nil
        }
        guard let h1 = d(0), let h2 = d(1), s.peek(2) == 0x3A, let m1 = d(3), let m2 = d(4), s.peek(5) == 0x3A,
              let s1 = d(6), let s2 = d(7) else { return nil }
        var ms: Int?
        var len = 8
        if s.peek(8) == 0x2E, let a = d(9), let b = d(10), let c = d(11) {
            ms = a * 100 + b * 10 + c
            len = 12
        }
        guard s.peek(len) == 0x20 else { return nil }
        s.pos += len + 1
        return TraceTimestamp(hour: h1 * 10 + h2, minute: m1 * 10 + m2, second: s1 * 10 + s2, millisecond: ms)
    }

    // MARK: classification

    private func classify(_ s: inout LineScanner, gluedText: inout String?) -> TraceEvent {
        let start = s.pos
        switch s.peek() {
        case 0x2D: // '-'
            var m = s
            if let e = Self.memoryOrExit(&m) { return e }
            if Self.startsLikeRecord(s) { return .malformed(s.string(start..<s.end)) }
        case 0x45: // 'E'
            var m = s
            if let e = Self.version(&m) { return e }
        case 0x3E: // '>'
            var m = s
            if let e = Self.terminating(&m) { return e }
        case 0x6E: // 'n'
            var m = s
            if m.literal("non-last memory release try: "), let site = m.callSite(), m.skipBlanks() >= 0, m.atEnd {
                return .releaseMiss(site: site)
            }
        case 0x61: // 'a'
            var m = s
            if let e = Self.quotedBlock(&m) { return e }
        case 0x70: // 'p'
            var m = s
            if m.literal("postfork: ") { return .postfork(purpose: m.restTrimmed()) }
        default:
            break
        }
        var f = s
        if let e = Self.forkLine(&f) { return e }
        // A memory record glued to the end of another debug line.
        var i = start + 1
        while i < s.end {
            if s.base[i] == 0x2D {
                var m = s
                m.pos = i
                if Self.startsLikeMemory(m), let e = Self.memoryOrExit(&m), e.isMemory {
                    gluedText = s.string(start..<i)
                    return e
                }
                // Skip the rest of this run of dashes: a record starts at its first dash.
                while i < s.end, s.base[i] == 0x2D { i += 1 }
                continue
            }
            i += 1
        }
        return .noise(s.string(start..<s.end))
    }

    /// Whether the text at `s` begins like a memory record (cheap test before a full parse).
    private static func startsLikeMemory(_ s: LineScanner) -> Bool {
        if s.looksAt("---") {
            let c = s.peek(3)
            return c &- 0x30 < 10 || c == 0x51 // digit or 'Q'
        }
        return s.looksAt("--Malloc ") || s.looksAt("----Free ") || s.looksAt("-Release ")
    }

    /// Whether the text at `s` begins like any record the parser knows (memory or exit).
    private static func startsLikeRecord(_ s: LineScanner) -> Bool {
        startsLikeMemory(s) || s.looksAt("----Exit ")
    }

    /// A full memory or exit record at `s.pos` that runs to the end of the line.
    static func memoryOrExit(_ s: inout LineScanner) -> TraceEvent? {
        let e: TraceEvent?
        if s.literal("----Free") {
            e = free(&s)
        } else if s.literal("----Exit") {
            e = exit(&s)
        } else if s.literal("---") {
            e = poolRecord(&s)
        } else if s.literal("--Malloc") {
            e = malloc(&s)
        } else if s.literal("-Release") {
            e = releaseBlock(&s)
        } else {
            e = nil
        }
        guard let event = e else { return nil }
        s.skipBlanks()
        return s.atEnd ? event : nil
    }

    /// `---<p> Op …` after the dashes.
    private static func poolRecord(_ s: inout LineScanner) -> TraceEvent? {
        let pool: TracePool
        if s.literal("QQ") {
            pool = .quoted(nil)
        } else if s.literal("Q") {
            guard let n = s.int(), n >= 0 else { return nil }
            pool = .quoted(n)
        } else {
            guard s.peek() != 0x2D, let n = s.int() else { return nil }
            pool = .paired(n)
        }
        guard s.literal(" ") else { return nil }
        if s.literal("Get") {
            guard s.skipBlanks() > 0, let a = s.pointer(), s.skipBlanks() > 0, let size = s.int(),
                  let site = s.callSite() else { return nil }
            return .get(pool: pool, address: a, size: size, site: site)
        }
        if s.literal("Ext") {
            guard s.skipBlanks() > 0, let a = s.pointer(), s.skipBlanks() > 0, let size = s.int(),
                  let site = s.callSite() else { return nil }
            return .extend(pool: pool, address: a, newSize: size, site: site)
        }
        if s.literal("Rel") {
            guard s.skipBlanks() > 0, let a = s.pointer(), s.skipBlanks() > 0, let bytes = s.int(),
                  let site = s.callSite(), let total = poolTotal(&s) else { return nil }
            return .releaseAbove(pool: pool, address: a, bytes: bytes, site: site, poolTotal: total)
        }
        guard case .paired(let index) = pool else { return nil }
        if s.literal("Rst") {
            guard s.skipBlanks() > 0, let a = s.pointer(), s.skipBlanks() > 0, let bytes = s.int(),
                  let site = s.callSite(), let total = poolTotal(&s) else { return nil }
            return .reset(pool: index, address: a, bytes: bytes, site: site, poolTotal: total)
        }
        if s.literal("Mrk") {
            guard s.skipBlanks() > 0, let site = s.callSite(), let total = poolTotal(&s) else { return nil }
            return .mark(pool: index, site: site, poolTotal: total)
        }
        return nil
    }

    /// `\tpool N` at the end of Rel, Rst and Mrk lines.
    private static func poolTotal(_ s: inout LineScanner) -> Int? {
        guard s.skipBlanks() > 0, s.literal("pool"), s.skipBlanks() > 0 else { return nil }
        return s.int()
    }

    private static func malloc(_ s: inout LineScanner) -> TraceEvent? {
        guard s.skipBlanks() > 0, let a = s.pointer(), s.skipBlanks() > 0, let size = s.int(),
              s.skipBlanks() > 0, s.literal("bytes"), let site = s.callSite(),
              let total = poolTotal(&s), s.skipBlanks() > 0, s.literal("nonpool"), s.skipBlanks() > 0,
              let nonpool = s.int() else { return nil }
        return .malloc(address: a, size: size, site: site, poolTotal: total, nonpoolTotal: nonpool)
    }

    private static func free(_ s: inout LineScanner) -> TraceEvent? {
        guard s.skipBlanks() > 0, let a = s.pointer(), s.skipBlanks() > 0, let size = s.int(),
              s.skipBlanks() > 0, s.literal("bytes"), let site = s.callSite() else { return nil }
        return .free(address: a, size: size, site: site)
    }

    private static func releaseBlock(_ s: inout LineScanner) -> TraceEvent? {
        guard s.skipBlanks() > 0, let a = s.pointer(), let site = s.callSite(), s.skipBlanks() > 0,
              let total = s.int() else { return nil }
        return .releaseBlock(address: a, site: site, poolTotal: total)
    }

    /// The `----Exit` lines after `----Exit`.
    private static func exit(_ s: inout LineScanner) -> TraceEvent? {
        guard s.skipBlanks() > 0 else { return nil }
        if s.literal("nonpool") {
            guard s.skipBlanks() > 0, s.literal("max:"), s.skipBlanks() >= 0, let kB = s.int(),
                  s.skipBlanks() > 0, s.literal("kB"), s.skipBlanks() > 0, s.literal("in"), s.skipBlanks() > 0,
                  let blocks = s.int(), s.skipBlanks() > 0, s.literal("blocks") else { return nil }
            return .exitNonpool(kB: kB, blocks: blocks)
        }
        if s.literal("npools") {
            guard s.skipBlanks() > 0, s.literal("max:"), s.skipBlanks() >= 0, let kB = s.int(),
                  s.skipBlanks() > 0, s.literal("kB") else { return nil }
            return .exitNpools(kB: kB)
        }
        guard s.literal("pool"), s.skipBlanks() > 0 else { return nil }
        let pool: TracePool
        if s.literal("Q") {
            guard let n = s.int(), n >= 0 else { return nil }
            pool = .quoted(n)
        } else {
            guard s.peek() != 0x2D, let n = s.int() else { return nil }
            pool = .paired(n)
        }
        guard s.skipBlanks() > 0, s.literal("max:"), s.skipBlanks() >= 0, let kB = s.int(),
              s.skipBlanks() > 0, s.literal("kB"), s.skipBlanks() > 0, s.literal("in"), s.skipBlanks() > 0,
              let blocks = s.int(), s.skipBlanks() > 0, s.literal("blocks"), s.skipBlanks() > 0,
              s.literal("at"), s.skipBlanks() > 0, s.literal("order"), s.skipBlanks() > 0,
              let order = s.int() else { return nil }
        s.skipBlanks()
        let label = s.restTrimmed()
        s.pos = s.end
        return .exitPool(TraceExitPool(pool: pool, kB: kB, blocks: blocks, order: order, label: label))
    }

    /// `Exim version 4.96 uid=0 gid=0 pid=N D=hex`.
    private static func version(_ s: inout LineScanner) -> TraceEvent? {
        guard s.literal("Exim version "), let v = s.token() else { return nil }
        let version = s.string(v)
        var uid: Int?, gid: Int?, pid: Int?, selector: UInt32?
        while true {
            s.skipBlanks()
            if s.atEnd { break }
            if s.literal("uid=") { uid = s.int() }
            else if s.literal("gid=") { gid = s.int() }
            else if s.literal("pid=") { pid = s.int() }
            else if s.literal("D=") { selector = s.hex32() }
            else { _ = s.token() }
            // Anything left in a token (e.g. `uid=x`) is skipped.
            _ = s.token()
        }
        guard let p = pid else { return nil }
        return .version(TraceVersion(version: version, uid: uid, gid: gid, pid: p, selector: selector))
    }

    /// `>>>>… Exim pid=N (name) terminating with rc=R >>>>…`.
    private static func terminating(_ s: inout LineScanner) -> TraceEvent? {
        while s.peek() == 0x3E { s.pos += 1 }
        guard s.skipBlanks() > 0, s.literal("Exim pid="), let pid = s.int(), s.skipBlanks() > 0,
              s.literal("(") else { return nil }
        let nameStart = s.pos
        while !s.atEnd, s.peek() != 0x29 { s.pos += 1 }
        guard !s.atEnd else { return nil }
        let name = s.string(nameStart..<s.pos)
        s.pos += 1
        guard s.skipBlanks() > 0, s.literal("terminating with rc="), let rc = s.int() else { return nil }
        return .terminating(pid: pid, name: name, rc: rc)
    }

    /// `allocating quoted-block for quoter N (from func line)`.
    private static func quotedBlock(_ s: inout LineScanner) -> TraceEvent? {
        guard s.literal("allocating quoted-block for quoter "), let q = s.int(), s.literal(" (from "),
              let site = s.callSite(), s.literal(")") else { return nil }
        s.skipBlanks()
        return s.atEnd ? .quotedBlock(quoter: q, site: site) : nil
    }

    /// `<name> forking for <purpose>` and `<name> forked for <purpose>: <pid>`.
    private static func forkLine(_ s: inout LineScanner) -> TraceEvent? {
        guard let nameRange = s.token() else { return nil }
        if s.literal(" forking for ") {
            let purpose = s.restTrimmed()
            guard !purpose.isEmpty else { return nil }
            return .forking(name: s.string(nameRange), purpose: purpose)
        }
        guard s.literal(" forked for ") else { return nil }
        // The purpose runs to the last ": "; the pid follows it.
        let purposeStart = s.pos
        var colon = -1
        var i = s.pos
        while i + 1 < s.end {
            if s.base[i] == 0x3A, s.base[i + 1] == 0x20 { colon = i }
            i += 1
        }
        guard colon > purposeStart else { return nil }
        var p = s
        p.pos = colon + 2
        p.skipBlanks()
        guard let pid = p.int() else { return nil }
        p.skipBlanks()
        guard p.atEnd else { return nil }
        return .forked(name: s.string(nameRange), purpose: s.string(purposeStart..<colon), child: pid)
    }
}
