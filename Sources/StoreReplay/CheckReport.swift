import EximTrace
import SafeText

/// The result of `storemon replay --check`: every line mismatch, every `----Exit` line
/// compared side by side, problems with the trace, and a summary; as text or JSON.
///
/// Counts are exact even where the kept lists are capped (the report says how many were
/// left out). Text goes through `TerminalQuoter`, JSON strings through `JSONQuoter`:
/// no trace byte reaches a terminal raw.
public struct CheckReport: Sendable {
    /// One process's exit block compared (kept for source compatibility).
    public typealias ProcessExit = ProcessExitReport

    /// Lines read.
    public var lines: Int
    /// Memory records read (re-prints included) and applied as operations.
    public var memoryRecords: Int
    public var appliedRecords: Int
    /// Exact re-prints (section 19.2) and cut or glued records (section 19.1 item 5), not applied.
    public var reprints: Int
    public var cutRecords: Int
    /// Memory lines with at least one differing figure (exact).
    public var lineMismatches: Int
    /// Differing figures in all (exact) and the first ones kept.
    public var mismatchFigures: Int
    public var mismatches: [LineMismatch]
    /// Problems with the trace itself: the first ones kept, and how many in all.
    public var problems: [ReplayProblem]
    public var problemCount: Int
    /// Exit blocks compared (the first ones kept) and how many in all.
    public var processes: [ProcessExitReport]
    public var exitBlocks: Int
    /// Exact counts over every exit line.
    public var exitTotals: ExitTotals
    /// Processes replayed in all, and dropped at the live-process limit.
    public var processCount: Int
    public var droppedAtLimit: Int
    /// Unprefixed memory lines shared by several live processes, and how many of them went
    /// to another process than the line before (attribution by consistency, section 19.9).
    public var sharedStreamLines: Int
    public var attributedByConsistency: Int
    /// Lines whose process the memory lines cannot decide, with their alternatives.
    public var ambiguous: [AmbiguousLine]
    public var ambiguousCount: Int
    /// Whether the input's last line had no newline.
    public var truncated: Bool
    /// Memory records without an address (Exim's test suite munges them).
    public var recordsWithoutAddress: Int
    /// Whether any line carried a `+pid` prefix.
    public var sawPidPrefix: Bool
    /// The `D=` selector (hex) of a version line that lacks `+memory`, if any.
    public var selectorWithoutMemory: String?

    /// `----Exit` lines compared.
    public var compared: Int { exitTotals.compared }
    /// `----Exit` lines whose derivable figures all match (calibrated lines included).
    public var matched: Int { exitTotals.matched }
    /// Whether the memory lines carry no addresses (a munged test-suite trace).
    public var addressesMissing: Bool { memoryRecords > 0 && recordsWithoutAddress * 2 > memoryRecords }
    /// Whether anything differs (the command then exits non-zero).
    public var hasDifferences: Bool { lineMismatches > 0 || exitTotals.matched + exitTotals.notDerivableOnly < exitTotals.compared }
    /// Whether the input held no memory record at all (not `exim -d+memory` output, or
    /// debugging without `+memory`): nothing was checked, which is no match either.
    public var checkedNothing: Bool { appliedRecords == 0 || addressesMissing }
    /// Whether the check failed: a difference, an undecided attribution, or nothing checked.
    public var failed: Bool { hasDifferences || checkedNothing || ambiguousCount > 0 }

    /// The report of a finished replay.
    public init(_ replay: TraceReplay, truncated: Bool = false) {
        let f = replay.findings
        lines = replay.linesRead
        memoryRecords = replay.memoryRecords
        appliedRecords = replay.appliedRecords
        reprints = replay.reprints
        cutRecords = replay.cutRecords
        lineMismatches = f.mismatchLines
        mismatchFigures = f.mismatchFigures
        mismatches = f.mismatches
        problems = f.problems
        problemCount = f.problemCount
        processes = f.exits
        exitBlocks = f.exitBlocks
        exitTotals = f.exitTotals
        processCount = replay.processCount
        droppedAtLimit = replay.droppedAtLimit
        sharedStreamLines = replay.sharedStreamLines
        attributedByConsistency = replay.attributedByConsistency
        ambiguous = f.ambiguous
        ambiguousCount = f.ambiguousCount
        self.truncated = truncated
        recordsWithoutAddress = replay.recordsWithoutAddress
        sawPidPrefix = replay.sawPidPrefix
        selectorWithoutMemory = replay.selectorWithoutMemory
    }

