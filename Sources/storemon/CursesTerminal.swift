import CNcurses
import CTermGuard
import Glibc
import StoremonSystem
import SystemPackage

/// Why the terminal could not be opened.
enum TerminalError: Error, CustomStringConvertible {
    /// ncurses does not know the terminal type.
    case unknownTerminal(String)
    /// stdin or stdout could not be opened as a stream.
    case noStreams

    var description: String {
        switch self {
        case .unknownTerminal(let term):
            return "cannot use the terminal: TERM=\(term.isEmpty ? "(unset)" : term) is unknown to ncurses (try TERM=xterm-256color, or --once / --json for plain output)"
        case .noStreams:
            return "cannot open the terminal's input and output streams"
        }
    }
}

/// The curses side of the screen: opens the terminal with `newterm`, copies a
/// `ScreenGrid` out cell by cell, reads keys with a timeout, and restores everything
/// on close (CTermGuard restores it on signals and crashes).
final class CursesTerminal {
    /// Whether the locale is UTF-8 (otherwise ASCII glyphs are drawn).
    let unicode: Bool
    /// Whether colour pairs are in use.
    let color: Bool
    private var screen: OpaquePointer?
    private var closed = false
    private var attributes: [Style: (attr: attr_t, pair: Int16)] = [:]

    /// Opens the terminal on stdout, reading keys from `input` (stdin unless the caller has
    /// another descriptor on the terminal, e.g. /dev/tty when stdin is a trace).
    /// `color: false` draws with attributes only.
    init(color wantColor: Bool, input inputFD: Int32 = 0) throws(TerminalError) {
        setlocale(LC_ALL, "")
        unicode = cn_locale_is_utf8() != 0
        guard let out = cn_fdopen(1, "w"), let input = cn_fdopen(inputFD, "r") else { throw .noStreams }
        keyDescriptor = FileDescriptor(rawValue: inputFD)
        stdinIsTerminal = isatty(inputFD) != 0
        tg_install(1)
        tg_set_graceful(1)
        guard let s = newterm(nil, out, input) else {
            tg_disarm()
            let term = getenv("TERM").map { String(cString: $0) } ?? ""
            throw .unknownTerminal(term)
        }
        screen = s
        set_term(s)
        cbreak()
        noecho()
        nonl()
        keypad(cn_stdscr(), true)
        set_escdelay(25)
        // Home/End spellings that a TERM entry may lack (tmux/screen, rxvt, xterm modes)
        for (sequence, key) in [("\u{1b}[1~", KEY_HOME), ("\u{1b}[7~", KEY_HOME), ("\u{1b}OH", KEY_HOME), ("\u{1b}[H", KEY_HOME),
                                ("\u{1b}[4~", KEY_END), ("\u{1b}[8~", KEY_END), ("\u{1b}OF", KEY_END), ("\u{1b}[F", KEY_END)] {
            _ = define_key(sequence, key)
        }
        curs_set(0)
        color = wantColor && has_colors()
        if color {
            start_color()
            use_default_colors()
        }
        setupStyles()
    }

    deinit { close() }

    /// Restores the terminal (idempotent).
    func close() {
        guard !closed else { return }
        closed = true
        endwin()
        if let s = screen { delscreen(s) }
        screen = nil
        tg_restore()
    }

    /// The terminal's size now (after a KEY_RESIZE it is already the new one).
    var size: (width: Int, height: Int) {
        (Int(cn_getmaxx(cn_stdscr())), Int(cn_getmaxy(cn_stdscr())))
    }

    /// What is left of the keyboard.
    enum Input: Equatable {
        /// Keys can come.
        case open
        /// stdin is not a terminal and reached its end (`< /dev/null`): the monitor idles
        /// on its timer and ends by a signal.
        case ended
        /// The terminal hung up (the window closed, even with SIGHUP ignored): time to end.
        case hungUp
    }

    /// The keyboard's state (see `Input`); never goes back to `.open`.
    private(set) var input: Input = .open
    private var emptyReads = 0
    private var stdinIsTerminal = isatty(0) != 0
    /// The descriptor keys come from (stdin, or /dev/tty when stdin is a trace).
    private var keyDescriptor = FileDescriptor.standardInput

