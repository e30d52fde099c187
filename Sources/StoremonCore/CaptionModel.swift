/// The caption rows above the status line: `--explain`'s plain-words narration of the
/// phase just run (or of the whole refresh at normal speed), and `--poison`'s stale view
/// next to what it used to show. Built from a snapshot; every screen draws it as is.
public struct CaptionModel: Sendable {
    /// The rows, each one line (a drawer cuts them to its width).
    public let lines: [TerminalText]

    /// Arguments: the frame's snapshot (nil before the first refresh) and whether
    /// narration is on. Result: zero to two rows.
    public init(_ snapshot: Snapshot?, explain: Bool) {
        var rows: [TerminalText] = []
        if explain, let snapshot {
            if let step = snapshot.step {
                rows.append(TerminalText(untainted: PhaseCaption.explanation(step)))
            } else if let whole = PhaseCaption.explanation(refresh: snapshot.phases) {
                rows.append(TerminalText(untainted: whole))
            }
        }
        if let stale = snapshot?.staleView { rows.append(CaptionModel.staleLine(stale)) }
        lines = rows
    }

    /// Whether there is anything to show.
    public var isEmpty: Bool { lines.isEmpty }

    /// `stale view of line 12 after reset 5: was "<= …" now "\xf0\xf0…" (48/48 bytes 0xF0: use after reset)`;
    /// both texts through `TerminalQuoter`.
    public static func staleLine(_ s: StaleViewSnapshot) -> TerminalText {
        let q = TerminalQuoter()
        var out = TerminalText(untainted: "stale view of log line \(s.lineNumber) kept across reset \(s.refresh): was \"")
            + q.quote(s.before) + TerminalText(untainted: "\" now \"")
        if let after = s.after {
            out = out + q.quote(after) + TerminalText(untainted: "\" (\(s.poisonedBytes)/\(s.byteCount) bytes 0xF0")
                + TerminalText(untainted: s.readsPoison ? ": Exim's poison, a use after reset)" : ")")
        } else {
            out = out + TerminalText(untainted: "\" not read: its block was freed (reading it could fault)")
        }
        return out
    }
}
