import EximTrace

/// The result of `storemon replay --check`: every line mismatch, every `----Exit` line
/// compared side by side, problems with the trace, and a summary; as text or JSON.
public struct CheckReport: Sendable {
    /// One process's exit block compared.
    public struct ProcessExit: Sendable {
        /// The process id, if known.
        public var pid: Int?
        /// Its purpose (`fresh-exec`, `daemon-accept`, …).
        public var purpose: String
        /// The exit lines compared, in Exim's order.
        public var lines: [ExitLineComparison]
        /// What the replay assumed for this process.
        public var inferences: [ReplayInference]
    }

    /// Lines read.
    public var lines: Int
    /// Memory records replayed.
    public var memoryRecords: Int
    /// Memory lines with at least one differing figure.
    public var lineMismatches: Int
    /// The differing figures (the first ones kept by the replay).
    public var mismatches: [LineMismatch]
    /// Problems with the trace itself.
    public var problems: [ReplayProblem]
    /// Processes that printed an exit block.
    public var processes: [ProcessExit]
    /// Processes replayed in all.
    public var processCount: Int
    /// Lines attributed to a process by consistency (no `+pid`).
    public var attributedByConsistency: Int
    /// Whether the input's last line had no newline.
    public var truncated: Bool
    /// Whether lines after a fork had no `+pid` prefix (attributed by consistency).
    public var unprefixedFork: Bool

    /// `----Exit` lines compared.
    public var compared: Int { processes.reduce(0) { $0 + $1.lines.count } }
    /// `----Exit` lines whose every figure is equal.
    public var matched: Int { processes.reduce(0) { $0 + $1.lines.filter(\.matches).count } }
    /// Whether anything differs (the command then exits non-zero).
    public var hasDifferences: Bool { lineMismatches > 0 || matched < compared }
    /// Whether the input held no memory record at all (not `exim -d+memory` output, or
    /// debugging without `+memory`): nothing was checked, which is no match either.
    public var checkedNothing: Bool { memoryRecords == 0 }
    /// Whether the check failed: a difference, or nothing to check (the command exits 1).
    public var failed: Bool { hasDifferences || checkedNothing }

    /// The report of a finished replay.
    public init(_ replay: TraceReplay, truncated: Bool = false) {
        lines = replay.linesRead
        memoryRecords = replay.memoryRecords
        lineMismatches = replay.lineMismatchCount
        mismatches = replay.mismatches
        problems = replay.problems
        processes = replay.finishedExits
        processCount = replay.processCount
        attributedByConsistency = replay.attributedByConsistency
        unprefixedFork = replay.unprefixedFork
        self.truncated = truncated
    }

    /// Reads a whole trace, replays it and reports.
    public static func check(_ reader: TraceReader, keepFinished: Bool = false) -> CheckReport {
        let replay = TraceReplay(keepFinished: keepFinished, keepsCurrentRecord: false)
        while let r = reader.next() { replay.apply(r) }
        replay.finish()
        var report = CheckReport(replay, truncated: reader.endedWithoutNewline)
        if let e = reader.readError {
            report.problems.append(ReplayProblem(line: reader.parser.lineNumber, message: "\(e)"))
        }
        if reader.endedWithoutNewline {
            report.problems.append(ReplayProblem(line: reader.parser.lineNumber, message: "the trace ends without a newline (cut file)"))
        }
        return report
    }

    /// The summary line.
    public var summary: String {
        if checkedNothing {
            return "NOTHING CHECKED: \(lines) \(lines == 1 ? "line" : "lines") and no memory record "
                + "(is this the stderr of exim -d+memory?)"
                + (problems.isEmpty ? "" : "; \(problems.count) trace problems")
        }
        return "\(hasDifferences ? "DIFFER" : "MATCH"): \(lines) lines, \(memoryRecords) memory records, "
            + "\(processCount) \(processCount == 1 ? "process" : "processes"); "
            + "\(lineMismatches) line mismatches; \(matched)/\(compared) exit lines matched"
            + (problems.isEmpty ? "" : "; \(problems.count) trace problems")
            + (unprefixedFork ? "; no +pid: lines after forks attributed to parent or child by consistency (\(attributedByConsistency) switches)" : "")
    }

    /// The human report: mismatches (up to `limit`), problems, exit blocks side by side, summary.
    public func text(limit: Int = 50) -> String {
        var out: [String] = []
        for m in mismatches.prefix(limit) { out.append(m.description) }
        if mismatches.count > limit { out.append("… \(mismatches.count - limit) more differing figures") }
        for p in problems.prefix(limit) { out.append("trace problem: \(p)") }
        for p in processes {
            out.append("")
            out.append("process \(p.pid.map(String.init) ?? "?") (\(p.purpose)): exit statistics")
            out.append(Self.pad("line", 8) + Self.pad("", 10) + Self.pad("exim", 32) + Self.pad("replay", 32) + "")
            for l in p.lines {
                let verdict = l.matches ? "ok" : "DIFFERS"
                out.append(Self.pad(String(l.line), 8) + Self.pad(l.subject.description, 10) + Self.pad(l.exim.description, 32)
                           + Self.pad(l.replay?.description ?? "(none)", 32) + verdict + (l.inferred ? " (inferred)" : ""))
            }
            for i in p.inferences { out.append("  inferred: \(i.description)") }
        }
        out.append("")
        out.append(summary)
        return out.joined(separator: "\n")
    }

    private static func pad(_ s: String, _ w: Int) -> String {
        s.count >= w ? s + " " : s + String(repeating: " ", count: w - s.count)
    }

    /// The JSON report, in the schema of issue 5:
    /// `{ "processes": [ { "pid", "pools": [ { "index", "exim": {"kB","blocks","order"},
    /// "replay": {...}, "match", "inferred" } ], "nonpool": ..., "npools": ... } ],
    /// "lineMismatches": N, "matched": M, "compared": C }`.
    public func json() -> String {
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
            parts.append("\"match\": \(l.matches)")
            parts.append("\"inferred\": \(l.inferred)")
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
                case .pool(.quoted(let n)): pools.append(entry(l, index: "\"Q\(n.map(String.init) ?? "Q")\""))
                }
            }
            procs.append("""
                {"pid": \(p.pid.map(String.init) ?? "null"), "purpose": \(Self.quote(p.purpose)), \
                "pools": [\n      \(pools.joined(separator: ",\n      "))\n    ], \
                "nonpool": \(nonpool), "npools": \(npools)}
                """)
        }
        let mism = mismatches.map {
            "{\"line\": \($0.line), \"figure\": \(Self.quote($0.figure)), \"exim\": \(Self.quote($0.exim)), \"replay\": \(Self.quote($0.replay)), \"inferred\": \($0.inferred)}"
        }
        return """
        {
          "processes": [
            \(procs.joined(separator: ",\n    "))
          ],
          "lineMismatches": \(lineMismatches),
          "matched": \(matched),
          "compared": \(compared),
          "lines": \(lines),
          "memoryRecords": \(memoryRecords),
          "attributedByConsistency": \(unprefixedFork),
          "mismatches": [\(mism.joined(separator: ", "))],
          "problems": [\(problems.map { "{\"line\": \($0.line), \"message\": \(Self.quote($0.message))}" }.joined(separator: ", "))]
        }
        """
    }

    /// A JSON string literal (control bytes escaped).
    static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 || u.value == 0x7F {
                    let h = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - h.count) + h
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }
}
