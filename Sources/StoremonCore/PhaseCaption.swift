import EximFormats
import Store

/// The words for a phase report: the status line's figures (`reset: 1.6K and 2 blocks
/// given back, 1 kept (keep-one rule), 0 above the mark`) and `--explain`'s plain-words
/// caption for a newcomer. Both start with the phase's name and a colon.
public enum PhaseCaption {
    /// `1 block`, `2 blocks`.
    static func count(_ n: Int, _ word: String, plural: String? = nil) -> String {
        "\(n) " + (n == 1 ? word : plural ?? word + "s")
    }
    /// Exim's short size form (`1.6K`), with `bytes` below 1K (`480 bytes`).
    static func size(_ n: Int) -> String { n < 1024 ? count(n, "byte") : EximSize.short(n) }

    /// The status line's figures for `report`: the phase's name, a colon, what it did.
    public static func figures(_ r: PhaseReport) -> String {
        let name = r.phase.name + ": "
        switch r.phase {
        case .mark:
            return name + marks(r)
        case .readLog:
            return name + "\(count(r.lines, "line")) read, \(size(r.bytesGot)) got, \(count(r.blocksAdded, "block")) added"
        case .queue:
            var s = "\(count(r.messages, "message")), \(size(r.bytesGot)) got, \(count(r.blocksAdded, "block")) added"
            if r.bytesGivenBack > 0 || r.blocksGivenBack > 0 {
                s += ", rebuilt: \(size(r.bytesGivenBack)) and \(count(r.blocksGivenBack, "block")) given back"
            }
            return name + s
        case .search:
            return name + "\(count(r.matches, "match", plural: "matches")), \(size(r.bytesGot)) got, \(count(r.blocksAdded, "block")) added"
        case .snapshot:
            return name + "copied out: \(count(r.lines, "log line")), \(count(r.messages, "message")), 10 pools; \(size(r.bytesAboveMark)) in use above the mark"
        case .reset:
            return name + "\(size(r.bytesGivenBack)) and \(count(r.blocksGivenBack, "block")) (\(size(r.heldGivenBack)) held) given back, "
                + "\(r.blocksKept) kept (keep-one rule), \(size(r.bytesAboveMark)) above the mark"
        }
    }

    /// `main block 0 +1440, tainted main block 2 +88`.
    static func marks(_ r: PhaseReport) -> String {
        let m = r.mainMark.map { "main \($0)" } ?? "main (no block)"
        let t = r.taintedMainMark.map { "tainted main \($0)" } ?? "tainted main (no block)"
        return m + ", " + t
    }

    /// `--explain`'s caption for `report`, in plain words.
    public static func explanation(_ r: PhaseReport) -> String {
        let name = r.phase.name + ": "
        switch r.phase {
        case .mark:
            let at = r.taintedMainMark.map { "block \($0.block), byte \($0.offset)" } ?? "its start"
            return name + "main's place is noted (tainted main: \(at)); all that is got after it goes back at once at the reset"
        case .readLog:
            let grew = r.blocksAdded > 0 ? ", and needed \(count(r.blocksAdded, "new block"))" : ", no new block needed"
            return name + "\(count(r.lines, "new log line")) copied into tainted main (text from outside is tainted): \(size(r.bytesGot)) more in use" + grew
        case .queue:
            return name + "the queue (\(count(r.messages, "message"))) lives in the message pools, which are not reset each refresh; this rescan got \(size(r.bytesGot))"
        case .search:
            return name + "the open search looked through the tail; its \(count(r.matches, "match", plural: "matches")) stay in the search pool until the search closes"
        case .snapshot:
            return name + "what the screen shows is copied out as plain values that survive the reset; \(size(r.bytesAboveMark)) above the mark is about to go"
        case .reset:
            let kept = r.blocksKept > 0 ? "\(r.blocksKept) kept (keep-one rule: the next block is kept for reuse)" : "none kept (keep-one rule)"
            return name + "\(size(r.bytesGivenBack)) and \(count(r.blocksGivenBack, "block")) given back, \(kept), \(size(r.bytesAboveMark)) in use above the mark: main is back at the mark"
        }
    }

    /// `--explain`'s caption for a whole refresh run at normal speed (its phases' reports).
    public static func explanation(refresh reports: [PhaseReport]) -> String? {
        guard let reset = reports.last(where: { $0.phase == .reset }) else { return nil }
        let read = reports.first(where: { $0.phase == .readLog })
        let lines = read.map { count($0.lines, "line") } ?? "no lines"
        return "refresh \(reset.refresh): mark, read \(lines) (\(size(read?.bytesGot ?? 0))), queue, snapshot, "
            + "reset gave back \(size(reset.bytesGivenBack)) and \(count(reset.blocksGivenBack, "block")), kept \(reset.blocksKept); p then . steps"
    }
}