    /// Waits up to `milliseconds` for a key; nil on timeout. Never spins: the wait is a
    /// `poll` on stdin, and once stdin has ended (or hung up) it is a plain sleep.
    func readKey(milliseconds: Int) -> Int32? {
        let ms = max(0, milliseconds)
        guard input == .open else {
            _ = Poll.wait([], milliseconds: ms)
            return nil
        }
        // a key ncurses already holds (the rest of a burst) comes first
        timeout(0)
        let held = getch()
        if held != cn_err() { emptyReads = 0; return held }
        let ready = Poll.wait([(keyDescriptor, Int16(POLLIN))], milliseconds: ms)[0]
        guard ready.readable || ready.hangUp else { return nil }     // timeout or a signal
        timeout(0)
        let k = getch()
        if k != cn_err() { emptyReads = 0; return k }
        // readable, yet no key and nothing waiting: end of file or hang-up (checked three
        // times, so half an escape sequence is never mistaken for it)
        if ready.hangUp || (Poll.pendingBytes(keyDescriptor) ?? 0) == 0 {
            emptyReads += 1
            if ready.hangUp || emptyReads >= 3 { input = stdinIsTerminal ? .hungUp : .ended }
        }
        return nil
    }

    /// Whether a key is `KEY_RESIZE`.
    func isResize(_ key: Int32) -> Bool { key == cn_key_resize() }

    /// Copies a grid to the screen and shows it.
    func show(_ grid: ScreenGrid) {
        let (w, h) = size
        erase()
        for y in 0..<min(h, grid.height) {
            for x in 0..<min(w, grid.width) {
                let cell = grid[y, x]
                if cell.isContinuation { continue }
                if y == h - 1 && x == w - 1 { continue }   // writing the last cell scrolls some terminals
                let (attr, pair) = attributes[cell.style] ?? (cn_a_normal(), 0)
                let scalar = cell.character.unicodeScalars.first?.value ?? 0x20
                _ = cn_mvadd_wch(Int32(y), Int32(x), wchar_t(bitPattern: scalar), attr, pair)
            }
        }
        refresh()
    }

    /// Maps each style to attributes and a colour pair.
    private func setupStyles() {
        let bold = cn_a_bold(), rev = cn_a_reverse(), dim = cn_a_dim(), ul = cn_a_underline(), none = cn_a_normal()
        // (style, foreground, background, attributes with colour, attributes without)
        let table: [(Style, Int32, Int32, attr_t, attr_t)] = [
            (.normal, -1, -1, none, none),
            (.dim, -1, -1, dim, dim),
            (.bold, -1, -1, bold, bold),
            (.bar, Int32(COLOR_BLACK), Int32(COLOR_CYAN), none, rev),
            (.header, Int32(COLOR_WHITE), Int32(COLOR_BLUE), none, rev),
            (.headerFocused, Int32(COLOR_BLACK), Int32(COLOR_YELLOW), bold, rev | bold),
            (.clean, Int32(COLOR_GREEN), -1, bold, bold),
            (.tainted, Int32(COLOR_WHITE), Int32(COLOR_RED), bold, rev | bold),
            (.usedClean, Int32(COLOR_GREEN), -1, none, none),
            (.usedTainted, Int32(COLOR_RED), -1, none, none),
            (.free, -1, -1, dim, dim),
            (.current, Int32(COLOR_YELLOW), -1, bold, bold),
            (.spark, Int32(COLOR_CYAN), -1, none, none),
            (.arrival, Int32(COLOR_GREEN), -1, none, none),
            (.delivery, Int32(COLOR_CYAN), -1, none, none),
            (.deferral, Int32(COLOR_YELLOW), -1, none, ul),
            (.failure, Int32(COLOR_RED), -1, bold, bold),
            (.rejection, Int32(COLOR_MAGENTA), -1, none, dim),
            (.frozen, Int32(COLOR_RED), -1, none, bold),
            (.match, Int32(COLOR_BLACK), Int32(COLOR_YELLOW), none, rev),
            (.matchCurrent, Int32(COLOR_BLACK), Int32(COLOR_YELLOW), bold | ul, rev | bold | ul),
            (.help, Int32(COLOR_WHITE), Int32(COLOR_BLUE), none, rev),
            (.warning, Int32(COLOR_WHITE), Int32(COLOR_RED), bold, rev | bold),
            (.escape, Int32(COLOR_MAGENTA), -1, bold | ul, ul),
            (.mark, Int32(COLOR_WHITE), Int32(COLOR_MAGENTA), bold, rev | bold),
            (.reclaim, Int32(COLOR_YELLOW), -1, none, bold),
            (.freedFresh, Int32(COLOR_MAGENTA), -1, bold, bold),
            (.freedFading, Int32(COLOR_MAGENTA), -1, dim, dim),
            (.caption, Int32(COLOR_CYAN), -1, none, none),
        ]
        for (i, (style, fg, bg, withColor, without)) in table.enumerated() {
            if color, fg != -1 || bg != -1 {
                let pair = Int16(i + 1)
                init_pair(pair, Int16(fg), Int16(bg))
                attributes[style] = (withColor, pair)
            } else {
                attributes[style] = (color ? withColor : without, 0)
            }
        }
    }
}
