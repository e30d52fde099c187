/// Everything a replay found, with exact counts and a capped list of each kind kept as
/// values (so memory stays bounded on any trace; the counts never are capped).
struct Findings: Sendable {
    let keepLimit: Int
    var mismatches: [LineMismatch] = []
    /// Differing figures in all (kept or not).
    var mismatchFigures = 0
    /// Memory lines with at least one differing figure.
    var mismatchLines = 0
    /// The last few lines counted in `mismatchLines` (figures of one line arrive together,
    /// a held `--Malloc`'s one record late).
    private var recentLines: [Int] = []
    var problems: [ReplayProblem] = []
    var problemCount = 0
    var exits: [ProcessExitReport] = []
    var exitBlocks = 0
    var exitTotals = ExitTotals()
    var ambiguous: [AmbiguousLine] = []
    var ambiguousCount = 0

    init(keepLimit: Int) { self.keepLimit = keepLimit }

    /// Exit blocks kept as values at most (each holds a dozen compared lines and their notes).
    static let exitBlocksKept = 2_000

    mutating func mismatch(_ m: LineMismatch) {
        mismatchFigures += 1
        if !recentLines.contains(m.line) {
            mismatchLines += 1
            recentLines.append(m.line)
            if recentLines.count > 8 { recentLines.removeFirst() }
        }
        if mismatches.count < keepLimit { mismatches.append(m) }
    }

    mutating func problem(_ p: ReplayProblem) {
        problemCount += 1
        if problems.count < keepLimit { problems.append(p) }
    }

    mutating func exit(_ e: ProcessExitReport) {
        exitBlocks += 1
        exitTotals.add(e.lines)
        if exits.count < min(keepLimit, Findings.exitBlocksKept) { exits.append(e) }
    }

    mutating func ambiguity(_ a: AmbiguousLine) {
        ambiguousCount += 1
        if ambiguous.count < keepLimit { ambiguous.append(a) }
    }
}

/// Exact counts over every `----Exit` line compared.
public struct ExitTotals: Sendable, Equatable {
    /// Lines compared.
    public var compared = 0
    /// Lines whose derivable figures all match (calibrated lines included).
    public var matched = 0
    /// Lines matched by construction (section 19.6).
    public var calibrated = 0
    /// Lines with a figure no trace can show.
    public var notDerivable = 0
    /// Lines with no derivable figure at all (neither a match nor a mismatch).
    public var notDerivableOnly = 0
    /// Pool and npools lines (the figures issue 8 requires exact) and how many matched.
    public var poolLines = 0
    public var poolLinesMatched = 0

    mutating func add(_ lines: [ExitLineComparison]) {
        for l in lines {
            compared += 1
            if l.matches { matched += 1 }
            if l.calibrated { calibrated += 1 }
            if !l.derivable { notDerivable += 1 }
            if l.verdict == .notDerivable { notDerivableOnly += 1 }
            if case .nonpool = l.subject { continue }
            poolLines += 1
            if l.matches { poolLinesMatched += 1 }
        }
    }
}

/// One process's exit block compared.
public struct ProcessExitReport: Sendable {
    /// The process id, if known.
    public var pid: Int?
    /// Its purpose (`fresh-exec`, `daemon-accept`, …).
    public var purpose: String
    /// The exit lines compared, in Exim's order.
    public var lines: [ExitLineComparison]
    /// What the replay assumed for this process (start totals, pre-trace blocks, candidates).
    public var inferences: [ReplayInference]
}

/// A line without `+pid` whose process the memory lines cannot decide (section 19.9 item 4).
public struct AmbiguousLine: Sendable, Equatable, CustomStringConvertible {
    /// The trace line (the first of a run with the same alternatives).
    public var line: Int
    /// The last line of the run.
    public var through: Int
    /// The process it was given to (pid and purpose, `?` when the pid is not known yet).
    public var chosen: String
    /// The other processes it fits as well.
    public var alternatives: [String]
    /// `lines N–M: given to X; fit Y, Z as well`.
    public var description: String {
        (through > line ? "lines \(line)–\(through)" : "line \(line)")
            + ": given to \(chosen); fit\(through > line ? "" : "s") \(alternatives.joined(separator: ", ")) as well"
    }
}
