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
    /// The replay's figures (nil when the replay has no such pool).
    public var replay: ExitFigures?
    /// Whether the replay's figure rests on an inferred start value.
    public var inferred: Bool
    /// Whether every figure is equal.
    public var matches: Bool { replay == exim }
}
