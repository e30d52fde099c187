import EximFormats
import SafeText

extension PlainFrame {
    /// Processes listed at most in a frame (the rest are counted in a last line).
    public static let processLimit = 20

    /// The frame's processes section, like the curses `w` pane: a heading, then one line per
    /// process (pid, age as `exim -bp` shows it, the activity, the quoted title). Empty when
    /// the processes were not read or none is running, so frames of a quiet server stay short.
    /// A process recognised without reading its executable is marked `[by name]`.
    static func processLines(_ snap: Snapshot) -> [TerminalText] {
        guard snap.processesRead, !snap.processes.isEmpty else { return [] }
        let n = snap.processes.count
        var out: [TerminalText] = [TerminalText(untainted: "PROCESSES  \(n) Exim process\(n == 1 ? "" : "es") (from /proc)")]
        for p in snap.processes.prefix(processLimit) {
            let pid = String(p.pid)
            var lead = String(repeating: " ", count: max(0, 7 - pid.count)) + pid + " " + EximAge.columns(seconds: p.ageSeconds) + " "
            if let inferred = p.inferredBy { lead += "[\(inferred)] " }
            out.append(TerminalText(untainted: lead + (p.activity.map { $0 + ": " } ?? "")) + TerminalQuoter().quote(p.title))
        }
        if n > processLimit { out.append(TerminalText(untainted: "  … \(n - processLimit) more")) }
        return out
    }
}