    /// Reads a whole trace, replays it and reports.
    public static func check(_ reader: TraceReader, keepLimit: Int = 10_000) -> CheckReport {
        let replay = TraceReplay(keepLimit: keepLimit, keepsCurrentRecord: false)
        while let r = reader.next() { replay.apply(r) }
        replay.finish()
        return CheckReport(replay, reader: reader)
    }

    /// The report of a replay that read all of `reader`.
    public init(_ replay: TraceReplay, reader: TraceReader) {
        self.init(replay, truncated: reader.endedWithoutNewline)
        if let e = reader.readError {
            problems.append(ReplayProblem(line: reader.parser.lineNumber, message: "\(e)"))
            problemCount += 1
        }
        if reader.endedWithoutNewline {
            problems.append(ReplayProblem(line: reader.parser.lineNumber, message: "the trace ends without a newline (cut file)"))
            problemCount += 1
        }
    }

    /// The summary line.
    public var summary: String {
        if appliedRecords == 0 && memoryRecords == 0, let sel = selectorWithoutMemory {
            return "NOTHING CHECKED: \(lines) \(lines == 1 ? "line" : "lines") and no memory record: Exim's debug selector D=\(sel) "
                + "does not include +memory (in 4.96 not even -d+all does): run exim -d+memory+pid (or -d+all+memory)"
        }
        if appliedRecords == 0 && memoryRecords == 0 {
            return "NOTHING CHECKED: \(lines) \(lines == 1 ? "line" : "lines") and no memory record "
                + "(is this the stderr of exim -d+memory?)"
                + (problemCount == 0 ? "" : "; \(problemCount) trace problems")
        }
        if addressesMissing {
            return "NOTHING CHECKED: \(recordsWithoutAddress) of \(memoryRecords) memory records carry no address "
                + "(a trace from Exim's own test suite, which munges addresses): nothing can be replayed"
        }
        let t = exitTotals
        var s = "\(hasDifferences ? "DIFFER" : (ambiguousCount > 0 ? "UNDECIDED" : "MATCH")): \(lines) lines, \(memoryRecords) memory records, "
            + "\(processCount) \(processCount == 1 ? "process" : "processes"); "
            + "\(lineMismatches) line mismatches; \(t.matched)/\(t.compared) exit lines matched"
            + " (pool and npools lines \(t.poolLinesMatched)/\(t.poolLines))"
        if t.calibrated > 0 { s += "; \(t.calibrated) calibrated" }
        if t.notDerivable > 0 { s += "; \(t.notDerivable) with a figure not derivable" }
        if reprints + cutRecords > 0 { s += "; \(reprints) re-printed and \(cutRecords) cut records not applied" }
        if problemCount > 0 { s += "; \(problemCount) trace problems" }
        if sharedStreamLines > 0 {
            s += "; no +pid: \(sharedStreamLines) lines shared by several processes, \(attributedByConsistency) attributed by consistency"
        }
        if ambiguousCount > 0 { s += "; \(ambiguousCount) ambiguous runs of lines (attribution not decidable: use -d+memory+pid)" }
        if droppedAtLimit > 0 { s += "; \(droppedAtLimit) processes dropped at the live-process limit" }
        return s
    }

