/// The caption rows above the status line: `--explain`'s plain-words narration of the
/// phase just run (or of the whole refresh at normal speed), and `--poison`'s stale view
/// next to what it used to show. Built from a snapshot; every screen draws it wrapped at
/// its width (`wrapped(width:)`).
public struct CaptionModel: Sendable {
    /// One caption: pieces that may be wrapped apart (words of our own text; a quoted
    /// tainted text is one piece), joined by spaces, indented when it continues the row above.
    struct Row: Sendable {
        var indented: Bool
        var pieces: [TerminalText]

        var text: TerminalText {
            var out = TerminalText(untainted: indented ? "  " : "")
            for (i, p) in pieces.enumerated() { out = out + (i > 0 ? " " : "") + p }
            return out
        }
    }

    let rows: [Row]

    /// The rows, each one line (a drawer cuts them to its width).
    public var lines: [TerminalText] { rows.map(\.text) }

    /// Arguments: the frame's snapshot (nil before the first refresh) and whether
    /// narration is on. Result: zero to three rows.
    public init(_ snapshot: Snapshot?, explain: Bool) {
        var rows: [Row] = []
        if explain, let snapshot {
            if let step = snapshot.step {
                rows.append(Row(indented: false, pieces: CaptionModel.words(PhaseCaption.explanation(step))))
            } else if let whole = PhaseCaption.explanation(refresh: snapshot.phases) {
                rows.append(Row(indented: false, pieces: CaptionModel.words(whole)))
            }
        }
        if let stale = snapshot?.staleView { rows += CaptionModel.staleRows(stale) }
        self.rows = rows
    }

    /// Whether there is anything to show.
    public var isEmpty: Bool { rows.isEmpty }

    /// The rows wrapped at `width` columns (at spaces between pieces; a piece wider than
    /// the width is cut), continuation lines indented by two more columns.
    public func wrapped(width: Int) -> [TerminalText] {
        var out: [TerminalText] = []
        for row in rows {
            let lead = TerminalText(untainted: row.indented ? "  " : "")
            var line = lead
            var empty = true
            for piece in row.pieces {
                if !empty && line.columns + 1 + piece.columns > width {
                    out.append(line)
                    line = lead + "  "
                    empty = true
                }
                line = line + (empty ? "" : " ") + piece
                empty = false
            }
            out.append(line.truncated(toColumns: width))
        }
        return out
    }

    /// Our own words, one piece each.
    static func words(_ s: String) -> [TerminalText] {
        s.split(separator: " ").map { TerminalText(untainted: String($0)) }
    }

    /// The stale view in two rows: what it reads now, then what it showed before:
    /// ```
    /// stale view (log line 12) after reset 5: "\xf0\xf0\xf0\xf0..." = 48/48 bytes 0xF0, a use after reset (Exim's poison)
    ///   before that reset it showed: "1xZlLP-00015l-5k <= billing@…"
    /// ```
    /// Both texts go through `TerminalQuoter` (the poison is not valid UTF-8: it is spelt `\xf0`).
    public static func staleLines(_ s: StaleViewSnapshot) -> [TerminalText] { staleRows(s).map(\.text) }

    static func staleRows(_ s: StaleViewSnapshot) -> [Row] {
        var first = words("stale view (log line \(s.lineNumber)) after reset \(s.refresh):")
        if let after = s.after {
            let shown = TerminalQuoter(maxColumns: 16).quote(after)
            let cut = shown.string.utf8.count < 4 * s.byteCount && DisplayWidth.of(shown.string) < s.byteCount
            first.append("\"" + shown + TerminalText(untainted: (cut ? "..." : "") + "\""))
            first += words("= \(s.poisonedBytes)/\(s.byteCount) bytes 0xF0" + (s.readsPoison ? ", a use after reset (Exim's poison)" : ""))
        } else {
            first += words("not read: its block was freed (reading it could fault)")
        }
        var second = words("before that reset it showed:")
        second.append("\"" + TerminalQuoter().quote(s.before) + "\"")
        return [Row(indented: false, pieces: first), Row(indented: true, pieces: second)]
    }
}
