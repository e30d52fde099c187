/// The check of one of Exim's running totals (`pool_malloc` or `nonpool_malloc`) against
/// the replay's own: the total at trace start is solved from the first printed figure,
/// and a difference is reported once — it is adopted as a correction only when the next
/// printed figure confirms it (otherwise it was a one-line blip).
struct RunningTotal: Sendable {
    /// `pool` or `nonpool`: names the figure in differences and the start in inferences.
    let label: String
    /// The start's symbol in inferences (`P0`, `N0`).
    let symbol: String
    /// Corrections adopted after confirmed differences.
    var adjust = 0
    /// The last difference, waiting for the next figure to confirm it.
    var pending: Int?

    init(label: String, symbol: String) {
        self.label = label
        self.symbol = symbol
    }

    /// The replay's total for a start and the model's delta since it.
    func ours(start: Int, delta: Int) -> Int { start &+ delta &+ adjust }

    /// Checks `printed` (Exim's figure on `line`) against `start + delta + adjust`.
    /// With no start yet, solves it from `printed` (recorded in `start`/`startLine` and as
    /// an inference). Invariant: a difference is reported at most once per change.
    mutating func check(printed: Int, line: Int, delta: Int, start: inout Int?, startLine: inout Int,
                        _ c: inout LineCheck) {
        guard let s = start else {
            let solved = printed &- delta &- adjust
            start = solved
            startLine = line
            c.infer(line, "\(label)_malloc at trace start (\(symbol)) = \(solved), solved from this line's \(label) total")
            return
        }
        let ours = ours(start: s, delta: delta)
        let confirming = pending
        pending = nil
        if ours == printed { c.checked = true; return }
        // The difference before was real: carry on from Exim's figure (reported once).
        if let d = confirming, ours &+ d == printed { adjust += d; return }
        c.differ(line, "\(label) total", exim: String(printed), replay: String(ours))
        pending = printed &- ours
    }
}