    /// The human report: mismatches (up to `limit`), problems, ambiguities, exit blocks side
    /// by side, summary. Every line is quoted for the terminal.
    public func text(limit: Int = 50) -> String {
        var out: [String] = []
        for m in mismatches.prefix(limit) { out.append(m.description) }
        if mismatchFigures > min(limit, mismatches.count) {
            out.append("… \(mismatchFigures - min(limit, mismatches.count)) more differing figures not shown")
        }
        for p in problems.prefix(limit) { out.append("trace problem: \(p)") }
        if problemCount > min(limit, problems.count) { out.append("… \(problemCount - min(limit, problems.count)) more trace problems not shown") }
        for a in ambiguous.prefix(limit) { out.append("ambiguous: \(a)") }
        if ambiguousCount > min(limit, ambiguous.count) { out.append("… \(ambiguousCount - min(limit, ambiguous.count)) more ambiguous runs not shown") }
        for p in processes.prefix(limit) {
            out.append("")
            out.append("process \(p.pid.map(String.init) ?? "?") (\(p.purpose)): exit statistics")
            out.append(Self.pad("line", 8) + Self.pad("", 10) + Self.pad("exim", 32) + Self.pad("replay", 32))
            for l in p.lines {
                var verdict: String
                switch l.verdict {
                case .match: verdict = "ok"
                case .differ: verdict = "DIFFERS"
                case .calibrated: verdict = "calibrated (matched by construction)"
                case .notDerivable: verdict = "not derivable"
                }
                if !l.notDerivable.isEmpty, l.verdict != .notDerivable {
                    verdict += "; \(l.notDerivable.joined(separator: ", ")) not derivable"
                }
                if !l.alternatives.isEmpty { verdict += " (candidates: \(l.alternatives.map { $0.blocks.map(String.init) ?? "?" }.joined(separator: ", ")) blocks)" }
                if l.inferred && l.verdict == .match { verdict += " (inferred)" }
                out.append(Self.pad(String(l.line), 8) + Self.pad(l.subject.description, 10) + Self.pad(l.exim.description, 32)
                           + Self.pad(l.replay?.description ?? "(none)", 32) + verdict)
                if let b = l.basis, l.inferred || !l.derivable { out.append("          inferred from: \(b)") }
            }
            for i in p.inferences { out.append("  inferred at line \(i.line): \(i.message)") }
        }
        if exitBlocks > min(limit, processes.count) { out.append("… \(exitBlocks - min(limit, processes.count)) more exit blocks not shown") }
        out.append("")
        out.append(summary)
        return out.map { TerminalText(untainted: $0).string }.joined(separator: "\n")
    }

    private static func pad(_ s: String, _ w: Int) -> String {
        s.count >= w ? s + " " : s + String(repeating: " ", count: w - s.count)
    }

