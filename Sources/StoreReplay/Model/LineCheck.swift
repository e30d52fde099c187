/// What checking one record found: the figures that differ (each with the trace line it
/// belongs to: a held `--Malloc` is judged one record later), inferences, and whether any
/// printed figure was actually compared.
struct LineCheck {
    struct Difference {
        var line: Int
        var figure: String
        var exim: String
        var replay: String
        var inferred: Bool
    }
    var differences: [Difference] = []
    var inferences: [ReplayInference] = []
    var problems: [ReplayProblem] = []
    /// Whether a printed figure was compared (fit level 2 for attribution, section 19.9).
    var checked = false

    mutating func differ(_ line: Int, _ figure: String, exim: String, replay: String, inferred: Bool = false) {
        differences.append(Difference(line: line, figure: figure, exim: exim, replay: replay, inferred: inferred))
    }

    mutating func infer(_ line: Int, _ message: String) {
        inferences.append(ReplayInference(line: line, message: message))
    }

    mutating func problem(_ line: Int, _ message: String) {
        problems.append(ReplayProblem(line: line, message: message))
    }
}

/// `0x…` as Exim's `%p` prints it.
@inline(__always) func hex(_ v: UInt64) -> String { "0x" + String(v, radix: 16) }
