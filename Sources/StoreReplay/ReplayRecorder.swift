/// Where the processes of a replay report what they find.
final class ReplayRecorder {
    /// Every line mismatch, in the order found (capped by `keepLimit`; `mismatchLines` counts all).
    var mismatches: [LineMismatch] = []
    /// Lines with at least one differing figure.
    var mismatchLines: Set<Int> = []
    var problems: [ReplayProblem] = []
    let keepLimit: Int

    init(keepLimit: Int) { self.keepLimit = keepLimit }

    func mismatch(_ m: LineMismatch) {
        mismatchLines.insert(m.line)
        if mismatches.count < keepLimit { mismatches.append(m) }
    }

    func problem(_ p: ReplayProblem) {
        if problems.count < keepLimit { problems.append(p) }
    }
}