    /// The JSON report (issue 5's schema, plus the additions of issue 8):
    /// `{ "processes": [ { "pid", "purpose", "pools": [ { "index", "line", "exim": {"kB","blocks","order"},
    /// "replay": {...}, "match", "inferred", "derivable", "verdict", ["notDerivable"], ["calibrated"],
    /// ["basis"], ["alternatives"] } ], "nonpool": ..., "npools": ... } ], "lineMismatches", "matched",
    /// "compared", … }`. `match` is null on a line with no derivable figure.
    public func json() -> String {
        let q = JSONQuoter()
        func figures(_ f: ExitFigures?) -> String {
            guard let f else { return "null" }
            var parts = ["\"kB\": \(f.kB)"]
            if let b = f.blocks { parts.append("\"blocks\": \(b)") }
            if let o = f.order { parts.append("\"order\": \(o)") }
            return "{" + parts.joined(separator: ", ") + "}"
        }
        func entry(_ l: ExitLineComparison, index: String?) -> String {
            var parts: [String] = []
            if let index { parts.append("\"index\": \(index)") }
            parts.append("\"line\": \(l.line)")
            parts.append("\"exim\": \(figures(l.exim))")
            parts.append("\"replay\": \(figures(l.replay))")
            parts.append("\"match\": \(l.verdict == .notDerivable ? "null" : String(l.matches))")
            parts.append("\"inferred\": \(l.inferred)")
            parts.append("\"derivable\": \(l.derivable)")
            parts.append("\"verdict\": \(q.quote(untainted: l.verdict.rawValue))")
            if !l.notDerivable.isEmpty { parts.append("\"notDerivable\": [\(l.notDerivable.map { q.quote(untainted: $0) }.joined(separator: ", "))]") }
            if l.calibrated { parts.append("\"calibrated\": true") }
            if let b = l.basis { parts.append("\"basis\": \(q.quote(untainted: b))") }
            if !l.alternatives.isEmpty { parts.append("\"alternatives\": [\(l.alternatives.map { figures($0) }.joined(separator: ", "))]") }
            return "{" + parts.joined(separator: ", ") + "}"
        }
        var procs: [String] = []
        for p in processes {
            var pools: [String] = []
            var nonpool = "null", npools = "null"
            for l in p.lines {
                switch l.subject {
                case .nonpool: nonpool = entry(l, index: nil)
                case .npools: npools = entry(l, index: nil)
                case .pool(.paired(let i)): pools.append(entry(l, index: String(i)))
                case .pool(.quoted(let n)): pools.append(entry(l, index: q.quote(untainted: "Q\(n.map(String.init) ?? "Q")")))
                }
            }
            let inf = p.inferences.map { "{\"line\": \($0.line), \"message\": \(q.quote(untainted: $0.message))}" }
            procs.append("""
                {"pid": \(p.pid.map(String.init) ?? "null"), "purpose": \(q.quote(untainted: p.purpose)), \
                "pools": [\n      \(pools.joined(separator: ",\n      "))\n    ], \
                "nonpool": \(nonpool), "npools": \(npools), "inferences": [\(inf.joined(separator: ", "))]}
                """)
        }
        let mism = mismatches.map {
            "{\"line\": \($0.line), \"pid\": \($0.pid.map(String.init) ?? "null"), \"figure\": \(q.quote(untainted: $0.figure)), \"exim\": \(q.quote(untainted: $0.exim)), \"replay\": \(q.quote(untainted: $0.replay)), \"inferred\": \($0.inferred)}"
        }
        let amb = ambiguous.map {
            "{\"line\": \($0.line), \"through\": \($0.through), \"chosen\": \(q.quote(untainted: $0.chosen)), \"alternatives\": [\($0.alternatives.map { q.quote(untainted: $0) }.joined(separator: ", "))]}"
        }
        let t = exitTotals
        return """
        {
          "processes": [
            \(procs.joined(separator: ",\n    "))
          ],
          "lineMismatches": \(lineMismatches),
          "matched": \(t.matched),
          "compared": \(t.compared),
          "calibrated": \(t.calibrated),
          "notDerivable": \(t.notDerivable),
          "poolLines": \(t.poolLines),
          "poolLinesMatched": \(t.poolLinesMatched),
          "lines": \(lines),
          "memoryRecords": \(memoryRecords),
          "appliedRecords": \(appliedRecords),
          "reprints": \(reprints),
          "cutRecords": \(cutRecords),
          "processCount": \(processCount),
          "exitBlocks": \(exitBlocks),
          "exitBlocksLeftOut": \(exitBlocks - processes.count),
          "attributedByConsistency": \(attributedByConsistency),
          "sharedStreamLines": \(sharedStreamLines),
          "ambiguousCount": \(ambiguousCount),
          "ambiguous": [\(amb.joined(separator: ", "))],
          "addressesMissing": \(addressesMissing),
          "droppedAtLimit": \(droppedAtLimit),
          "mismatchFigures": \(mismatchFigures),
          "mismatchesLeftOut": \(mismatchFigures - mismatches.count),
          "mismatches": [\(mism.joined(separator: ", "))],
          "problemCount": \(problemCount),
          "problemsLeftOut": \(problemCount - problems.count),
          "problems": [\(problems.map { "{\"line\": \($0.line), \"message\": \(q.quote(untainted: $0.message))}" }.joined(separator: ", "))],
          "summary": \(q.quote(untainted: summary))
        }
        """
    }
}
