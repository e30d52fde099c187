import StoremonCore

/// What a cell means; the terminal turns each into a colour pair and attributes
/// (or attributes alone under `--no-color`).
enum Style: Int, CaseIterable, Sendable {
    /// Ordinary text.
    case normal
    /// Secondary text (labels, free block space).
    case dim
    /// Emphasised text.
    case bold
    /// The title bar and the status line.
    case bar
    /// A pane header.
    case header
    /// The focused pane's header.
    case headerFocused
    /// The "clean" label of an untainted pool.
    case clean
    /// The "TAINTED" label of a tainted pool.
    case tainted
    /// Used part of a block in an untainted pool.
    case usedClean
    /// Used part of a block in a tainted pool.
    case usedTainted
    /// The unused part of a block.
    case free
    /// The current block's marker.
    case current
    /// A sparkline.
    case spark
    /// `<=` lines.
    case arrival
    /// `=>`, `->`, `>>`, `*>` lines.
    case delivery
    /// `==` lines.
    case deferral
    /// `**` lines.
    case failure
    /// Rejection lines.
    case rejection
    /// A frozen message's mark.
    case frozen
    /// A search match.
    case match
    /// The current search match.
    case matchCurrent
    /// The help overlay.
    case help
    /// A warning (paused, unreadable, too small).
    case warning
    /// The cell where a pool's mark lies.
    case mark
    /// Used bytes above the mark: what a reset to it would give back.
    case reclaim
    /// Bytes the last reset gave back, just now.
    case freedFresh
    /// Bytes the last reset gave back, fading.
    case freedFading
    /// `--explain` narration and the `--poison` stale view under the panes.
    case caption
    /// A spelt-out escape in quoted text (`\x1b`, `\r`, `\xff`): hostile bytes made visible.
    case escape
}

/// The characters used for borders, blocks and sparklines, in a UTF-8 and an ASCII set.
struct Glyphs: Sendable {
    /// Horizontal rule.
    var hline: Character
    /// Vertical rule.
    var vline: Character
    /// A used cell of a block.
    var used: Character
    /// An unused cell of a block.
    var free: Character
    /// The boundary between two blocks.
    var blockEdge: Character
    /// The current block's end marker.
    var current: Character
    /// Sparkline levels, lowest first.
    var spark: [Character]
    /// The focused pane's marker.
    var focus: Character
    /// The mark's cell in a chain.
    var mark: Character
    /// Used above the mark (a reset would give it back).
    var reclaimable: Character
    /// Given back by the last reset: fresh, then fading.
    var freed: Character
    var freedFading: Character
    /// The first column of a block the last reset freed.
    var ghostEdge: Character

    /// Line drawing and block elements (needs a UTF-8 locale).
    static let unicode = Glyphs(hline: "─", vline: "│", used: "█", free: "░", blockEdge: "▏",
                                current: "▶", spark: Sparkline.unicodeLevels, focus: "▸",
                                mark: "┃", reclaimable: "▓", freed: "▒", freedFading: "·", ghostEdge: "╎")
    /// Plain ASCII, for terminals without a UTF-8 locale.
    static let ascii = Glyphs(hline: "-", vline: "|", used: "#", free: ".", blockEdge: "|",
                              current: ">", spark: Sparkline.asciiLevels, focus: ">",
                              mark: "^", reclaimable: "~", freed: ":", freedFading: ",", ghostEdge: "!")
}
