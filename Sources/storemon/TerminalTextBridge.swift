import Store
import StoremonCore

/// The one place that knows how `TerminalText` (StoremonCore's terminal quoter output)
/// and `TaintedString` turn into drawable characters.
enum TerminalTextBridge {
    /// The characters of quoted text (control bytes, ESC and invalid UTF-8 already made visible).
    static func string(_ t: TerminalText) -> String { t.string }

    /// Quotes tainted text for the terminal, at most `maxColumns` columns of it
    /// (a 1 MB log line need not be quoted whole to draw a screen's width of it).
    static func quote(_ s: TaintedString, maxColumns: Int = 1024) -> TerminalText {
        s.quoted(by: TerminalQuoter(maxColumns: maxColumns))
    }
}

extension ScreenText {
    /// Tainted text, quoted for the terminal on the way in.
    init(quoting s: TaintedString) { self.init(TerminalTextBridge.quote(s)) }
}
