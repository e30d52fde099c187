/// The caption rows above the status line: `--explain`'s plain-words narration of the
/// phase just run (or of the whole refresh at normal speed), and `--poison`'s stale view
/// next to what it used to show. Built from a snapshot; every screen draws it as is.
public struct CaptionModel: Sendable {
    /// The rows, each one line (a drawer cuts them to its width).
    public let lines: [TerminalText]

    /// Arguments: the frame's snapshot (nil before the first refresh) and whether
    /// narration is on. Result: zero to three rows.
    public init(_ snapshot: Snapshot?, explain: Bool) {
        var rows: [TerminalText] = []
        if explain, let snapshot {
            if let step = snapshot.step {
                rows.append(TerminalText(untainted: PhaseCaption.explanation(step)))
            } else if let whole = PhaseCaption.explanation(refresh: snapshot.phases) {
                rows.append(TerminalText(untainted: whole))
            }
        }
        if let stale = snapshot?.staleView { rows += CaptionModel.staleLines(stale) }
        lines = rows
    }

    /// Whether there is anything to show.
    public var isEmpty: Bool { lines.isEmpty }

    /// The stale view in two rows: what it reads now, then what it showed before:
    /// ```
    /// stale view (log line 12) after reset 5: "\xf0\xf0\xf0\xf0…" = 48/48 bytes 0xF0, a use after reset
    ///   before that reset it showed: "1xZlLP-00015l-5k <= billing@…"
    /// ```
    /// Both texts go through `TerminalQuoter` (the poison is not valid UTF-8: it is spelt `\xf0`).
    public static func staleLines(_ s: StaleViewSnapshot) -> [TerminalText] {
        let head = TerminalText(untainted: "stale view (log line \(s.lineNumber)) after reset \(s.refresh): ")
        var first: TerminalText
        if let after = s.after {
            let shown = TerminalQuoter(maxColumns: 16).quote(after)
            let cut = shown.string.utf8.count < 4 * s.byteCount && DisplayWidth.of(shown.string) < s.byteCount
            first = head + "\"" + shown + TerminalText(untainted: (cut ? "…" : "") + "\" = \(s.poisonedBytes)/\(s.byteCount) bytes 0xF0")
            if s.readsPoison { first = first + TerminalText(untainted: ", a use after reset (Exim's poison)") }
        } else {
            first = head + TerminalText(untainted: "not read: its block was freed (reading it could fault)")
        }
        let second = TerminalText(untainted: "  before that reset it showed: \"") + TerminalQuoter().quote(s.before) + "\""
        return [first, second]
    }
}
