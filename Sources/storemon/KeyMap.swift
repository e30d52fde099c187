import CNcurses

/// What a key asks for (htop's conventions).
enum KeyAction: Equatable, Sendable {
    case quit, help, closeOverlay, pause, stepPhase, longerInterval, shorterInterval, refreshNow
    case openSearch, nextMatch, previousMatch, closeSearch
    case focusNext
    case scrollLines(Int), scrollPage(Int), scrollHome, scrollEnd
    // operations (KeyMap+Operations.swift)
    case openMessage, act(ActionKey), cyclePools, toggleZoom, toggleCharts, toggleProcesses
    case toggleDate, togglePid, scrollColumns(Int)
    case none
}

/// Maps curses key codes to actions, and edits the search prompt.
enum KeyMap {
    /// The Escape key.
    static let escape: Int32 = 27
    /// F1 (help).
    static var f1: Int32 { cn_key_f(1) }
    /// F10 (quit).
    static var f10: Int32 { cn_key_f(10) }

    /// The action for `key` on the main screen (the prompt is handled by `editPrompt`).
    static func action(for key: Int32, helpShown: Bool, searchOpen: Bool) -> KeyAction {
        if helpShown {
            // any key closes the help; q still quits
            if key == Int32(UInt8(ascii: "q")) || key == cn_key_f(10) { return .quit }
            return .closeOverlay
        }
        switch key {
        case Int32(UInt8(ascii: "q")), cn_key_f(10): return .quit
        case Int32(UInt8(ascii: "?")), Int32(UInt8(ascii: "h")), cn_key_f(1): return .help
        case Int32(UInt8(ascii: " ")), Int32(UInt8(ascii: "p")), Int32(UInt8(ascii: "Z")): return .pause
        case Int32(UInt8(ascii: ".")): return .stepPhase
        case Int32(UInt8(ascii: "+")), Int32(UInt8(ascii: "=")): return .longerInterval
        case Int32(UInt8(ascii: "-")), Int32(UInt8(ascii: "_")): return .shorterInterval
        case Int32(UInt8(ascii: "r")), cn_key_f(5): return .refreshNow
        case Int32(UInt8(ascii: "/")), cn_key_f(3): return .openSearch
        case Int32(UInt8(ascii: "n")): return searchOpen ? .nextMatch : .none
        case Int32(UInt8(ascii: "N")): return searchOpen ? .previousMatch : .none
        case escape: return searchOpen ? .closeSearch : .none
        case 9: return .focusNext
        case KEY_UP, Int32(UInt8(ascii: "k")): return .scrollLines(-1)
        case KEY_DOWN, Int32(UInt8(ascii: "j")): return .scrollLines(1)
        case KEY_PPAGE: return .scrollPage(-1)
        case KEY_NPAGE: return .scrollPage(1)
        case KEY_HOME: return .scrollHome
        case KEY_END: return .scrollEnd
        default: return operationAction(for: key)
        }
    }

    /// The result of a key typed into the search prompt.
    enum PromptEdit: Equatable {
        /// The prompt text changed (or not).
        case editing(String)
        /// Enter: search for the text.
        case submit(String)
        /// Esc: close the prompt without searching.
        case cancel
    }

    /// Edits the prompt text with one key.
    static func editPrompt(_ text: String, key: Int32) -> PromptEdit {
        switch key {
        case 10, 13, KEY_ENTER: return .submit(text)
        case escape: return .cancel
        case KEY_BACKSPACE, 127, 8: return .editing(String(text.dropLast()))
        case 32...126:
            guard text.utf8.count < 200, let scalar = Unicode.Scalar(UInt32(key)) else { return .editing(text) }
            return .editing(text + String(Character(scalar)))
        default: return .editing(text)
        }
    }
}
