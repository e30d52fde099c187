import EximTrace

/// One figure on one memory line where the replay and Exim part ways.
public struct LineMismatch: Sendable, Equatable, CustomStringConvertible {
    /// The trace line (1-based).
    public var line: Int
    /// The process the line belongs to, if known.
    public var pid: Int?
    /// What differs: `address offset`, `size`, `bytes`, `pool`, `pool total`, `nonpool total`, `sequence`, …
    public var figure: String
    /// Exim's value as text.
    public var exim: String
    /// The replay's value as text.
    public var replay: String
    /// Whether the replay's figure rests on an inferred start value.
    public var inferred: Bool

    /// Makes a mismatch.
    public init(line: Int, pid: Int?, figure: String, exim: String, replay: String, inferred: Bool = false) {
        self.line = line; self.pid = pid; self.figure = figure; self.exim = exim; self.replay = replay; self.inferred = inferred
    }

    /// `line N (pid P): figure: exim X, replay Y`.
    public var description: String {
        "line \(line)\(pid.map { " (pid \($0))" } ?? ""): \(figure): exim \(exim), replay \(replay)\(inferred ? " (inferred)" : "")"
    }
}

/// A problem with the trace itself (cut, garbled, unknown address), with its line.
public struct ReplayProblem: Sendable, Equatable, CustomStringConvertible {
    /// The trace line (1-based).
    public var line: Int
    /// What is wrong, in a sentence.
    public var message: String
    /// Makes a problem note.
    public init(line: Int, message: String) { self.line = line; self.message = message }
    /// `line N: message`.
    public var description: String { "line \(line): \(message)" }
}

/// Something the replay assumed because no trace line shows it (section 18).
public struct ReplayInference: Sendable, Equatable, CustomStringConvertible {
    /// The line that led to it (0: process start).
    public var line: Int
    /// What was assumed.
    public var message: String
    /// Makes an inference note.
    public init(line: Int, message: String) { self.line = line; self.message = message }
    /// `line N: message (inferred)`.
    public var description: String { "line \(line): \(message) (inferred)" }
}

/// The figures of one `----Exit` line, either Exim's or the replay's.
public struct ExitFigures: Sendable, Equatable, CustomStringConvertible {
    /// Kilobytes as Exim prints them.
    public var kB: Int
    /// Blocks (nil on the `npools` line).
    public var blocks: Int?
    /// Order (pool lines only).
    public var order: Int?
    /// Makes figures.
    public init(kB: Int, blocks: Int? = nil, order: Int? = nil) { self.kB = kB; self.blocks = blocks; self.order = order }
    /// `K kB in B blocks at order O`.
    public var description: String {
        var s = "\(kB) kB"
        if let b = blocks { s += " in \(b) blocks" }
        if let o = order { s += " at order \(o)" }
        return s
    }
}

/// How an `----Exit` line's figures were judged.
public enum ExitVerdict: String, Sendable, Equatable {
    /// Every derivable figure equals Exim's.
    case match
    /// A derivable figure differs.
    case differ
    /// The figure rests on start-up state the trace cannot show and its start-up class was
    /// calibrated on this very line (section 19.6): matched by construction, not checked.
    case calibrated
    /// No derivable figure on the line (section 19.10): neither a match nor a mismatch.
    case notDerivable = "not derivable"
}

/// One `----Exit` line compared: Exim's figures beside the replay's.
public struct ExitLineComparison: Sendable, Equatable {
    /// Which line this is.
    public enum Subject: Sendable, Equatable, CustomStringConvertible {
        /// `----Exit nonpool`.
        case nonpool
        /// `----Exit npools`.
        case npools
        /// `----Exit  pool i` or `pool Qn`.
        case pool(TracePool)
        /// `nonpool`, `npools`, `pool 5`, `pool Q0`.
        public var description: String {
            switch self {
            case .nonpool: return "nonpool"
            case .npools: return "npools"
            case .pool(let p): return "pool \(p)"
            }
        }
    }
    /// The trace line of Exim's exit line.
    public var line: Int
    /// Which exit line.
    public var subject: Subject
    /// Exim's figures.
    public var exim: ExitFigures
    /// The replay's figures (nil when the replay has no such pool). Figures named in
    /// `notDerivable` are the replay's best guess and are not compared.
    public var replay: ExitFigures?
    /// Whether the replay's figure rests on an inferred start value (see `basis`).
    public var inferred: Bool
    /// What an inferred figure rests on, in words (nil when exact).
    public var basis: String?
    /// Figures (`kB`, `blocks`, `order`) no trace can show (section 19.10).
    public var notDerivable: [String]
    /// Matched by construction: the line calibrated its start-up class (section 19.6).
    public var calibrated: Bool
    /// What the surviving start-state candidates predict for a figure that is not derivable.
    public var alternatives: [ExitFigures]

    /// Makes a comparison.
    public init(line: Int, subject: Subject, exim: ExitFigures, replay: ExitFigures?, inferred: Bool = false,
                basis: String? = nil, notDerivable: [String] = [], calibrated: Bool = false, alternatives: [ExitFigures] = []) {
        self.line = line; self.subject = subject; self.exim = exim; self.replay = replay; self.inferred = inferred
        self.basis = basis; self.notDerivable = notDerivable; self.calibrated = calibrated; self.alternatives = alternatives
    }

    /// Whether every derivable figure is equal (a calibrated line matches by construction).
    public var matches: Bool { verdict == .match || verdict == .calibrated }

    /// Whether every figure on the line is derivable.
    public var derivable: Bool { notDerivable.isEmpty }

    /// The line's verdict.
    public var verdict: ExitVerdict {
        if calibrated { return .calibrated }
        guard let r = replay else { return .differ }
        var compared = 0
        func same<T: Equatable>(_ name: String, _ a: T?, _ b: T?) -> Bool {
            if notDerivable.contains(name) { return true }
            compared += 1
            return a == b
        }
        let ok = same("kB", r.kB, exim.kB) && same("blocks", r.blocks, exim.blocks) && same("order", r.order, exim.order)
        if compared == 0 { return .notDerivable }
        return ok ? .match : .differ
    }
}
