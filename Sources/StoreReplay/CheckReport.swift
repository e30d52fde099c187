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
        var w = JSONWriter(pretty: true)
        func figures(_ w: inout JSONWriter, _ f: ExitFigures?) {
            guard let f else { w.raw("null"); return }
            w.object { w in
                w.key("kB"); w.value(f.kB)
                if let b = f.blocks { w.key("blocks"); w.value(b) }
                if let o = f.order { w.key("order"); w.value(o) }
            }
        }
        func entry(_ w: inout JSONWriter, _ l: ExitLineComparison, index: String?) {
            w.object { w in
                if let index { w.key("index"); w.raw(index) }
                w.key("line"); w.value(l.line)
                w.key("exim"); figures(&w, l.exim)
                w.key("replay"); figures(&w, l.replay)
                w.key("match"); if l.verdict == .notDerivable { w.raw("null") } else { w.value(l.matches) }
                w.key("inferred"); w.value(l.inferred)
                w.key("derivable"); w.value(l.derivable)
                w.key("verdict"); w.value(untainted: l.verdict.rawValue)
                if !l.notDerivable.isEmpty { w.key("notDerivable"); w.array { w in for n in l.notDerivable { w.value(untainted: n) } } }
                if l.calibrated { w.key("calibrated"); w.value(true) }
                if let b = l.basis { w.key("basis"); w.value(untainted: b) }
                if !l.alternatives.isEmpty { w.key("alternatives"); w.array { w in for a in l.alternatives { figures(&w, a) } } }
            }
        }
        let t = exitTotals
        w.object { w in
            w.key("processes")
            w.array { w in
                for p in processes {
                    w.object { w in
                        w.key("pid"); w.value(p.pid)
                        w.key("purpose"); w.value(untainted: p.purpose)
                        w.key("pools")
                        w.array { w in
                            for l in p.lines {
                                switch l.subject {
                                case .pool(.paired(let i)): entry(&w, l, index: String(i))
                                case .pool(.quoted(let n)): entry(&w, l, index: JSONQuoter().quote(untainted: "Q\(n.map(String.init) ?? "Q")"))
                                default: break
                                }
                            }
                        }
                        w.key("nonpool")
                        if let l = p.lines.first(where: { $0.subject == .nonpool }) { entry(&w, l, index: nil) } else { w.raw("null") }
                        w.key("npools")
                        if let l = p.lines.first(where: { $0.subject == .npools }) { entry(&w, l, index: nil) } else { w.raw("null") }
                        w.key("inferences")
                        w.array { w in
                            for i in p.inferences {
                                w.object { w in w.key("line"); w.value(i.line); w.key("message"); w.value(untainted: i.message) }
                            }
                        }
                    }
                }
            }
            w.key("lineMismatches"); w.value(lineMismatches)
            w.key("matched"); w.value(t.matched)
            w.key("compared"); w.value(t.compared)
            w.key("calibrated"); w.value(t.calibrated)
            w.key("notDerivable"); w.value(t.notDerivable)
            w.key("poolLines"); w.value(t.poolLines)
            w.key("poolLinesMatched"); w.value(t.poolLinesMatched)
            w.key("lines"); w.value(lines)
            w.key("memoryRecords"); w.value(memoryRecords)
            w.key("appliedRecords"); w.value(appliedRecords)
            w.key("reprints"); w.value(reprints)
            w.key("cutRecords"); w.value(cutRecords)
            w.key("processCount"); w.value(processCount)
            w.key("exitBlocks"); w.value(exitBlocks)
            w.key("exitBlocksLeftOut"); w.value(exitBlocks - processes.count)
            w.key("attributedByConsistency"); w.value(attributedByConsistency)
            w.key("sharedStreamLines"); w.value(sharedStreamLines)
            w.key("ambiguousCount"); w.value(ambiguousCount)
            w.key("ambiguous")
            w.array { w in
                for a in ambiguous {
                    w.object { w in
                        w.key("line"); w.value(a.line)
                        w.key("through"); w.value(a.through)
                        w.key("chosen"); w.value(untainted: a.chosen)
                        w.key("alternatives"); w.array { w in for x in a.alternatives { w.value(untainted: x) } }
                    }
                }
            }
            w.key("addressesMissing"); w.value(addressesMissing)
            w.key("droppedAtLimit"); w.value(droppedAtLimit)
            w.key("mismatchFigures"); w.value(mismatchFigures)
            w.key("mismatchesLeftOut"); w.value(mismatchFigures - mismatches.count)
            w.key("mismatches")
            w.array { w in
                for m in mismatches {
                    w.object { w in
                        w.key("line"); w.value(m.line)
                        w.key("pid"); w.value(m.pid)
                        w.key("figure"); w.value(untainted: m.figure)
                        w.key("exim"); w.value(untainted: m.exim)
                        w.key("replay"); w.value(untainted: m.replay)
                        w.key("inferred"); w.value(m.inferred)
                    }
                }
            }
            w.key("problemCount"); w.value(problemCount)
            w.key("problemsLeftOut"); w.value(problemCount - problems.count)
            w.key("problems")
            w.array { w in
                for p in problems { w.object { w in w.key("line"); w.value(p.line); w.key("message"); w.value(untainted: p.message) } }
            }
            w.key("summary"); w.value(untainted: summary)
        }
        return w.output
    }
}
